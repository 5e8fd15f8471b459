package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_COST_USD;
import static io.assetcost.schema.Cols.COMPUTED_COST_USD;
import static io.assetcost.schema.Cols.COMPUTED_TOKENS;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_PCT;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.GRAIN_DAY;
import static io.assetcost.schema.Cols.GRAIN_MONTH;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.LOGGED_REQUESTS;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOKEN_STATUS;
import static org.apache.spark.sql.functions.bround;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.ops.LockTakenOver;
import io.assetcost.ops.OutputLayout;
import io.assetcost.ops.OutputLock;
import io.assetcost.ops.Publisher;
import io.assetcost.ops.TableReader;
import io.assetcost.page.MonthClosePage;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.Quarantine;
import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputCounts;
import io.assetcost.run.InputException;
import io.assetcost.run.Invariant;
import io.assetcost.run.Kept;
import io.assetcost.run.RunSummary;
import io.assetcost.run.SparkSettings;
import io.assetcost.run.Stages;
import io.assetcost.schema.FocusCols;
import io.assetcost.schema.OutputTable;
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
 * One month close, as named steps: read the cost job's tables, the Costs API pages and (optionally) the Usage
 * API pages, take the output's lock, build monthly_spend, unpriced_usage, cost_reconciliation,
 * meter_reconciliation, focus_costs (FOCUS 1.3, or 1.2), unmatched_line_items and log_coverage (with the
 * rejected API results in quarantine), stage them (Parquet and one CSV each), check the invariants, and only
 * when they all hold draw {@code month_close.html} and publish, then write {@code reconcile_summary.json}.
 *
 * <p>Stage, check, then publish, as the cost job does (docs/DESIGN.md, "Write, audit, publish"): every table,
 * its CSV file and the page are written under {@code DIR/_staging/<run id>/} ({@link OutputLayout#stagingLayout})
 * and swapped in together by one journalled publish ({@link Publisher#publishWhole}), under the output's lock
 * ({@link OutputLock}). A close that fails an invariant, fails in any other way, or is killed (even with
 * SIGKILL) leaves the close published before it whole: its tables, CSV files and page. The next run completes
 * a publish a killed run left half done ({@link Publisher#recover}) and clears its staging.
 *
 * <p>Rounding policy: every table keeps exact decimal(38,12) money. Only {@code cost_reconciliation.csv} and
 * {@code meter_reconciliation.csv}, the reports a reviewer reads, present money and percentages rounded
 * half-even to 2 places, and their month
 * rows are rounded after summing the exact day rows (sum-then-round), so a month total can differ by a cent
 * from the sum of the rounded days shown above it, never from the money.
 */
public final class ReconcilePipeline {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcilePipeline.class);

    /** Tables a run may write, in order (one of the two focus_costs entries, log_coverage with --usage-api). */
    public static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.MONTH_CLOSE);

    private final SparkSession spark;
    private final Configuration conf;
    private final ReconcileOptions options;
    private final YearMonth month;
    private final OutputLayout out;
    /** Where this run writes its close before publishing it: {@code DIR/_staging/<run id>/}. */
    private final OutputLayout staged;

    private final String runId;
    private final Stages stages;
    private final Kept kept = new Kept(StorageLevel.MEMORY_AND_DISK());
    /** Each table's Delta version after the publish (--table-format delta), or null. */
    private Map<String, Long> deltaVersions;

    /**
     * Outcome of a run.
     *
     * @param exitCode 0 completed and published, 1 an invariant failed (nothing published)
     * @param reason why the exit code is not 0, one line saying what to look at (null for 0)
     * @param summary the summary as written
     */
    public record RunResult(int exitCode, String reason, ReconcileSummary summary) {}

    /** Step 1: the inputs, checked before anything is written. */
    private record Inputs(
            LineItemMapping mapping,
            Dataset<Row> requestCosts,
            Dataset<Row> costQuarantine,
            Map<InputFiles.Kind, List<String>> costFiles,
            Map<InputFiles.Kind, List<String>> usageApiFiles,
            Map<String, String> projectNames) {}

    /**
     * Step 1's bill.
     *
     * @param billed the Costs API results read
     * @param usageApi the Usage API results read, or null when --usage-api was not given
     */
    private record Bill(CostsReader.Result billed, UsageApiReader.Result usageApi) {}

    /**
     * Step 2: the month's tables.
     *
     * @param billed the billed results read
     * @param imageBills trusted billed results tied to an image model (model set)
     * @param monthBills the month's trusted billed results, every line item
     * @param usageApi the Usage API results read, or null when --usage-api was not given
     * @param tables every table to write
     */
    private record MonthTables(
            CostsReader.Result billed,
            Dataset<Row> imageBills,
            Dataset<Row> monthBills,
            UsageApiReader.Result usageApi,
            Map<OutputTable, Dataset<Row>> tables) {

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

    private ReconcilePipeline(SparkSession spark, ReconcileOptions options, String runId) {
        this.spark = spark;
        this.conf = spark.sparkContext().hadoopConfiguration();
        this.options = options;
        this.month = options.billingMonth();
        this.out = new OutputLayout(options.out);
        this.staged = out.stagingLayout(runId);
        this.runId = runId;
        this.stages = new Stages(spark, "assetcost-reconcile");
    }

    /**
     * Runs the month close.
     *
     * @param spark the session
     * @param options validated options
     * @param runId the run's id ({@link io.assetcost.run.RunLog#newRunId}): its record, staging and log
     * @return exit code, why it is not 0, and the summary
     * @throws InputException for an unusable input: the mapping, a path, the cost job's tables, a file that is
     *     no Costs or Usage API page (found before the lock: nothing written)
     * @throws io.assetcost.run.LockedException when another live run holds the output's lock (exit 4)
     */
    public static RunResult run(SparkSession spark, ReconcileOptions options, String runId) {
        Instant started = Instant.now();
        SparkSettings.apply(spark);
        SparkSettings.forOutput(spark, options.out);
        ReconcilePipeline run = new ReconcilePipeline(spark, options, runId);
        Inputs inputs = run.readInputs();
        Bill bill = run.readBill(inputs);
        try (OutputLock lock = OutputLock.acquire(run.conf, run.out, runId, options.lock.staleAfter());
                run.kept) {
            if (options.tableFormat.delta()) {
                io.assetcost.ops.DeltaTables.requireSession(spark, "--table-format delta");
            }
            String completed = Publisher.recover(spark, run.out);
            MonthTables tables = run.build(inputs, bill);
            run.stage(tables);
            Checked checked = run.checkInvariants(inputs, tables);
            String failure = Invariant.firstFailure(checked.checks());
            MonthCoverage coverage = run.coverage(tables);
            if (failure == null) {
                run.publish(checked, coverage);
            }
            return run.summarise(
                    started, inputs, tables, checked, failure, coverage, LockTakenOver.of(lock, completed));
        }
    }

    /** Step 1: the line-item mapping, the cost job's tables and the Costs API files. */
    private Inputs readInputs() {
        LineItemMapping mapping = loadMapping(conf, options.lineItems);
        Map<InputFiles.Kind, List<String>> costFiles =
                InputFiles.list(conf, "--costs", options.costs, List.of(InputFiles.Kind.JSON_LINES));
        Map<InputFiles.Kind, List<String>> usageApiFiles = options.usageApi == null
                ? null
                : InputFiles.list(conf, "--usage-api", options.usageApi, List.of(InputFiles.Kind.JSON_LINES));
        Map<String, String> names = options.projectNames == null
                ? Map.of()
                : ConfigFiles.read(conf, "--project-names", options.projectNames, null, ProjectNames::fromCsv);
        OutputLayout tables = new OutputLayout(options.tables);
        return new Inputs(
                mapping,
                TableReader.costJobTable(spark, tables, OutputTable.REQUEST_COSTS),
                TableReader.costJobTable(spark, tables, OutputTable.QUARANTINE),
                costFiles,
                usageApiFiles,
                names);
    }

    /**
     * Step 1, continued: the bill (and the Usage API) read and checked page by page, before the lock, so that a
     * file that is no page exits 2 having written nothing.
     */
    private Bill readBill(Inputs inputs) {
        stages.start("read billed costs");
        CostsReader.Result billed = CostsReader.read(spark, inputs.costFiles());
        UsageApiReader.Result usageApi =
                inputs.usageApiFiles() == null ? null : UsageApiReader.read(spark, inputs.usageApiFiles());
        return new Bill(billed, usageApi);
    }

    /** Step 2: every table of the month from the bill (and the Usage API). */
    private MonthTables build(Inputs inputs, Bill bill) {
        CostsReader.Result billed = bill.billed();
        UsageApiReader.Result usageApi = bill.usageApi();
        stages.start("month close " + month);
        LineItemMapping mapping = inputs.mapping();
        Dataset<Row> results = kept.keep(billed.results()
                .withColumn(MODEL, mapping.modelOf(col(LINE_ITEM)))
                .withColumn(METER, mapping.meterOf(col(LINE_ITEM))));
        Dataset<Row> imageBills = results.filter(col(MODEL).isNotNull());
        Dataset<Row> monthBills = FinanceReports.inMonth(results, month);
        Dataset<Row> requestCosts = inputs.requestCosts();
        Dataset<Row> meterRows = kept.keep(FinanceReports.meterRows(requestCosts, month));
        Map<OutputTable, Dataset<Row>> tables = new LinkedHashMap<>();
        tables.put(OutputTable.MONTHLY_SPEND, FinanceReports.monthlySpend(meterRows, month));
        tables.put(
                OutputTable.UNPRICED_USAGE,
                UnpricedUsage.of(inputs.costQuarantine(), month, options.formats.options()));
        tables.put(
                OutputTable.COST_RECONCILIATION,
                FinanceReports.reconcile(requestCosts, imageBills, month, options.toleranceUsd, options.tolerancePct));
        Dataset<Row> meters = kept.keep(MeterReconciliation.of(meterRows, imageBills, month, options.tolerances()));
        tables.put(OutputTable.METER_RECONCILIATION, meters);
        FocusExport.Account account =
                new FocusExport.Account(options.focus(), options.billingAccountId, options.billingAccountName);
        tables.put(
                account.version().table(),
                FocusExport.of(
                        meterRows,
                        monthBills,
                        meters.filter(col(GRAIN).equalTo(GRAIN_DAY)),
                        FocusExport.names(spark, inputs.projectNames()),
                        month,
                        account));
        tables.put(
                OutputTable.UNMATCHED_LINE_ITEMS,
                FinanceReports.unmatchedLineItems(results.filter(col(MODEL).isNull()), month));
        if (usageApi != null) {
            tables.put(
                    OutputTable.LOG_COVERAGE,
                    LogCoverage.of(
                            requestCosts,
                            inputs.costQuarantine(),
                            usageApi.results(),
                            month,
                            options.formats.options()));
        }
        tables.put(OutputTable.QUARANTINE, quarantine(billed, usageApi));
        tables.replaceAll((table, df) -> kept.keep(df));
        stages.done(tables.size(), "tables");
        return new MonthTables(billed, imageBills, monthBills, usageApi, tables);
    }

    /** The month close's quarantine: rejected billed results, then rejected Usage API results. */
    private static Dataset<Row> quarantine(CostsReader.Result billed, UsageApiReader.Result usageApi) {
        Dataset<Row> rows = Quarantine.fromParseColumns(billed.quarantined(), Quarantine.COSTS);
        if (usageApi != null) {
            rows = rows.unionByName(Quarantine.fromParseColumns(usageApi.quarantined(), Quarantine.USAGE_API));
        }
        return OutputTable.QUARANTINE.conform(rows);
    }

    /**
     * Step 3: each table as Parquet and as one CSV file (the reconciliation's rounded to cents), under the run's
     * staging directory. A table this run does not write (log_coverage without --usage-api) is not staged, so
     * the publish removes an earlier run's.
     */
    private void stage(MonthTables month) {
        for (Map.Entry<OutputTable, Dataset<Row>> t : month.tables().entrySet()) {
            OutputTable table = t.getKey();
            stages.start("stage " + table.tableName());
            long rows = OutputWriter.parquet(t.getValue(), new Path(staged.root()), table);
            boolean cents = table == OutputTable.COST_RECONCILIATION || table == OutputTable.METER_RECONCILIATION;
            Dataset<Row> presented = cents ? presentCents(t.getValue()) : t.getValue();
            OutputWriter.csvReplacing(presented, table, conf, staged.csv(table));
            stages.done(rows, "rows");
        }
        FocusMetadata.write(conf, staged.root(), options.focus());
    }

    /**
     * Step 4, continued: how much of the month the tables cover. A month closed before its data reaches its last
     * day is said to be incomplete in the log, on the page and in the summary ({@code month_coverage}).
     */
    private MonthCoverage coverage(MonthTables tables) {
        MonthCoverage coverage = MonthCoverage.of(tables.get(OutputTable.COST_RECONCILIATION), month);
        if (!coverage.complete()) {
            LOG.warn(
                    "incomplete month {}: data through {}, {} of {} days (reconcile_summary.json month_coverage)",
                    month,
                    coverage.dataThrough(),
                    coverage.daysWithData(),
                    month.lengthOfMonth());
        }
        return coverage;
    }

    /**
     * Step 5, only when every invariant holds: the page drawn from the staged tables, then the tables, their
     * CSV files and the page published together.
     */
    private void publish(Checked checked, MonthCoverage coverage) {
        stages.start("write month_close.html");
        MonthClosePage.write(
                spark,
                staged,
                new MonthClosePage.Coverage(coverage.month(), coverage.dataThrough(), coverage.banner()),
                options.focus().table(),
                options.focus().label(),
                "billing month " + month + ", " + checked.checks().size() + " invariants, 0 failed, exit 0");
        stages.done(1, "pages");
        stages.start("publish");
        List<String> files = new ArrayList<>();
        TABLES.stream()
                .filter(OutputTable::csv)
                .forEach(t -> files.add(out.csv(t).getName()));
        files.add(out.monthCloseReport().getName());
        files.add(FocusMetadata.FILE);
        if (options.tableFormat.delta()) {
            deltaVersions = Publisher.publishDelta(
                    spark, out, runId, TABLES, new io.assetcost.ops.RunWindow(true, null, 0), files);
        } else {
            Publisher.publishWhole(conf, out, runId, TABLES, files);
        }
        stages.done(TABLES.size(), "tables");
    }

    /** Step 4: every table equals the month's request costs (or bill) exactly; every input record is accounted for. */
    private Checked checkInvariants(Inputs inputs, MonthTables tables) {
        stages.start("check invariants");
        BigDecimal computed = total(FinanceReports.inMonth(inputs.requestCosts(), month), col(COST_USD));
        BigDecimal billedImages = total(FinanceReports.inMonth(tables.imageBills(), month), col(AMOUNT_USD));
        List<Invariant> checks = new ArrayList<>();
        checks.add(Invariant.equal(
                "monthly_spend total = request_costs of the month",
                computed,
                total(tables.get(OutputTable.MONTHLY_SPEND), col(COST_USD))));
        checks.addAll(dayAndMonth(
                tables.get(OutputTable.COST_RECONCILIATION), "cost_reconciliation", computed, billedImages));
        Dataset<Row> meters = tables.get(OutputTable.METER_RECONCILIATION);
        checks.addAll(dayAndMonth(meters, "meter_reconciliation", computed, billedImages));
        checks.add(Invariant.equal(
                "meter_reconciliation month rows = sum of their day rows (tokens)",
                total(meters.filter(col(GRAIN).equalTo(GRAIN_DAY)), col(COMPUTED_TOKENS)),
                total(meters.filter(col(GRAIN).equalTo(GRAIN_MONTH)), col(COMPUTED_TOKENS))));
        checks.addAll(focusChecks(tables, computed));
        InputCounts billed = billedCounts(tables);
        checks.add(Invariant.accounted("costs results", billed));
        if (tables.usageApi() != null) {
            checks.add(Invariant.accounted("usage api results", usageApiCounts(tables)));
            checks.add(Invariant.equal(
                    "log_coverage logged_requests = request_costs rows of the month",
                    BigDecimal.valueOf(
                            FinanceReports.inMonth(inputs.requestCosts(), month).count()),
                    total(tables.get(OutputTable.LOG_COVERAGE), col(LOGGED_REQUESTS))));
        }
        stages.done(checks.size(), "checks");
        Invariant.logFailures(checks, LOG);
        return new Checked(checks, computed, billedImages, billed);
    }

    /** A reconciliation's day rows hold the month exactly; its month rows sum its day rows. */
    private static List<Invariant> dayAndMonth(
            Dataset<Row> reconciliation, String name, BigDecimal computed, BigDecimal billedImages) {
        Dataset<Row> dayRows = reconciliation.filter(col(GRAIN).equalTo(GRAIN_DAY));
        Dataset<Row> monthRows = reconciliation.filter(col(GRAIN).equalTo(GRAIN_MONTH));
        return List.of(
                Invariant.equal(
                        name + " day rows computed = request_costs of the month",
                        computed,
                        total(dayRows, col(COMPUTED_COST_USD))),
                Invariant.equal(
                        name + " month rows = sum of their day rows (computed)",
                        computed,
                        total(monthRows, col(COMPUTED_COST_USD))),
                Invariant.equal(
                        name + " day rows billed = image-model bill of the month",
                        billedImages,
                        total(dayRows, col(BILLED_COST_USD))),
                Invariant.equal(
                        name + " month rows = sum of their day rows (billed)",
                        billedImages,
                        total(monthRows, col(BILLED_COST_USD))));
    }

    /** focus_costs: BilledCost is the month's bill, x_ComputedCost the computed spend, ListCost exact. */
    private static List<Invariant> focusChecks(MonthTables tables, BigDecimal computed) {
        Dataset<Row> focus = tables.tables().entrySet().stream()
                .filter(e -> e.getKey().tableName().equals(OutputTable.FOCUS_COSTS.tableName()))
                .findFirst()
                .orElseThrow()
                .getValue();
        long badFocus = focus.filter(col(FocusCols.LIST_UNIT_PRICE)
                        .isNotNull()
                        .and(col(FocusCols.LIST_COST)
                                .notEqual(col(FocusCols.PRICING_QUANTITY).multiply(col(FocusCols.LIST_UNIT_PRICE)))))
                .count();
        return List.of(
                Invariant.equal(
                        "focus_costs BilledCost total = the month's bill (every line item)",
                        total(tables.monthBills(), col(AMOUNT_USD)),
                        total(focus, col(FocusCols.BILLED_COST))),
                Invariant.equal(
                        "focus_costs x_ComputedCost total = request_costs of the month",
                        computed,
                        total(focus, col(FocusCols.X_COMPUTED_COST))),
                new Invariant(
                        "focus_costs ListCost = PricingQuantity x ListUnitPrice",
                        badFocus == 0,
                        badFocus + " rows differ"));
    }

    /**
     * Step 6: the summary, written to {@code reconcile_summary.json} and {@code _runs/<run id>.json}, whether
     * the run published or not.
     */
    private RunResult summarise(
            Instant started,
            Inputs inputs,
            MonthTables tables,
            Checked checked,
            String failure,
            MonthCoverage coverage,
            LockTakenOver lockTakenOver) {
        int exitCode = failure == null ? 0 : 1;
        String reason = failure == null
                ? null
                : failure + "; nothing published (the staged close is under " + out.staging(runId)
                        + " until the next run): the close published before is unchanged";
        BigDecimal computed = checked.computed();
        BigDecimal billedImages = checked.billedImages();
        ReconcileSummary.Totals totals = new ReconcileSummary.Totals(
                computed.toPlainString(),
                billedImages.toPlainString(),
                total(tables.get(OutputTable.UNMATCHED_LINE_ITEMS), col(AMOUNT_USD))
                        .toPlainString(),
                computed.subtract(billedImages).toPlainString());
        ReconcileSummary.BilledCosts billedCosts = billedCosts(tables, checked.billedResults());
        ReconcileSummary.StatusCounts statusCounts = statusCounts(tables);
        ReconcileSummary.UsageApi usageApi = tables.usageApi() == null ? null : usageApiSummary(tables);
        ReconcileSummary summary = new ReconcileSummary(
                RunSummary.Header.finished(ReconcileSummary.JOB, runId, started, exitCode),
                month.toString(),
                coverage.summary(),
                options(inputs.mapping()),
                billedCosts,
                totals,
                statusCounts,
                usageApi,
                lockTakenOver,
                new RunSummary.Outcome(
                        checked.checks(),
                        failure == null,
                        failure == null ? null : out.staging(runId).toString(),
                        reason),
                options.tableFormat.delta() ? "delta" : "parquet",
                deltaVersions);
        RunSummary.write(conf, summary, out.reconcileSummary(), out.runRecord(runId));
        LOG.info(
                "assetcost-reconcile {}: computed {} USD, billed {} USD; exit {}",
                month,
                computed.toPlainString(),
                billedImages.toPlainString(),
                exitCode);
        return new RunResult(exitCode, reason, summary);
    }

    /** {@code billed_costs}: Costs API pages and results read, used, quarantined (by reason) and dropped. */
    private static ReconcileSummary.BilledCosts billedCosts(MonthTables tables, InputCounts counts) {
        Dataset<Row> quarantine = tables.get(OutputTable.QUARANTINE);
        return new ReconcileSummary.BilledCosts(
                tables.billed().pages(),
                counts.read(),
                counts.used(),
                counts.quarantined(),
                RunSummary.countBy(quarantine.filter(col(SOURCE).equalTo(Quarantine.COSTS)), REASON),
                counts.duplicates(),
                tables.get(OutputTable.UNMATCHED_LINE_ITEMS).count());
    }

    /** Status counts of both reconciliations (and log_coverage), per grain. */
    private static ReconcileSummary.StatusCounts statusCounts(MonthTables tables) {
        Dataset<Row> days = tables.get(OutputTable.COST_RECONCILIATION);
        Dataset<Row> meters = tables.get(OutputTable.METER_RECONCILIATION);
        return new ReconcileSummary.StatusCounts(
                RunSummary.countBy(days.filter(col(GRAIN).equalTo(GRAIN_DAY)), STATUS),
                RunSummary.countBy(days.filter(col(GRAIN).equalTo(GRAIN_MONTH)), STATUS),
                RunSummary.countBy(meters.filter(col(GRAIN).equalTo(GRAIN_DAY)), STATUS),
                RunSummary.countBy(meters.filter(col(GRAIN).equalTo(GRAIN_DAY)), TOKEN_STATUS),
                RunSummary.countBy(meters.filter(col(GRAIN).equalTo(GRAIN_MONTH)), STATUS),
                RunSummary.countBy(meters.filter(col(GRAIN).equalTo(GRAIN_MONTH)), TOKEN_STATUS),
                tables.usageApi() == null ? null : RunSummary.countBy(tables.get(OutputTable.LOG_COVERAGE), STATUS));
    }

    /** Usage API pages and results read, used, quarantined and dropped as overlap. */
    private static ReconcileSummary.UsageApi usageApiSummary(MonthTables tables) {
        InputCounts counts = usageApiCounts(tables);
        return new ReconcileSummary.UsageApi(
                tables.usageApi().pages(), counts.read(), counts.used(), counts.quarantined(), counts.duplicates());
    }

    private ReconcileSummary.Options options(LineItemMapping mapping) {
        return new ReconcileSummary.Options(
                options.tables,
                options.costs,
                options.out,
                options.toleranceUsd.toPlainString(),
                options.tolerancePct.toPlainString(),
                options.toleranceTokens,
                mapping.description(),
                options.usageApi,
                options.projectNames,
                options.focus().label(),
                options.billingAccountId,
                options.billingAccountName);
    }

    /** Billed results read, used, quarantined and dropped as overlapping duplicates. */
    private static InputCounts billedCounts(MonthTables tables) {
        CostsReader.Result billed = tables.billed();
        return new InputCounts(
                billed.read().count(),
                0,
                0,
                billed.results().count(),
                tables.get(OutputTable.QUARANTINE)
                        .filter(col(SOURCE).equalTo(Quarantine.COSTS))
                        .count(),
                billed.duplicatesDropped().count());
    }

    /** Usage API results read, used, quarantined and dropped as overlapping duplicates. */
    private static InputCounts usageApiCounts(MonthTables tables) {
        UsageApiReader.Result api = tables.usageApi();
        return new InputCounts(
                api.read().count(),
                0,
                0,
                api.results().count(),
                tables.get(OutputTable.QUARANTINE)
                        .filter(col(SOURCE).equalTo(Quarantine.USAGE_API))
                        .count(),
                api.duplicatesDropped().count());
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

    private static BigDecimal total(Dataset<Row> df, Column money) {
        Row r = df.agg(sum(money.cast(RequestPricing.USD))).first();
        return r.isNullAt(0) ? BigDecimal.ZERO : r.getDecimal(0);
    }
}
