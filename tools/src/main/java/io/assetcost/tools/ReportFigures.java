package io.assetcost.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Checks the headline figures a report page shows, as read from the rendered page by
 * {@code scripts/browser/check-report.mjs}, against the published Parquet tables, recomputed here
 * independently with Spark SQL (not with the code that wrote the page). Used by {@code scripts/check-reports.sh}.
 * On report.html that includes the headline's definitions: the pending assets and their cost, and the
 * mature-cohort comparison by the maturity rule the page states ({@code data-mature-*} on its headline).
 *
 * <p>The month close's incomplete-month banner is a figure too ({@code data_through}: the last usage date of
 * cost_reconciliation's day rows, when it is before the billing month's last day; no banner otherwise).
 *
 * <p>Usage: {@code ReportFigures FIGURES.json TABLES_DIR cost|month-close}; exits 0 when every figure agrees to
 * the last decimal, 1 with one line per difference.
 */
public final class ReportFigures {

    private ReportFigures() {}

    /**
     * Compares.
     *
     * @param args the figures file, the tables directory, the kind of report
     * @throws IOException when the figures cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ReportFigures FIGURES.json TABLES_DIR cost|month-close");
            System.exit(2);
        }
        JsonNode page = new ObjectMapper().readTree(new File(args[0]));
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .appName("report-figures")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
                .getOrCreate();
        Map<String, String> expected;
        try {
            expected = args[2].equals("cost") ? cost(spark, args[1], page.path("period")) : monthClose(spark, args[1]);
        } finally {
            spark.stop();
        }
        System.exit(compare(args[0], page, expected) == 0 ? 0 : 1);
    }

    /**
     * Compares a page's figures with the ones recomputed from the tables, one line on stderr per difference
     * and a verdict on stdout: a figure the page shows empty must be expected null, a number equals its
     * recomputation as a decimal (any scale), other text exactly, and every expected figure must be on the page.
     * Shared with {@link ForecastFigures}.
     *
     * @param report the page, for the messages
     * @param page the figures read from the rendered page ({@code figures}: metric and value)
     * @param expected metric to its recomputed value (null: the page must show it empty)
     * @return the number of differences
     */
    static int compare(String report, JsonNode page, Map<String, String> expected) {
        Map<String, String> left = new LinkedHashMap<>(expected);
        int differences = 0;
        for (JsonNode f : page.path("figures")) {
            String metric = f.path("metric").asText();
            if (!left.containsKey(metric)) {
                continue;
            }
            String want = left.remove(metric);
            String shown = f.path("value").asText();
            boolean agree = want == null || shown.isEmpty() ? want == null && shown.isEmpty() : same(want, shown);
            if (!agree) {
                System.err.println(report + ": " + metric + " shows '" + shown + "', the tables give " + want);
                differences++;
            }
        }
        for (String missing : left.keySet()) {
            System.err.println(report + ": the page shows no " + missing);
            differences++;
        }
        System.out.println(
                differences == 0
                        ? report + ": every headline figure agrees with the tables"
                        : differences + " differences");
        return differences;
    }

    private static Map<String, String> cost(SparkSession spark, String dir, JsonNode period) {
        spark.read().parquet(dir + "/asset_costs").createOrReplaceTempView("asset_costs");
        spark.read().parquet(dir + "/quarantine").createOrReplaceTempView("quarantine");
        Row r = spark.sql("SELECT sum(total_cost_usd), count_if(status = 'approved'),"
                        + " sum(CASE WHEN status <> 'pending' THEN total_cost_usd END), sum(waste_cost_usd),"
                        + " sum(cache_savings_usd) FROM asset_costs WHERE cohort_date BETWEEN DATE '"
                        + period.path("from").asText() + "' AND DATE '"
                        + period.path("to").asText() + "'")
                .first();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spend_usd", r.getDecimal(0).toPlainString());
        m.put("assets_approved", Long.toString(r.getLong(1)));
        m.put("cost_per_approved_asset_usd", ratio(r.getDecimal(2), BigDecimal.valueOf(r.getLong(1))));
        m.put("waste_share", ratio(r.getDecimal(3), r.getDecimal(2)));
        m.put("cache_savings_usd", r.getDecimal(4).toPlainString());
        m.put(
                "quarantined_records",
                Long.toString(
                        spark.sql("SELECT count(*) FROM quarantine").first().getLong(0)));
        Row p = spark.sql("SELECT count_if(status = 'pending'), coalesce(sum(pending_cost_usd), 0) FROM asset_costs"
                        + " WHERE cohort_date BETWEEN DATE '"
                        + period.path("from").asText() + "' AND DATE '"
                        + period.path("to").asText() + "'")
                .first();
        m.put("pending_assets", Long.toString(p.getLong(0)));
        m.put("pending_cost_usd", p.getDecimal(1).toPlainString());
        if (period.has("maturePendingShare")) {
            m.putAll(matureComparison(spark, period));
        }
        return m;
    }

