package io.assetcost.ops;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The cohorts a run recomputes. A nightly run for run date D with lookback K recomputes the cohorts and
 * usage dates {@code [D-K, D]} from usage created and decisions made before the end of D (UTC), and
 * replaces exactly those partitions. A full run recomputes everything from all inputs and replaces whole
 * tables.
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
    return runDate == null ? null : runDate.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** Whether a partition date is one this run replaces. */
  public boolean replaces(LocalDate day) {
    return full || (!day.isBefore(first()) && !day.isAfter(runDate));
  }

  /** Whether a day-laid-out input folder of this date must be read. */
  public boolean reads(LocalDate day) {
    return full ? runDate == null || !day.isAfter(runDate) : replaces(day);
  }

  /** A short description for logs and the run summary. */
  @Override
  public String toString() {
    return full ? "full" + (runDate == null ? "" : " through " + runDate)
        : "nightly " + runDate + ", cohorts " + first() + " to " + runDate;
  }
}
