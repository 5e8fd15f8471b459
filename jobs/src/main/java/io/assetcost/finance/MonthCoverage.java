package io.assetcost.finance;

import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.GRAIN_DAY;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;

import java.time.LocalDate;
import java.time.YearMonth;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How much of the billing month a close has data for: the last UTC day with usage (request_costs) or a billed
 * cost (Costs API) in the month, read from cost_reconciliation's day rows, which hold both sides. A month closed
 * before it has ended (the sample's data stops on 2026-11-15) is incomplete: {@code month_close.html} opens with a
 * banner and {@code reconcile_summary.json} says so under {@code month_coverage} (README, "The month-close
 * report"). The close itself is still exact for the days it has.
 *
 * @param month the billing month (UTC)
 * @param dataThrough the last day of the month with usage or a billed cost; null when the month has neither
 * @param daysWithData how many days of the month have usage or a billed cost
 */
record MonthCoverage(YearMonth month, LocalDate dataThrough, long daysWithData) {

    /**
     * The coverage of a month's reconciliation.
     *
     * @param costReconciliation rows of cost_reconciliation (its day rows are read: grain, usage_date)
     * @param month the billing month
     * @return the month's coverage
     */
    static MonthCoverage of(Dataset<Row> costReconciliation, YearMonth month) {
        Row r = costReconciliation
                .filter(col(GRAIN).equalTo(GRAIN_DAY))
                .agg(max(USAGE_DATE).as("through"), countDistinct(USAGE_DATE).as("days"))
                .first();
        Object through = r.getAs("through");
        LocalDate last = through instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) through;
        return new MonthCoverage(month, last, r.<Long>getAs("days"));
    }

    /** Whether the data reaches the month's last day. */
    boolean complete() {
        return dataThrough != null && !dataThrough.isBefore(month.atEndOfMonth());
    }

    /** {@code month_coverage} of the close's summary ({@link ReconcileSummary.Coverage}). */
    ReconcileSummary.Coverage summary() {
        return new ReconcileSummary.Coverage(
                complete(),
                dataThrough == null ? null : dataThrough.toString(),
                month.atEndOfMonth().toString(),
                daysWithData,
                month.lengthOfMonth());
    }

    /** The page's banner: empty for a complete month, else what is missing and what to do. */
    String banner() {
        if (complete()) {
            return "";
        }
        if (dataThrough == null) {
            return "Incomplete month: no usage and no billed cost in " + month + " yet. Close the month again"
                    + " once its logs and bill are in.";
        }
        return "Incomplete month: data through " + dataThrough + ". " + daysWithData + " of the month's "
                + month.lengthOfMonth() + " days have usage or a billed cost; " + dataThrough.plusDays(1) + " to "
                + month.atEndOfMonth() + " are in no figure on this page. Close the month again once it has"
                + " ended and the bill is final.";
    }
}
