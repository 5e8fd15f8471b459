package io.assetcost.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;

/**
 * The cohorts a run recomputes (README, "Nightly operation"). A nightly run for run date D with lookback
 * K recomputes the cohorts and usage dates {@code [D-K, D]} from usage created and decisions made before
 * the end of D (UTC), and replaces exactly those partitions; cohorts before {@code D-K} are frozen. A full
 * run recomputes everything from all inputs (through D when given) and replaces whole tables.
 *
 * <p>The window answers every question about itself both for the driver ({@link #replaces},
 * {@link #reads}) and as Spark column predicates ({@link #takes}, {@link #covers}, {@link #freezes},
 * {@link #lateFrom}), so no caller compares dates itself.
 *
 * @param full whether this is a full rebuild
 * @param runDate D (for a full run: the last day whose data it takes, or null for all)
 * @param lookbackDays K
 */
public record RunWindow(boolean full, LocalDate runDate, int lookbackDays) {

    /** First day of the window, {@code D-K}, or null for a full run. */
    public LocalDate first() {
        return full ? null : runDate.minusDays(lookbackDays);
    }

    /** End of the data taken (exclusive): the start of the day after D, or null for all data. */
    public Instant end() {
        return runDate == null
                ? null
                : runDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Whether a partition date is one this run replaces. */
    public boolean replaces(LocalDate day) {
        return full || (!day.isBefore(first()) && !day.isAfter(runDate));
    }

    /** Whether a day-laid-out input folder of this date must be read. */
    public boolean reads(LocalDate day) {
        return full ? runDate == null || !day.isAfter(runDate) : replaces(day);
    }

    /**
     * Whether the run takes a record of this time: true before the end of D, and for a record without a
     * time (validation quarantines it), so that no record is lost between two runs.
     *
     * @param time a timestamp column (created_at, decided_at)
     * @return a boolean column, never null
     */
    public Column takes(Column time) {
        return end() == null
                ? lit(true)
                : time.isNull().or(time.lt(lit(end().toString()).cast("timestamp")));
    }

    /**
     * Whether a date falls in the window: between {@code D-K} and D (always for a full run).
     *
     * @param date a date column (usage_date, cohort_date)
     * @return a boolean column
     */
    public Column covers(Column date) {
        return full
                ? lit(true)
                : date.between(
                        lit(first().toString()).cast("date"),
                        lit(runDate.toString()).cast("date"));
    }

    /** {@link #covers} of a named date column. */
    public Column covers(String dateColumn) {
        return covers(col(dateColumn));
    }

    /**
     * Whether a date is before the window, so its cohort is frozen (never for a full run).
     *
     * @param date a date column (usage_date, cohort_date)
     * @return a boolean column
     */
    public Column freezes(Column date) {
        return full ? lit(false) : date.lt(lit(first().toString()).cast("date"));
    }

    /**
     * When activity on a cohort becomes late: the start of the night after its last recompute
     * ({@code cohort_date + K + 1}, UTC).
     *
     * @param cohortDate the cohort's date column
     * @return a timestamp column
     */
    public Column lateFrom(Column cohortDate) {
        return date_add(cohortDate, lookbackDays + 1).cast("timestamp");
    }

    /** A short description for logs and the run summary. */
    @Override
    public String toString() {
        return full
                ? "full" + (runDate == null ? "" : " through " + runDate)
                : "nightly " + runDate + ", cohorts " + first() + " to " + runDate;
    }
}
