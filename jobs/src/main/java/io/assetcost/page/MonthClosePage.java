package io.assetcost.page;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.API_REQUESTS;
import static io.assetcost.schema.Cols.BILLED_COST_USD;
import static io.assetcost.schema.Cols.BILLED_TOKENS;
import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.COMPUTED_COST_USD;
import static io.assetcost.schema.Cols.COMPUTED_TOKENS;
import static io.assetcost.schema.Cols.DAYS;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.GRAIN_DAY;
import static io.assetcost.schema.Cols.GRAIN_MONTH;
import static io.assetcost.schema.Cols.INPUT_TOKENS;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.LOGGED_REQUESTS;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.OUTPUT_TOKENS;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.QUARANTINED_REQUESTS;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.RECORDS;
import static io.assetcost.schema.Cols.RECORDS_WITH_TOKENS;
import static io.assetcost.schema.Cols.REQUEST_COVERAGE_PCT;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOKEN_STATUS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.ops.OutputLayout;
import io.assetcost.ops.TableReader;
import io.assetcost.schema.FocusCols;
import io.assetcost.schema.OutputTable;
import io.assetcost.view.Charts;
import io.assetcost.view.Page;
import io.assetcost.view.Page.Cell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
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
 * {@code month_close.html}: the month close as one self-contained page for the finance reviewer, read from the
 * tables as published; what it shows, section by section, is in README, "The reports". Money is USD,
 * summed exactly and shown to the cent, the exact value in each cell's {@code data-value}. Rows are read by column
 * name ({@link io.assetcost.schema.Cols}), so a column added to a select moves no cell. Charts are drawn by
 * {@link Charts}, the page by {@link Page}.
 */
public final class MonthClosePage {

    private static final String NONE = "(none)";
    // The page's own aggregate columns: rows counted, rows that match, a row's level (project or meter, and grain).
    private static final String ROWS = "rows";
    private static final String MATCHING = "matching";
    private static final String LEVEL = "level";
    private static final String PROJECT_DAY = "project day";

    /** The rounding rule, said on the page beside the differences. */
    static final String ROUNDING = "Rounding: every amount is summed exactly in the tables (decimal(38,12)) and"
            + " rounded half-even to the cent only when shown here; a difference is the tables' difference_usd"
            + " (computed minus billed, exact), rounded once. So $2.09 computed beside $2.10 billed can show a"
            + " difference of $0.00 (e.g. 2.0949 - 2.0951 = -0.0002), and a difference of $0.01 can sit between"
            + " two figures that look equal. Each cell's exact value is in the tables and in its data-value.";

    /**
     * How much of the billing month the tables have data for (the month close's {@code MonthCoverage}, README,
     * "The reports").
     *
     * @param month the billing month (UTC)
     * @param dataThrough the last day of the month with usage or a billed cost; null when the month has neither
     * @param banner the page's banner: empty for a complete month, else what is missing and what to do
     */
    public record Coverage(YearMonth month, LocalDate dataThrough, String banner) {}

    private final SparkSession spark;
    private final OutputLayout out;
    private final OutputTable focusTable;

    private MonthClosePage(SparkSession spark, OutputLayout out, OutputTable focusTable) {
        this.spark = spark;
        this.out = out;
        this.focusTable = focusTable;
    }

    /**
     * Writes {@code month_close.html} beside the month close's tables, from those tables: the run draws it
     * from its staged tables into its staging directory, so that it is published with them
     * ({@link io.assetcost.ops.Publisher#publishWhole}).
     *
     * @param out where the tables are read and the page is written (the run's staging layout)
     * @param coverage how much of the month the tables have data for: an incomplete month gets a banner
     * @param focusTable the catalogue entry focus_costs was written as (its FOCUS version's contract)
     * @param focusVersion the FOCUS version of focus_costs ({@code 1.4}, {@code 1.3} or {@code 1.2})
     * @param runLine one line about the run (invariants, exit code) for the page's footer
     * @throws UncheckedIOException when a table cannot be read or the page cannot be written
     */
    public static void write(
            SparkSession spark,
            OutputLayout out,
            Coverage coverage,
            OutputTable focusTable,
            String focusVersion,
            String runLine) {
        new MonthClosePage(spark, out, focusTable).render(coverage, focusVersion, runLine);
    }

