package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_COST_USD;
import static io.assetcost.schema.Cols.COMPUTED_COST_USD;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_PCT;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.STATUS;
import static org.apache.spark.sql.functions.bround;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.ops.OutputLayout;
import io.assetcost.quality.Quarantine;
import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputCounts;
import io.assetcost.run.InputException;
import io.assetcost.run.Invariant;
import io.assetcost.run.Kept;
import io.assetcost.run.RunSummary;
import io.assetcost.run.SparkSettings;
import io.assetcost.run.Stages;
import io.assetcost.schema.OutputTable;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One month close, as named steps: read the cost job's tables and the Costs API pages, build
 * monthly_spend, unpriced_usage, cost_reconciliation, focus_costs and unmatched_line_items (with the billed
 * results in quarantine), write them (Parquet and one CSV each), check the invariants and write
 * {@code reconcile_summary.json}.
 *
 * <p>Rounding policy: every table keeps exact decimal(38,12) money. Only {@code cost_reconciliation.csv},
 * the report a reviewer reads, presents money and percentages rounded half-even to 2 places, and its month
 * rows are rounded after summing the exact day rows (sum-then-round), so a month total can differ by a cent
 * from the sum of the rounded days shown above it, never from the money.
 */
public final class ReconcilePipeline {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcilePipeline.class);

    /** Tables written, in order. */
    public static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.MONTH_CLOSE);

    private final SparkSession spark;
    private final Configuration conf;
    private final ReconcileOptions options;
    private final YearMonth month;
    private final OutputLayout out;
    private final Stages stages;
    private final Kept kept = new Kept(StorageLevel.MEMORY_AND_DISK());

    /**
     * Outcome of a run.
     *
     * @param exitCode 0 completed, 1 an invariant failed
     * @param summary the summary as written
     */
    public record RunResult(int exitCode, Map<String, Object> summary) {}

    /** Step 1: the inputs, checked before anything is written. */
    private record Inputs(
            LineItemMapping mapping,
            Dataset<Row> requestCosts,
            Dataset<Row> costQuarantine,
            Map<InputFiles.Kind, List<String>> costFiles) {}

    /**
     * Step 2: the month's tables.
     *
     * @param billed the billed results read
     * @param imageBills trusted billed results tied to an image model (model set)
     * @param tables every table to write
     */
    private record MonthTables(
            CostsReader.Result billed, Dataset<Row> imageBills, Map<OutputTable, Dataset<Row>> tables) {

        Dataset<Row> get(OutputTable table) {
            return tables.get(table);
        }
    }

    /**
     * Step 4: the invariants and the figures they compared.
     *
     * @param checks the results
     * @param computed the month's request costs, USD
     * @param billedImages the month's billed image-model costs, USD
     * @param billedResults how the billed results were accounted for
     */
    private record Checked(
            List<Invariant> checks, BigDecimal computed, BigDecimal billedImages, InputCounts billedResults) {}

    private ReconcilePipeline(SparkSession spark, ReconcileOptions options) {
        this.spark = spark;
        this.conf = spark.sparkContext().hadoopConfiguration();
        this.options = options;
        this.month = options.billingMonth();
        this.out = new OutputLayout(options.out);
        this.stages = new Stages(spark, "assetcost-reconcile");
    }

    /**
     * Runs the month close.
     *
     * @param spark the session
     * @param options validated options
     * @return exit code and summary
     * @throws InputException for an unusable input (before anything is written)
     */
    public static RunResult run(SparkSession spark, ReconcileOptions options) {
        Instant started = Instant.now();
        SparkSettings.apply(spark);
        ReconcilePipeline run = new ReconcilePipeline(spark, options);
        try (run.kept) {
            Inputs inputs = run.readInputs();
            MonthTables tables = run.build(inputs);
            run.write(tables);
            Checked checked = run.checkInvariants(inputs, tables);
            return run.summarise(started, inputs, tables, checked);
        }
    }

    /** Step 1: the line-item mapping, the cost job's tables and the Costs API files. */
    private Inputs readInputs() {
        LineItemMapping mapping = loadMapping(conf, options.lineItems);
        Map<InputFiles.Kind, List<String>> costFiles =
                InputFiles.list(conf, "--costs", options.costs, List.of(InputFiles.Kind.JSON_LINES));
        OutputLayout tables = new OutputLayout(options.tables);
        return new Inputs(
                mapping,
                costJobTable(tables, OutputTable.REQUEST_COSTS),
                costJobTable(tables, OutputTable.QUARANTINE),
                costFiles);
    }

    /** Step 2: read the bill and build every table of the month. */
    private MonthTables build(Inputs inputs) {
        stages.start("read billed costs");
        CostsReader.Result billed = CostsReader.read(spark, inputs.costFiles());
        stages.start("month close " + month);
        Dataset<Row> results =
                kept.keep(billed.results().withColumn(MODEL, inputs.mapping().modelOf(col(LINE_ITEM))));
        Dataset<Row> imageBills = results.filter(col(MODEL).isNotNull());
        Dataset<Row> requestCosts = inputs.requestCosts();
        Dataset<Row> meterRows = kept.keep(FinanceReports.meterRows(requestCosts, month));
        Map<OutputTable, Dataset<Row>> tables = new LinkedHashMap<>();
        tables.put(OutputTable.MONTHLY_SPEND, FinanceReports.monthlySpend(meterRows, month));
        tables.put(OutputTable.UNPRICED_USAGE, UnpricedUsage.of(inputs.costQuarantine(), month));
        tables.put(
                OutputTable.COST_RECONCILIATION,
                FinanceReports.reconcile(requestCosts, imageBills, month, options.toleranceUsd, options.tolerancePct));
        tables.put(
                OutputTable.FOCUS_COSTS,
                FinanceReports.focus(meterRows, month, options.billingAccountId, options.billingAccountName));
        tables.put(
                OutputTable.UNMATCHED_LINE_ITEMS,
                FinanceReports.unmatchedLineItems(results.filter(col(MODEL).isNull()), month));
        tables.put(
                OutputTable.QUARANTINE,
                OutputTable.QUARANTINE.conform(Quarantine.fromParseColumns(billed.quarantined(), Quarantine.COSTS)));
        tables.replaceAll((table, df) -> kept.keep(df));
        stages.done(tables.size(), "tables");
        return new MonthTables(billed, imageBills, tables);
    }

    /** Step 3: each table as Parquet and as one CSV file (the reconciliation's rounded to cents). */
    private void write(MonthTables month) {
        for (Map.Entry<OutputTable, Dataset<Row>> t : month.tables().entrySet()) {
            OutputTable table = t.getKey();
            stages.start("write " + table.tableName());
            OutputWriter.parquet(t.getValue(), new Path(out.root()), table);
            Dataset<Row> presented =
                    table == OutputTable.COST_RECONCILIATION ? presentCents(t.getValue()) : t.getValue();
            OutputWriter.csvReplacing(presented, table, conf, out.csv(table));
            stages.done(t.getValue().count(), "rows");
        }
    }

    /** Step 4: every table equals the month's request costs exactly; every billed result is accounted for. */
    private Checked checkInvariants(Inputs inputs, MonthTables tables) {
        stages.start("check invariants");
        BigDecimal computed = total(FinanceReports.inMonth(inputs.requestCosts(), month), col(COST_USD));
        Dataset<Row> dayRows =
                tables.get(OutputTable.COST_RECONCILIATION).filter(col(GRAIN).equalTo("day"));
        Dataset<Row> monthRows =
                tables.get(OutputTable.COST_RECONCILIATION).filter(col(GRAIN).equalTo("month"));
        List<Invariant> checks = new ArrayList<>();
        checks.add(Invariant.equal(
                "monthly_spend total = request_costs of the month",
                computed,
                total(tables.get(OutputTable.MONTHLY_SPEND), col(COST_USD))));
        checks.add(Invariant.equal(
                "focus_costs BilledCost total = request_costs of the month",
                computed,
                total(tables.get(OutputTable.FOCUS_COSTS), col("BilledCost"))));
        checks.add(Invariant.equal(
                "cost_reconciliation day rows computed = request_costs of the month",
                computed,
                total(dayRows, col(COMPUTED_COST_USD))));
        checks.add(Invariant.equal(
                "cost_reconciliation month rows = sum of their day rows (computed)",
                total(dayRows, col(COMPUTED_COST_USD)),
                total(monthRows, col(COMPUTED_COST_USD))));
        BigDecimal billedImages = total(FinanceReports.inMonth(tables.imageBills(), month), col(AMOUNT_USD));
        checks.add(Invariant.equal(
                "cost_reconciliation month rows = sum of their day rows (billed)",
                billedImages,
                total(monthRows, col(BILLED_COST_USD))));
        long badFocus = tables.get(OutputTable.FOCUS_COSTS)
                .filter(col("ListCost").notEqual(col("PricingQuantity").multiply(col("ListUnitPrice"))))
                .count();
        checks.add(new Invariant(
                "focus_costs ListCost = PricingQuantity x ListUnitPrice", badFocus == 0, badFocus + " rows differ"));
        InputCounts billed = billedCounts(tables);
        checks.add(Invariant.accounted("costs results", billed));
        stages.done(checks.size(), "checks");
        Invariant.logFailures(checks, LOG);
        return new Checked(checks, computed, billedImages, billed);
    }

    /** Step 5: the summary, written to {@code reconcile_summary.json}. */
    private RunResult summarise(Instant started, Inputs inputs, MonthTables tables, Checked checked) {
        int exitCode = Invariant.allPassed(checked.checks()) ? 0 : 1;
        BigDecimal computed = checked.computed();
        BigDecimal billedImages = checked.billedImages();
        Dataset<Row> reconciliation = tables.get(OutputTable.COST_RECONCILIATION);
        InputCounts counts = checked.billedResults();
        Map<String, Object> costs = new LinkedHashMap<>();
        costs.put("pages_read", tables.billed().pages());
        costs.put("results_read", counts.read());
        costs.put("results_used", counts.used());
        costs.put("quarantined", counts.quarantined());
        costs.put("quarantined_by_reason", RunSummary.countBy(tables.get(OutputTable.QUARANTINE), REASON));
        costs.put("overlapping_duplicates_dropped", counts.duplicates());
        costs.put(
                "unmatched_line_items",
                tables.get(OutputTable.UNMATCHED_LINE_ITEMS).count());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("computed_cost_usd", computed.toPlainString());
        totals.put("billed_image_cost_usd", billedImages.toPlainString());
        totals.put(
                "billed_unmatched_usd",
                total(tables.get(OutputTable.UNMATCHED_LINE_ITEMS), col(AMOUNT_USD))
                        .toPlainString());
        totals.put("difference_usd", computed.subtract(billedImages).toPlainString());
        RunSummary summary = new RunSummary("assetcost-reconcile", null, started)
                .put("billing_month", month.toString())
                .put("options", options(inputs.mapping()))
                .put("billed_costs", costs)
                .put("totals", totals)
                .put(
                        "status_counts",
                        Map.of(
                                "day",
                                        RunSummary.countBy(
                                                reconciliation.filter(col(GRAIN).equalTo("day")), STATUS),
                                "month",
                                        RunSummary.countBy(
                                                reconciliation.filter(col(GRAIN).equalTo("month")), STATUS)))
                .invariants(checked.checks());
        Map<String, Object> document = summary.finish(exitCode);
        summary.write(conf, out.reconcileSummary());
        LOG.info(
                "assetcost-reconcile {}: computed {} USD, billed {} USD; exit {}",
                month,
                computed.toPlainString(),
                billedImages.toPlainString(),
                exitCode);
        return new RunResult(exitCode, document);
    }

    private Map<String, Object> options(LineItemMapping mapping) {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("tables", options.tables);
        opts.put("costs", options.costs);
        opts.put("out", options.out);
        opts.put("tolerance_usd", options.toleranceUsd.toPlainString());
        opts.put("tolerance_pct", options.tolerancePct.toPlainString());
        opts.put("line_items", mapping.description());
        return opts;
    }

    /** Billed results read, used, quarantined and dropped as overlapping duplicates. */
    private static InputCounts billedCounts(MonthTables tables) {
        CostsReader.Result billed = tables.billed();
        return new InputCounts(
                billed.read().count(),
                0,
                0,
                billed.results().count(),
                tables.get(OutputTable.QUARANTINE).count(),
                billed.duplicatesDropped().count());
    }

    /**
     * The reconciliation as a reviewer reads it: money and percentages rounded half-even to 2 places
     * ({@code bround}), after every sum was made on exact values.
     *
     * @param reconciliation rows of cost_reconciliation
     * @return the same rows, money columns and difference_pct rounded to 2 places
     */
    public static Dataset<Row> presentCents(Dataset<Row> reconciliation) {
        List<Column> cols = new ArrayList<>();
        for (String c : reconciliation.columns()) {
            boolean money = c.endsWith("_usd") || c.equals(DIFFERENCE_PCT);
            cols.add(money ? bround(col(c), 2).as(c) : col(c));
        }
        return reconciliation.select(cols.toArray(new Column[0]));
    }

    /**
     * Loads the line item mapping: the embedded default, or a CSV file on any Hadoop file system.
     *
     * @param conf Hadoop configuration
     * @param location the mapping's path, or null for the embedded default
     * @return the mapping
     * @throws InputException when it cannot be read or has a bad row
     */
    public static LineItemMapping loadMapping(Configuration conf, String location) {
        return ConfigFiles.read(conf, "--line-items", location, LineItemMapping.DEFAULT, LineItemMapping::fromCsv);
    }

    /** A table of the cost job's output, read with its contract; exit 2 when the cost job has not run. */
    private Dataset<Row> costJobTable(OutputLayout tables, OutputTable table) {
        Path path = tables.table(table);
        try {
            if (!path.getFileSystem(conf).exists(path)) {
                throw new InputException("--tables " + tables.root() + " has no " + table.tableName()
                        + "/ table: run the cost job (scripts/run-local.sh) with --out " + tables.root() + " first");
            }
        } catch (IOException e) {
            throw new InputException("--tables " + tables.root() + " cannot be read: " + e.getMessage(), e);
        }
        return table.conform(spark.read().schema(table.sparkSchema()).parquet(path.toString()));
    }

    private static BigDecimal total(Dataset<Row> df, Column money) {
        Row r = df.agg(sum(money)).first();
        return r.isNullAt(0) ? BigDecimal.ZERO : r.getDecimal(0);
    }
}
