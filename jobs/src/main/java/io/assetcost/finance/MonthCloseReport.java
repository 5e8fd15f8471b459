package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_COST_USD;
import static io.assetcost.schema.Cols.BILLED_TOKENS;
import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.COMPUTED_COST_USD;
import static io.assetcost.schema.Cols.COMPUTED_TOKENS;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOKEN_STATUS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.ops.OutputLayout;
import io.assetcost.schema.OutputTable;
import io.assetcost.view.Charts;
import io.assetcost.view.Page;
import io.assetcost.view.Page.Cell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code month_close.html}: the month close as one self-contained page for the finance reviewer (README, "The
 * month-close report"), read from the tables as published: the headline (computed, billed, the difference,
 * billed line items that are no image model, the FOCUS export's BilledCost, unpriced and quarantined records),
 * computed against billed spend per day, the statuses with their counts and amounts, the month per model and
 * meter, the unmatched line items, the unpriced usage, the logging gaps (with {@code --usage-api}) and the FOCUS
 * export's totals. Money is USD, summed exactly and shown to the cent, the exact value in each cell's
 * {@code data-value}. Charts are drawn by {@link Charts}, the page by {@link Page}.
 */
final class MonthCloseReport {

    private static final String NONE = "(none)";

    private final SparkSession spark;
    private final OutputLayout out;
    /** Where the tables are published, for the page's subtitle (the page is drawn from them as staged). */
    private final String published;

    private MonthCloseReport(SparkSession spark, OutputLayout out, String published) {
        this.spark = spark;
        this.out = out;
        this.published = published;
    }

    /**
     * Writes {@code month_close.html} beside the month close's tables, from those tables: the run draws it
     * from its staged tables into its staging directory, so that it is published with them
     * ({@link io.assetcost.ops.Publisher#publishWhole}).
     *
     * @param spark the session
     * @param out where the tables are read and the page is written (the run's staging layout)
     * @param published the output directory the tables are published to, named on the page
     * @param month the billing month
     * @param focusVersion the FOCUS version of focus_costs ({@code 1.4}, {@code 1.3} or {@code 1.2})
     * @param runLine one line about the run (invariants, exit code) for the page's footer
     * @throws UncheckedIOException when a table cannot be read or the page cannot be written
     */
    static void write(
            SparkSession spark,
            OutputLayout out,
            String published,
            YearMonth month,
            String focusVersion,
            String runLine) {
        new MonthCloseReport(spark, out, published).render(month, focusVersion, runLine);
    }

    private Dataset<Row> table(OutputTable t) {
        return spark.read().parquet(out.table(t).toString());
    }

    private boolean exists(OutputTable t) {
        Path p = out.table(t);
        try {
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    private void render(YearMonth month, String focusVersion, String runLine) {
        Dataset<Row> reconciliation = table(OutputTable.COST_RECONCILIATION);
        Dataset<Row> days = reconciliation.filter(col(GRAIN).equalTo("day"));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Image generation: month close " + month);
        model.put(
                "subtitle",
                "Spend computed from the usage logs against the provider's bill, billing month " + month
                        + " (UTC); tables in " + published);
        model.put("month", month.toString());
        model.put("periodTitle", "The month at a glance");
        model.put(
                "periodNote",
                "Money in USD, exact in the tables and rounded to the cent here. Billed: the Costs API's results for"
                        + " image-model line items.");
        model.put("headline", headline(days, focusVersion));
        List<Page.Section> sections = new ArrayList<>();
        sections.add(daily(days));
        sections.add(statuses(reconciliation));
        sections.add(meters());
        sections.add(unmatched());
        sections.add(unpriced());
        if (exists(OutputTable.LOG_COVERAGE)) {
            sections.add(coverage());
        }
        sections.add(focus(focusVersion));
        model.put("sections", sections);
        model.put(
                "footer",
                "assetcost-reconcile " + runLine + ". Charts: JFreeChart; every chart's numbers are in the table"
                        + " under it.");
        Page.write(
                spark.sparkContext().hadoopConfiguration(), out.monthCloseReport(), Page.render("month-close", model));
    }

    /**
     * One headline figure.
     *
     * @param metric its id ({@code data-metric})
     * @param label its label
     * @param value shown
     * @param exact exact, for the page check
     * @param note a line under it
     */
    record Headline(String metric, String label, String value, String exact, String note) {

        static Headline usd(String metric, String label, BigDecimal usd, String note) {
            return new Headline(metric, label, Page.dollars(usd), usd.toPlainString(), note);
        }

        static Headline count(String metric, String label, long n, String note) {
            return new Headline(metric, label, String.format(java.util.Locale.ROOT, "%,d", n), Long.toString(n), note);
        }
    }

    private List<Headline> headline(Dataset<Row> days, String focusVersion) {
        Row r = days.agg(
                        sum(COMPUTED_COST_USD),
                        sum(BILLED_COST_USD),
                        count(lit(1)),
                        count(org.apache.spark.sql.functions.when(col(STATUS).equalTo("match"), 1)))
                .first();
        BigDecimal computed = money(r, 0);
        BigDecimal billed = money(r, 1);
        Row unmatched = table(OutputTable.UNMATCHED_LINE_ITEMS)
                .agg(sum(AMOUNT_USD), count(lit(1)))
                .first();
        Row focus = table(OutputTable.FOCUS_COSTS)
                .agg(sum("BilledCost"), count(lit(1)))
                .first();
        Row unpriced = table(OutputTable.UNPRICED_USAGE).agg(sum("records")).first();
        long quarantined = table(OutputTable.QUARANTINE).count();
        return List.of(
                Headline.usd("computed_cost_usd", "Computed from the logs", computed, "request_costs of the month"),
                Headline.usd("billed_cost_usd", "Billed, image models", billed, "Costs API, mapped line items"),
                Headline.usd(
                        "difference_usd",
                        "Computed minus billed",
                        computed.subtract(billed),
                        r.getLong(3) + " of " + r.getLong(2) + " project days match"),
                Headline.usd(
                        "billed_unmatched_usd",
                        "Billed, no image model",
                        money(unmatched, 0),
                        "unmatched line items: " + unmatched.getLong(1)),
                Headline.usd(
                        "focus_billed_cost_usd",
                        "FOCUS BilledCost",
                        money(focus, 0),
                        "FOCUS " + focusVersion + ", rows: " + focus.getLong(1)),
                Headline.count(
                        "unpriced_records",
                        "Unpriced usage records",
                        unpriced.isNullAt(0) ? 0 : unpriced.getLong(0),
                        "quarantined by the cost job, not in the computed spend"),
                Headline.count(
                        "quarantined_records", "Quarantined API results", quarantined, "Costs and Usage API pages"));
    }

    private static BigDecimal money(Row r, int i) {
        return r.isNullAt(i) ? BigDecimal.ZERO.setScale(12) : r.getDecimal(i);
    }

    private Page.Section daily(Dataset<Row> days) {
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("computed", new TreeMap<>());
        series.put("billed", new TreeMap<>());
        Map<String, String> offDays = new TreeMap<>();
        for (Row r : days.filter(col(STATUS).notEqual("match"))
                .orderBy(USAGE_DATE, PROJECT_ID)
                .select(col(USAGE_DATE).cast("string"), coalesce(col(PROJECT_ID), lit(NONE)), col(STATUS))
                .collectAsList()) {
            offDays.merge(r.getString(0), r.getString(1) + " " + r.getString(2), (a, b) -> a + ", " + b);
        }
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : days.groupBy(col(USAGE_DATE).cast("string"))
                .agg(sum(COMPUTED_COST_USD), sum(BILLED_COST_USD))
                .orderBy(col(USAGE_DATE).cast("string"))
                .collectAsList()) {
            BigDecimal computed = money(r, 1);
            BigDecimal billed = money(r, 2);
            series.get("computed").put(r.getString(0), computed);
            series.get("billed").put(r.getString(0), billed);
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.usd(computed),
                    Cell.usd(billed),
                    Cell.usd(computed.subtract(billed)),
                    Cell.text(offDays.getOrDefault(r.getString(0), "all match"))));
        }
        String svg = Charts.bars(
                "Computed and billed spend per day",
                "Usage date (UTC)",
                "USD",
                new Charts.Data(series, List.copyOf(series.get("computed").keySet())),
                List.of());
        return new Page.Section(
                "daily",
                "Computed against billed, per day",
                "Every project's image-model spend of the day: computed from the usage logs at the rate card's prices,"
                        + " and as billed. Days where a project is off by more than the tolerance are named.",
                List.of(svg),
                new Page.Table(
                        "Computed and billed spend per usage date, USD",
                        List.of("Usage date", "Computed", "Billed", "Difference", "Projects off"),
                        table));
    }

    private Page.Section statuses(Dataset<Row> reconciliation) {
        Dataset<Row> projectRows = reconciliation.withColumn("level", concat_ws(" ", lit("project"), col(GRAIN)));
        Dataset<Row> meterRows =
                table(OutputTable.METER_RECONCILIATION).withColumn("level", concat_ws(" ", lit("meter"), col(GRAIN)));
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("computed", new TreeMap<>());
        series.put("billed", new TreeMap<>());
        List<List<Cell>> table = new ArrayList<>();
        for (Dataset<Row> rows : List.of(projectRows, meterRows)) {
            for (Row r : rows.groupBy(col("level"), col(STATUS))
                    .agg(count(lit(1)), sum(COMPUTED_COST_USD), sum(BILLED_COST_USD))
                    .orderBy(col("level").desc(), col(STATUS))
                    .collectAsList()) {
                BigDecimal computed = money(r, 3);
                BigDecimal billed = money(r, 4);
                if (r.getString(0).equals("project day")) {
                    series.get("computed").put(r.getString(1), computed);
                    series.get("billed").put(r.getString(1), billed);
                }
                table.add(List.of(
                        Cell.text(r.getString(0)),
                        Cell.text(r.getString(1)),
                        Cell.count(r.getLong(2)),
                        Cell.usd(computed),
                        Cell.usd(billed),
                        Cell.usd(computed.subtract(billed))));
            }
        }
        String svg = Charts.bars(
                "Project days by status: computed and billed",
                "Status",
                "USD",
                new Charts.Data(series, List.copyOf(series.get("computed").keySet())),
                List.of());
        return new Page.Section(
                "statuses",
                "Statuses, with their counts and amounts",
                "match: within the tolerance; over: computed above billed; under: computed below billed; only_computed"
                        + " and only_billed: one side has nothing. Per project and day or month, and per model and"
                        + " meter.",
                List.of(svg),
                new Page.Table(
                        "Rows of cost_reconciliation (project) and meter_reconciliation (meter) by status, USD",
                        List.of("Rows", "Status", "Count", "Computed", "Billed", "Difference"),
                        table));
    }

    private Page.Section meters() {
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("computed", new TreeMap<>());
        series.put("billed", new TreeMap<>());
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : table(OutputTable.METER_RECONCILIATION)
                .filter(col(GRAIN).equalTo("month"))
                .orderBy(col(MODEL), col(METER), col(PROJECT_ID))
                .select(
                        coalesce(col(PROJECT_ID), lit(NONE)),
                        col(MODEL),
                        coalesce(col(METER), lit(NONE)),
                        col(COMPUTED_COST_USD),
                        col(BILLED_COST_USD),
                        col(STATUS),
                        col(COMPUTED_TOKENS),
                        col(BILLED_TOKENS),
                        col(TOKEN_STATUS))
                .collectAsList()) {
            String meter = r.getString(1) + " " + r.getString(2);
            series.get("computed").merge(meter, money(r, 3), BigDecimal::add);
            series.get("billed").merge(meter, money(r, 4), BigDecimal::add);
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.text(r.getString(1)),
                    Cell.text(r.getString(2)),
                    Cell.usd(money(r, 3)),
                    Cell.usd(money(r, 4)),
                    Cell.text(r.getString(5)),
                    Cell.count(r.isNullAt(6) ? 0 : r.getLong(6)),
                    Cell.quantity(r.isNullAt(7) ? null : r.getDecimal(7), 0),
                    Cell.text(r.getString(8))));
        }
        String svg = Charts.bars(
                "The month per model and meter: computed and billed",
                "Model and meter",
                "USD",
                new Charts.Data(series, List.copyOf(series.get("computed").keySet())),
                List.of());
        return new Page.Section(
                "meters",
                "The month per model and meter",
                "The bill's own grain: each project's month per model and meter, in dollars and in tokens.",
                List.of(svg),
                new Page.Table(
                        "Month rows of meter_reconciliation, USD and tokens",
                        List.of(
                                "Project",
                                "Model",
                                "Meter",
                                "Computed",
                                "Billed",
                                "Status",
                                "Computed tokens",
                                "Billed tokens",
                                "Token status"),
                        table));
    }

    private Page.Section unmatched() {
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : table(OutputTable.UNMATCHED_LINE_ITEMS)
                .orderBy(col(AMOUNT_USD).desc(), col(LINE_ITEM), col(PROJECT_ID))
                .select(col(LINE_ITEM), coalesce(col(PROJECT_ID), lit(NONE)), col("days"), col(AMOUNT_USD))
                .collectAsList()) {
            table.add(Cell.of(r));
        }
        return new Page.Section(
                "unmatched",
                "Billed line items that are no image model",
                "On the bill, not in the reconciliation: other models and products of the same organization. They"
                        + " are in the FOCUS export's BilledCost.",
                List.of(),
                new Page.Table("unmatched_line_items, USD", List.of("Line item", "Project", "Days", "Amount"), table));
    }

    private Page.Section unpriced() {
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : table(OutputTable.UNPRICED_USAGE)
                .orderBy(col(BILLING_MONTH), col(REASON))
                .select(
                        coalesce(col(BILLING_MONTH), lit("unknown")),
                        col(REASON),
                        col("records"),
                        col("records_with_tokens"),
                        col("input_tokens"),
                        col("output_tokens"))
                .collectAsList()) {
            table.add(Cell.of(r));
        }
        return new Page.Section(
                "unpriced",
                "Usage the cost job could not price",
                "Usage records the cost job quarantined, by reason: the tokens they name are billed but not in the"
                        + " computed spend. Month unknown: the record's time could not be read.",
                List.of(),
                new Page.Table(
                        "unpriced_usage",
                        List.of("Month", "Reason", "Records", "With tokens", "Input tokens", "Output tokens"),
                        table));
    }

    private Page.Section coverage() {
        Dataset<Row> rows = table(OutputTable.LOG_COVERAGE);
        List<String> byStatus = new ArrayList<>();
        for (Row r : rows.groupBy(STATUS).count().orderBy(STATUS).collectAsList()) {
            byStatus.add(r.getString(0) + " " + r.getLong(1));
        }
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : rows.filter(col(STATUS).notEqual("complete"))
                .orderBy(col(USAGE_DATE), col(PROJECT_ID), col(MODEL))
                .select(
                        col(USAGE_DATE).cast("string"),
                        coalesce(col(PROJECT_ID), lit(NONE)),
                        col(MODEL),
                        coalesce(col("source"), lit(NONE)),
                        col("logged_requests"),
                        col("quarantined_requests"),
                        col("api_requests"),
                        col("request_coverage_pct"),
                        col(STATUS))
                .collectAsList()) {
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.text(r.getString(1)),
                    Cell.text(r.getString(2)),
                    Cell.text(r.getString(3)),
                    Cell.count(r.getLong(4)),
                    Cell.count(r.getLong(5)),
                    Cell.count(r.getLong(6)),
                    r.isNullAt(7) ? Cell.text("") : Cell.ratio(r.getDecimal(7), 1),
                    Cell.text(r.getString(8))));
        }
        return new Page.Section(
                "coverage",
                "Were all requests logged?",
                "Requests in the usage logs against the Usage API's counts, per day, project, model and endpoint."
                        + " Rows by status: " + String.join(", ", byStatus) + "; the rows that are not complete:",
                List.of(),
                new Page.Table(
                        "log_coverage rows that are not complete",
                        List.of(
                                "Usage date",
                                "Project",
                                "Model",
                                "Endpoint",
                                "Logged",
                                "Quarantined",
                                "Usage API",
                                "Coverage %",
                                "Status"),
                        table));
    }

    private Page.Section focus(String focusVersion) {
        Column project = coalesce(col("SubAccountId"), lit(NONE));
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("BilledCost", new TreeMap<>());
        series.put("x_ComputedCost", new TreeMap<>());
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : table(OutputTable.FOCUS_COSTS)
                .groupBy(project.as("project"), col("ChargeCategory"))
                .agg(count(lit(1)), sum("BilledCost"), sum("EffectiveCost"), sum("ListCost"), sum("x_ComputedCost"))
                .orderBy("project", "ChargeCategory")
                .collectAsList()) {
            series.get("BilledCost").merge(r.getString(0), money(r, 3), BigDecimal::add);
            series.get("x_ComputedCost").merge(r.getString(0), money(r, 6), BigDecimal::add);
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.text(r.getString(1)),
                    Cell.count(r.getLong(2)),
                    Cell.usd(money(r, 3)),
                    Cell.usd(money(r, 4)),
                    Cell.usd(money(r, 5)),
                    Cell.usd(money(r, 6))));
        }
        if (!table.isEmpty()) {
            table.add(totalRow(table));
        }
        String svg = Charts.bars(
                "FOCUS export per sub-account: billed and computed",
                "SubAccountId (project)",
                "USD",
                new Charts.Data(series, List.copyOf(series.get("BilledCost").keySet())),
                List.of());
        return new Page.Section(
                "focus",
                "The FOCUS " + focusVersion + " export's totals",
                "focus_costs as a FinOps tool loads it: BilledCost adds up to the bill, x_ComputedCost to the spend"
                        + " computed from the logs.",
                List.of(svg),
                new Page.Table(
                        "focus_costs per SubAccountId and ChargeCategory, USD",
                        List.of(
                                "SubAccountId",
                                "ChargeCategory",
                                "Rows",
                                "BilledCost",
                                "EffectiveCost",
                                "ListCost",
                                "x_ComputedCost"),
                        table));
    }

    /** The total of a table's money columns, exact, as its last row. */
    private static List<Cell> totalRow(List<List<Cell>> rows) {
        List<Cell> total = new ArrayList<>(List.of(Cell.text("Total"), Cell.text("")));
        int columns = rows.isEmpty() ? 0 : rows.get(0).size();
        for (int c = 2; c < columns; c++) {
            BigDecimal sum = BigDecimal.ZERO;
            for (List<Cell> row : rows) {
                sum = sum.add(
                        row.get(c).exact() == null
                                ? BigDecimal.ZERO
                                : new BigDecimal(row.get(c).exact()));
            }
            total.add(c == 2 ? Cell.count(sum.longValueExact()) : Cell.usd(sum));
        }
        return total;
    }
}