    /**
     * The headline's like-with-like comparison (README, "The report"), recomputed in SQL: a cohort day is mature
     * when its pending assets are under the share of its assets, or when it lies the given days or more before the
     * period's last day; the days compared are the period's mature days whose day a week before is mature or
     * empty, against those days a week before. Sums over those days, ratios as sums divided.
     */
    private static Map<String, String> matureComparison(SparkSession spark, JsonNode period) {
        String from = "DATE '" + period.path("from").asText() + "'";
        String to = "DATE '" + period.path("to").asText() + "'";
        spark.sql("SELECT cohort_date, (count_if(status = 'pending') < "
                        + period.path("maturePendingShare").asText()
                        + " * count(*) OR datediff(" + to + ", cohort_date) >= "
                        + period.path("matureAfterDays").asText() + ") AS mature FROM asset_costs"
                        + " WHERE cohort_date BETWEEN date_sub(" + from + ", 7) AND " + to + " GROUP BY cohort_date")
                .createOrReplaceTempView("maturity");
        spark.sql("SELECT d.cohort_date FROM maturity d LEFT JOIN maturity w"
                        + " ON w.cohort_date = date_sub(d.cohort_date, 7)"
                        + " WHERE d.cohort_date >= " + from + " AND d.mature AND coalesce(w.mature, true)")
                .createOrReplaceTempView("compared");
        long days = spark.sql("SELECT count(*) FROM compared").first().getLong(0);
        long before = spark.sql("SELECT count(*) FROM asset_costs WHERE cohort_date BETWEEN date_sub(" + from
                        + ", 7) AND date_sub(" + from + ", 1)")
                .first()
                .getLong(0);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mature_cohort_days", Long.toString(before == 0 ? 0 : days));
        if (days == 0 || before == 0) {
            return m;
        }
        String sums = "SELECT coalesce(sum(total_cost_usd), 0), count_if(status = 'approved'),"
                + " coalesce(sum(CASE WHEN status <> 'pending' THEN total_cost_usd END), 0),"
                + " coalesce(sum(waste_cost_usd), 0), coalesce(sum(cache_savings_usd), 0) FROM asset_costs a";
        put(
                m,
                "mature_",
                spark.sql(sums + " JOIN compared c ON a.cohort_date = c.cohort_date")
                        .first());
        put(
                m,
                "previous_mature_",
                spark.sql(sums + " JOIN compared c ON a.cohort_date = date_sub(c.cohort_date, 7)")
                        .first());
        return m;
    }

    private static void put(Map<String, String> m, String prefix, Row r) {
        m.put(prefix + "spend_usd", r.getDecimal(0).toPlainString());
        m.put(prefix + "assets_approved", Long.toString(r.getLong(1)));
        m.put(prefix + "cost_per_approved_asset_usd", ratio(r.getDecimal(2), BigDecimal.valueOf(r.getLong(1))));
        m.put(prefix + "waste_share", ratio(r.getDecimal(3), r.getDecimal(2)));
        m.put(prefix + "cache_savings_usd", r.getDecimal(4).toPlainString());
    }

    private static Map<String, String> monthClose(SparkSession spark, String dir) {
        spark.read().parquet(dir + "/cost_reconciliation").createOrReplaceTempView("reconciliation");
        Row r = spark.sql("SELECT sum(computed_cost_usd), sum(billed_cost_usd), count(*) FROM reconciliation"
                        + " WHERE grain = 'day'")
                .first();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("computed_cost_usd", r.getDecimal(0).toPlainString());
        m.put("billed_cost_usd", r.getDecimal(1).toPlainString());
        m.put("difference_usd", r.getDecimal(0).subtract(r.getDecimal(1)).toPlainString());
        // A month whose data stops before its last day carries a banner naming the last day with data.
        Row last = spark.sql("SELECT CAST(max(usage_date) AS STRING), max(billing_month) FROM reconciliation"
                        + " WHERE grain = 'day'")
                .first();
        if (last.isNullAt(0)
                || java.time.LocalDate.parse(last.getString(0))
                        .isBefore(java.time.YearMonth.parse(last.getString(1)).atEndOfMonth())) {
            m.put("data_through", last.isNullAt(0) ? null : last.getString(0));
        }
        m.put("billed_unmatched_usd", sumOf(spark, dir + "/unmatched_line_items", "amount_usd"));
        m.put("focus_billed_cost_usd", sumOf(spark, dir + "/focus_costs", "BilledCost"));
        m.put("unpriced_records", sumOf(spark, dir + "/unpriced_usage", "records"));
        m.put(
                "quarantined_records",
                Long.toString(spark.read().parquet(dir + "/quarantine").count()));
        return m;
    }

    /** A figure as shown against the tables': numbers by value, a date or a text as written. */
    private static boolean same(String want, String shown) {
        try {
            return new BigDecimal(shown).compareTo(new BigDecimal(want)) == 0;
        } catch (NumberFormatException e) {
            return shown.equals(want);
        }
    }

    /** The sum of a column of a Parquet table, 0 when it has no rows. */
    private static String sumOf(SparkSession spark, String table, String column) {
        spark.read().parquet(table).createOrReplaceTempView("t");
        Row r = spark.sql("SELECT coalesce(sum(" + column + "), 0) FROM t").first();
        return new BigDecimal(r.get(0).toString()).toPlainString();
    }

    private static String ratio(BigDecimal numerator, BigDecimal denominator) {
        return denominator == null || denominator.signum() == 0
                ? null
                : numerator.divide(denominator, 12, RoundingMode.HALF_EVEN).toPlainString();
    }
}