    private Dataset<Row> table(OutputTable t) {
        return TableReader.read(spark, out.table(t), t);
    }

    private boolean exists(OutputTable t) {
        Path p = out.table(t);
        try {
            return TableReader.exists(spark, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    private void render(Coverage coverage, String focusVersion, String runLine) {
        YearMonth month = coverage.month();
        Dataset<Row> reconciliation = table(OutputTable.COST_RECONCILIATION);
        Dataset<Row> days = reconciliation.filter(col(GRAIN).equalTo(GRAIN_DAY));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Image generation: month close " + month);
        model.put(
                "subtitle",
                "Spend computed from the usage logs against the provider's bill, billing month " + month
                        + " (UTC); the tables are beside this page");
        model.put("month", month.toString());
        model.put("banner", coverage.banner());
        model.put(
                "dataThrough",
                coverage.dataThrough() == null ? "" : coverage.dataThrough().toString());
        model.put("periodTitle", "The month at a glance");
        model.put(
                "periodNote",
                "Money in USD, exact in the tables and rounded to the cent here. Billed: the Costs API's results for"
                        + " image-model line items.");
        model.put("rounding", ROUNDING);
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

    private List<Headline> headline(Dataset<Row> days, String focusVersion) {
        Row r = days.agg(
                        sum(COMPUTED_COST_USD).as(COMPUTED_COST_USD),
                        sum(BILLED_COST_USD).as(BILLED_COST_USD),
                        count(lit(1)).as(ROWS),
                        count(when(col(STATUS).equalTo("match"), 1)).as(MATCHING))
                .first();
        BigDecimal computed = Rows.usd(r, COMPUTED_COST_USD);
        BigDecimal billed = Rows.usd(r, BILLED_COST_USD);
        Row unmatched = table(OutputTable.UNMATCHED_LINE_ITEMS)
                .agg(sum(AMOUNT_USD).as(AMOUNT_USD), count(lit(1)).as(ROWS))
                .first();
        Row focus = table(focusTable)
                .agg(
                        sum(FocusCols.BILLED_COST).as(FocusCols.BILLED_COST),
                        count(lit(1)).as(ROWS))
                .first();
        Row unpriced =
                table(OutputTable.UNPRICED_USAGE).agg(sum(RECORDS).as(RECORDS)).first();
        long quarantined = table(OutputTable.QUARANTINE).count();
        return List.of(
                Headline.usd("computed_cost_usd", "Computed from the logs", computed, "request_costs of the month"),
                Headline.usd("billed_cost_usd", "Billed, image models", billed, "Costs API, mapped line items"),
                Headline.usd(
                        "difference_usd",
                        "Computed minus billed",
                        computed.subtract(billed),
                        Rows.count(r, MATCHING) + " of " + Rows.count(r, ROWS) + " project days match"),
                Headline.usd(
                        "billed_unmatched_usd",
                        "Billed, no image model",
                        Rows.usd(unmatched, AMOUNT_USD),
                        "unmatched line items: " + Rows.count(unmatched, ROWS)),
                Headline.usd(
                        "focus_billed_cost_usd",
                        "FOCUS BilledCost",
                        Rows.usd(focus, FocusCols.BILLED_COST),
                        "FOCUS " + focusVersion + ", rows: " + Rows.count(focus, ROWS)),
                Headline.count(
                        "unpriced_records",
                        "Unpriced usage records",
                        Rows.count(unpriced, RECORDS),
                        "quarantined by the cost job, not in the computed spend"),
                Headline.count(
                        "quarantined_records", "Quarantined API results", quarantined, "Costs and Usage API pages"));
    }

    private static Map<String, Map<String, BigDecimal>> series(String... names) {
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        for (String name : names) {
            series.put(name, new TreeMap<>());
        }
        return series;
    }

    private Page.Section daily(Dataset<Row> days) {
        Map<String, Map<String, BigDecimal>> series = series("computed", "billed");
        Map<String, String> offDays = new TreeMap<>();
        for (Row r : days.filter(col(STATUS).notEqual("match"))
                .orderBy(USAGE_DATE, PROJECT_ID)
                .select(
                        col(USAGE_DATE).cast("string").as(USAGE_DATE),
                        coalesce(col(PROJECT_ID), lit(NONE)).as(PROJECT_ID),
                        col(STATUS))
                .collectAsList()) {
            offDays.merge(
                    Rows.text(r, USAGE_DATE),
                    Rows.text(r, PROJECT_ID) + " " + Rows.text(r, STATUS),
                    (a, b) -> a + ", " + b);
        }
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : days.groupBy(col(USAGE_DATE).cast("string").as(USAGE_DATE))
                .agg(
                        sum(COMPUTED_COST_USD).as(COMPUTED_COST_USD),
                        sum(BILLED_COST_USD).as(BILLED_COST_USD),
                        sum(DIFFERENCE_USD).as(DIFFERENCE_USD))
                .orderBy(USAGE_DATE)
                .collectAsList()) {
            String day = Rows.text(r, USAGE_DATE);
            series.get("computed").put(day, Rows.usd(r, COMPUTED_COST_USD));
            series.get("billed").put(day, Rows.usd(r, BILLED_COST_USD));
            table.add(List.of(
                    Cell.text(day),
                    Cell.usd(Rows.usd(r, COMPUTED_COST_USD)),
                    Cell.usd(Rows.usd(r, BILLED_COST_USD)),
                    Cell.usd(Rows.usd(r, DIFFERENCE_USD)),
                    Cell.text(offDays.getOrDefault(day, "all match"))));
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
                        + " and as billed. Days where a project is off by more than the tolerance are named. The"
                        + " difference is the exact one, rounded once (see Rounding above).",
                List.of(svg),
                new Page.Table(
                        "Computed and billed spend per usage date, USD",
                        List.of("Usage date", "Computed", "Billed", "Difference", "Projects off"),
                        table));
    }

    private Page.Section statuses(Dataset<Row> reconciliation) {
        Dataset<Row> projectRows = reconciliation.withColumn(LEVEL, concat_ws(" ", lit("project"), col(GRAIN)));
        Dataset<Row> meterRows =
                table(OutputTable.METER_RECONCILIATION).withColumn(LEVEL, concat_ws(" ", lit("meter"), col(GRAIN)));
        Map<String, Map<String, BigDecimal>> series = series("project days");
        List<List<Cell>> table = new ArrayList<>();
        for (Dataset<Row> rows : List.of(projectRows, meterRows)) {
            for (Row r : rows.groupBy(col(LEVEL), col(STATUS))
                    .agg(
                            count(lit(1)).as(ROWS),
                            sum(COMPUTED_COST_USD).as(COMPUTED_COST_USD),
                            sum(BILLED_COST_USD).as(BILLED_COST_USD),
                            sum(DIFFERENCE_USD).as(DIFFERENCE_USD))
                    .orderBy(col(LEVEL).desc(), col(STATUS))
                    .collectAsList()) {
                if (Rows.text(r, LEVEL).equals(PROJECT_DAY)) {
                    series.get("project days").put(Rows.text(r, STATUS), BigDecimal.valueOf(Rows.count(r, ROWS)));
                }
                table.add(List.of(
                        Cell.text(Rows.text(r, LEVEL)),
                        Cell.text(Rows.text(r, STATUS)),
                        Cell.count(Rows.count(r, ROWS)),
                        Cell.usd(Rows.usd(r, COMPUTED_COST_USD)),
                        Cell.usd(Rows.usd(r, BILLED_COST_USD)),
                        Cell.usd(Rows.usd(r, DIFFERENCE_USD))));
            }
        }
        // A count on a count axis: the amounts by status are in the table under it.
        String svg = Charts.countBars(
                "Project days by status",
                "Status",
                "Project days",
                new Charts.Data(series, List.copyOf(series.get("project days").keySet())));
        return new Page.Section(
                "statuses",
                "Statuses, with their counts and amounts",
                "match: within the tolerance; over: computed above billed; under: computed below billed; only_computed"
                        + " and only_billed: one side has nothing. Per project and day or month, and per model and"
                        + " meter. The chart counts project days; the table gives every level's count and amounts.",
                List.of(svg),
                new Page.Table(
                        "Rows of cost_reconciliation (project) and meter_reconciliation (meter) by status, USD",
                        List.of("Rows", "Status", "Count", "Computed", "Billed", "Difference"),
                        table));
    }

    private Page.Section meters() {
        Map<String, Map<String, BigDecimal>> series = series("computed", "billed");
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : table(OutputTable.METER_RECONCILIATION)
                .filter(col(GRAIN).equalTo(GRAIN_MONTH))
                .orderBy(col(MODEL), col(METER), col(PROJECT_ID))
                .withColumn(PROJECT_ID, coalesce(col(PROJECT_ID), lit(NONE)))
                .withColumn(METER, coalesce(col(METER), lit(NONE)))
                .collectAsList()) {
            String meter = Rows.text(r, MODEL) + " " + Rows.text(r, METER);
            series.get("computed").merge(meter, Rows.usd(r, COMPUTED_COST_USD), BigDecimal::add);
            series.get("billed").merge(meter, Rows.usd(r, BILLED_COST_USD), BigDecimal::add);
            table.add(List.of(
                    Cell.text(Rows.text(r, PROJECT_ID)),
                    Cell.text(Rows.text(r, MODEL)),
                    Cell.text(Rows.text(r, METER)),
                    Cell.usd(Rows.usd(r, COMPUTED_COST_USD)),
                    Cell.usd(Rows.usd(r, BILLED_COST_USD)),
                    Cell.text(Rows.text(r, STATUS)),
                    Cell.count(Rows.count(r, COMPUTED_TOKENS)),
                    Cell.quantity(Rows.decimal(r, BILLED_TOKENS), 0),
                    Cell.text(Rows.text(r, TOKEN_STATUS))));
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
                .withColumn(PROJECT_ID, coalesce(col(PROJECT_ID), lit(NONE)))
                .collectAsList()) {
            table.add(List.of(
                    Cell.text(Rows.text(r, LINE_ITEM)),
                    Cell.text(Rows.text(r, PROJECT_ID)),
                    Cell.count(Rows.count(r, DAYS)),
                    Cell.usd(Rows.usd(r, AMOUNT_USD))));
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
                .withColumn(BILLING_MONTH, coalesce(col(BILLING_MONTH), lit("unknown")))
                .collectAsList()) {
            table.add(List.of(
                    Cell.text(Rows.text(r, BILLING_MONTH)),
                    Cell.text(Rows.text(r, REASON)),
                    Cell.count(Rows.count(r, RECORDS)),
                    Cell.count(Rows.count(r, RECORDS_WITH_TOKENS)),
                    Cell.count(Rows.count(r, INPUT_TOKENS)),
                    Cell.count(Rows.count(r, OUTPUT_TOKENS))));
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
        for (Row r :
                rows.groupBy(STATUS).agg(count(lit(1)).as(ROWS)).orderBy(STATUS).collectAsList()) {
            byStatus.add(Rows.text(r, STATUS) + " " + Rows.count(r, ROWS));
        }
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : rows.filter(col(STATUS).notEqual("complete"))
                .orderBy(col(USAGE_DATE), col(PROJECT_ID), col(MODEL))
                .withColumn(USAGE_DATE, col(USAGE_DATE).cast("string"))
                .withColumn(PROJECT_ID, coalesce(col(PROJECT_ID), lit(NONE)))
                .withColumn(SOURCE, coalesce(col(SOURCE), lit(NONE)))
                .collectAsList()) {
            table.add(List.of(
                    Cell.text(Rows.text(r, USAGE_DATE)),
                    Cell.text(Rows.text(r, PROJECT_ID)),
                    Cell.text(Rows.text(r, MODEL)),
                    Cell.text(Rows.text(r, SOURCE)),
                    Cell.count(Rows.count(r, LOGGED_REQUESTS)),
                    Cell.count(Rows.count(r, QUARANTINED_REQUESTS)),
                    Cell.count(Rows.count(r, API_REQUESTS)),
                    Rows.decimal(r, REQUEST_COVERAGE_PCT) == null
                            ? Cell.text("")
                            : Cell.ratio(Rows.decimal(r, REQUEST_COVERAGE_PCT), 1),
                    Cell.text(Rows.text(r, STATUS))));
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
        Column project = coalesce(col(FocusCols.SUB_ACCOUNT_ID), lit(NONE));
        Map<String, Map<String, BigDecimal>> series = series(FocusCols.BILLED_COST, FocusCols.X_COMPUTED_COST);
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : table(focusTable)
                .groupBy(project.as(FocusCols.SUB_ACCOUNT_ID), col(FocusCols.CHARGE_CATEGORY))
                .agg(
                        count(lit(1)).as(ROWS),
                        sum(FocusCols.BILLED_COST).as(FocusCols.BILLED_COST),
                        sum(FocusCols.EFFECTIVE_COST).as(FocusCols.EFFECTIVE_COST),
                        sum(FocusCols.LIST_COST).as(FocusCols.LIST_COST),
                        sum(FocusCols.X_COMPUTED_COST).as(FocusCols.X_COMPUTED_COST))
                .orderBy(FocusCols.SUB_ACCOUNT_ID, FocusCols.CHARGE_CATEGORY)
                .collectAsList()) {
            String subAccount = Rows.text(r, FocusCols.SUB_ACCOUNT_ID);
            series.get(FocusCols.BILLED_COST).merge(subAccount, Rows.usd(r, FocusCols.BILLED_COST), BigDecimal::add);
            series.get(FocusCols.X_COMPUTED_COST)
                    .merge(subAccount, Rows.usd(r, FocusCols.X_COMPUTED_COST), BigDecimal::add);
            table.add(List.of(
                    Cell.text(subAccount),
                    Cell.text(Rows.text(r, FocusCols.CHARGE_CATEGORY)),
                    Cell.count(Rows.count(r, ROWS)),
                    Cell.usd(Rows.usd(r, FocusCols.BILLED_COST)),
                    Cell.usd(Rows.usd(r, FocusCols.EFFECTIVE_COST)),
                    Cell.usd(Rows.usd(r, FocusCols.LIST_COST)),
                    Cell.usd(Rows.usd(r, FocusCols.X_COMPUTED_COST))));
        }
        if (!table.isEmpty()) {
            table.add(totalRow(table));
        }
        String svg = Charts.bars(
                "FOCUS export per sub-account: billed and computed",
                "SubAccountId (project)",
                "USD",
                new Charts.Data(
                        series, List.copyOf(series.get(FocusCols.BILLED_COST).keySet())),
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
                                FocusCols.SUB_ACCOUNT_ID,
                                FocusCols.CHARGE_CATEGORY,
                                "Rows",
                                FocusCols.BILLED_COST,
                                FocusCols.EFFECTIVE_COST,
                                FocusCols.LIST_COST,
                                FocusCols.X_COMPUTED_COST),
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
