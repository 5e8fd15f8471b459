package io.assetcost.cost;

import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.DECIDED_AT;
import static io.assetcost.schema.Cols.DUPLICATE;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.N;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.RAW_RECORD;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.REQUEST_ID;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.io.UsageReader;
import io.assetcost.ops.FrozenCohorts;
import io.assetcost.ops.OutputLayout;
import io.assetcost.ops.OutputLock;
import io.assetcost.ops.Publisher;
import io.assetcost.ops.RunWindow;
import io.assetcost.outcome.Outcomes;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.AcceptanceValidation;
import io.assetcost.quality.FlaggedCounts;
import io.assetcost.quality.InvariantChecks;
import io.assetcost.quality.Quarantine;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.quality.UsageValidation;
import io.assetcost.report.Reports;
import io.assetcost.run.InputCounts;
import io.assetcost.run.InputException;
import io.assetcost.run.Invariant;
import io.assetcost.run.Kept;
import io.assetcost.run.RunSummary;
import io.assetcost.run.SparkSettings;
import io.assetcost.run.Stages;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the cost job, as a short list of named steps (docs/DESIGN.md, "Pipeline"): check the inputs,
 * take the lock, read and price usage, read the frozen cohorts, read decisions, build the reports, write
 * them to staging, publish, count, check the invariants, write the summary.
 *
 * <p>Order matters for "nothing is written" on unusable input: the rate card, every input path and every
 * CSV header (and Parquet schema) are checked before any output is touched. Then the run takes the output's
 * lock ({@link OutputLock}), completes a publish a dead run left ({@link Publisher#recover}), writes every
 * table under staging and publishes them together, replacing exactly the partitions of its
 * {@link RunWindow}. Every dataset the run keeps is released when it ends, however it ends.
 */
public final class CostPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(CostPipeline.class);
    private static final DateTimeFormatter RUN_ID =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.COST);
    /** The columns of request_costs that outcomes read: the joins and windows move no more. */
    private static final String[] OUTCOME_COLUMNS = {
        REQUEST_ID, WORKFLOW_ID, ASSET_ID, CREATED_AT, STATUS, IMAGES_GENERATED, COST_USD, CACHE_SAVINGS_USD
    };

    /**
     * How the run keeps what it reads more than once (the flagged inputs, usage priced in place, and the
     * outcomes): on the executors' local disk (spark.local.dir), where the operating system's page cache, not
     * the JVM heap, holds it. Kept on the heap (MEMORY_AND_DISK, serialized or not) the caches of 10M requests
     * ran a 4 GiB heap out of memory (docs/PERFORMANCE.md).
     */
    public static final StorageLevel CACHE = StorageLevel.DISK_ONLY();

    private final SparkSession spark;
    private final Configuration conf;
    private final CostJobOptions options;
    private final RunWindow window;
    private final CheckedInputs inputs;
    private final OutputLayout out;
    private final String runId;
    private final Instant started;
    private final Stages stages;
    private final Kept kept = new Kept(CACHE);

    /**
     * The outcome of a run.
     *
     * @param exitCode 0 completed, 1 an invariant failed, 3 too much usage quarantined
     * @param summary the run summary as written
     */
    public record RunResult(int exitCode, Map<String, Object> summary) {}

    /** Step 1: inputs checked before anything is written. */
    private record CheckedInputs(
            RateCard card, Map<InputFiles.Kind, List<String>> usageFiles, List<String> acceptanceFiles) {}

    /**
     * Step 2: usage read, validated and priced in one pass.
     *
     * @param flagged every record read in the window, flagged and priced in place (kept on disk)
     * @param requestCosts priced requests, contract request_costs
     * @param quarantine usage quarantine rows
     * @param heldIds request_id of every usage record in quarantine
     * @param counts records, priced, exact duplicates
     * @param afterRunDate records read that were created after the run date (set aside)
     */
    private record PricedUsage(
            Dataset<Row> flagged,
            Dataset<Row> requestCosts,
            Dataset<Row> quarantine,
            Dataset<Row> heldIds,
            FlaggedCounts counts,
            long afterRunDate) {}

    /** Step 3: the published cohorts a nightly run must not recompute ({@link FrozenCohorts}). */
    private record Frozen(Dataset<Row> assets, Dataset<Row> requests) {}

    /**
     * Step 4: acceptance records read and validated.
     *
     * @param read every record read
     * @param taken true for a record decided before the end of the run date
     * @param onFrozen records set aside on requests of frozen cohorts
     * @param decisions trusted decisions
     * @param quarantine acceptance quarantine rows
     * @param counts records (of the run), decisions used, exact duplicates
     */
    private record Decisions(
            Dataset<Row> read,
            Column taken,
            Dataset<Row> onFrozen,
            Dataset<Row> decisions,
            Dataset<Row> quarantine,
            FlaggedCounts counts) {}

    /** Step 5: the outcomes and every table the run writes. */
    private record ReportSet(
            Dataset<Row> requestOutcomes,
            Dataset<Row> requestCosts,
            Dataset<Row> assetCosts,
            Dataset<Row> costPerApprovedAsset,
            Dataset<Row> retryWaste,
            Dataset<Row> quarantine) {

        Map<OutputTable, Dataset<Row>> tables() {
            Map<OutputTable, Dataset<Row>> m = new LinkedHashMap<>();
            m.put(OutputTable.REQUEST_COSTS, requestCosts);
            m.put(OutputTable.ASSET_COSTS, assetCosts);
            m.put(OutputTable.COST_PER_APPROVED_ASSET, costPerApprovedAsset);
            m.put(OutputTable.RETRY_WASTE, retryWaste);
            m.put(OutputTable.QUARANTINE, quarantine);
            return m;
        }
    }

    /** Step 8: what the run counted, for the invariants and the summary. */
    private record RunCounts(
            InputCounts usage,
            Map<String, Long> usageReasons,
            InputCounts acceptance,
            Map<String, Long> acceptanceReasons,
            long decidedAfterRunDate,
            long onFrozenRequests,
            long lateDecisions,
            long lateUsage) {}

    private CostPipeline(
            SparkSession spark,
            CostJobOptions options,
            RunWindow window,
            CheckedInputs inputs,
            String runId,
            Instant started) {
        this.spark = spark;
        this.conf = spark.sparkContext().hadoopConfiguration();
        this.options = options;
        this.window = window;
        this.inputs = inputs;
        this.out = new OutputLayout(options.out);
        this.runId = runId;
        this.started = started;
        this.stages = new Stages(spark, "assetcost");
    }

    /**
     * Runs the job.
     *
     * @param spark the session
     * @param options validated options
     * @param window the cohorts to recompute (from {@link CostJobOptions#window})
     * @return exit code and summary
     * @throws InputException for an unusable input (before anything is written)
     * @throws io.assetcost.run.LockedException when another live run holds the output's lock
     */
    public static RunResult run(SparkSession spark, CostJobOptions options, RunWindow window) {
        Instant started = Instant.now();
        String runId = RUN_ID.format(started) + "-" + ProcessHandle.current().pid();
        SparkSettings.apply(spark);
        CheckedInputs inputs = checkInputs(spark, options, window);
        CostPipeline run = new CostPipeline(spark, options, window, inputs, runId, started);
        try (OutputLock lock =
                OutputLock.acquire(run.conf, run.out, runId, Duration.ofMinutes(options.lockStaleMinutes))) {
            Publisher.recover(run.conf, run.out);
            LOG.info("run {}: {}", runId, window);
            return run.execute();
        }
    }

    private RunResult execute() {
        try (kept) {
            PricedUsage usage = readUsage();
            Frozen frozen = readFrozen();
            Decisions decisions = readDecisions(usage, frozen);
            ReportSet reports = buildReports(usage, decisions, frozen);
            writeStaged(reports, usage);
            publish();
            RunCounts counts = count(usage, decisions, frozen, reports);
            List<Invariant> checks = checkInvariants(usage, reports, counts);
            return summarise(counts, reports, checks);
        }
    }

    /** Step 1: everything that can make the input unusable, before any write. */
    private static CheckedInputs checkInputs(SparkSession spark, CostJobOptions options, RunWindow window) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        RateCard card = RateCard.load(conf, options.rates);
        List<InputFiles.Kind> usageKinds =
                List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV, InputFiles.Kind.PARQUET);
        Map<InputFiles.Kind, List<String>> usageFiles =
                InputFiles.forWindow(InputFiles.list(conf, "--usage", options.usage, usageKinds), window);
        if (usageFiles.isEmpty()) {
            throw new InputException("--usage " + options.usage + " has no day folder (date=YYYY-MM-DD) in " + window);
        }
        List<String> acceptanceFiles = InputFiles.forWindow(
                        InputFiles.list(conf, "--acceptance", options.acceptance, List.of(InputFiles.Kind.CSV)), window)
                .getOrDefault(InputFiles.Kind.CSV, List.of());
        if (usageFiles.containsKey(InputFiles.Kind.CSV)) {
            CsvSource.checkHeaders(
                    conf,
                    "--usage",
                    usageFiles.get(InputFiles.Kind.CSV),
                    Schemas.requiredColumns(Schemas.USAGE_EXPORT));
        }
        if (usageFiles.containsKey(InputFiles.Kind.PARQUET)) {
            UsageReader.checkParquetSchema(spark, "--usage", usageFiles.get(InputFiles.Kind.PARQUET));
        }
        CsvSource.checkHeaders(
                conf, "--acceptance", acceptanceFiles, Schemas.requiredColumns(Schemas.ACCEPTANCE_RECORD));
        return new CheckedInputs(card, usageFiles, acceptanceFiles);
    }

    /**
     * Step 2: usage read once, validated and priced in one pass, and kept; usage created after the run date
     * is not this run's. A record's raw text is kept only where it goes to quarantine (a rule broken, or no
     * rate): it is most of a record's bytes and nothing else reads it.
     */
    private PricedUsage readUsage() {
        stages.start("read, validate and price usage");
        Column taken = window.takes(col(CREATED_AT));
        Dataset<Row> read = UsageReader.read(spark, inputs.usageFiles());
        Dataset<Row> usage = UsageValidation.byRequestId(read.filter(taken));
        Column trusted = UsageValidation.trusted();
        Column noRate = col(RequestPricing.NO_RATE_DETAIL).isNotNull();
        Dataset<Row> rated = RequestPricing.rate(UsageValidation.validate(usage).flagged(), inputs.card(), trusted);
        Column toQuarantine = col(PARSE_REASON).isNotNull().or(trusted.and(noRate));
        Dataset<Row> flagged = kept.keep(rated.withColumn(RAW_RECORD, when(toQuarantine, col(RAW_RECORD))));
        FlaggedCounts counts = FlaggedCounts.of(flagged, trusted.and(noRate.unary_$bang()), DUPLICATE);
        long afterRunDate = window.end() == null ? 0 : countWhere(read, taken.unary_$bang());
        stages.done(counts.records() + afterRunDate, "records");

        UsageValidation.Result checked = UsageValidation.views(flagged);
        Dataset<Row> accepted = checked.accepted();
        Dataset<Row> requestCosts = OutputTable.REQUEST_COSTS.conform(accepted.filter(noRate.unary_$bang()));
        Dataset<Row> quarantine = Quarantine.fromParseColumns(checked.quarantined(), Quarantine.USAGE)
                .unionByName(Quarantine.rows(
                        accepted.filter(noRate),
                        Quarantine.USAGE,
                        lit(QuarantineReason.NO_RATE.code()),
                        col(RequestPricing.NO_RATE_DETAIL)));
        // Held ids: a filter of the kept dataset, so partitioned by request_id like the acceptance records.
        Dataset<Row> heldIds =
                flagged.filter(toQuarantine.and(col(REQUEST_ID).isNotNull())).select(REQUEST_ID);
        return new PricedUsage(flagged, requestCosts, quarantine, heldIds, counts, afterRunDate);
    }

    /** Step 3: assets and requests of the cohorts before the window, as published by earlier nights. */
    private Frozen readFrozen() {
        return new Frozen(
                FrozenCohorts.assets(published(OutputTable.ASSET_COSTS), window),
                FrozenCohorts.requests(published(OutputTable.REQUEST_COSTS), window));
    }

    /**
     * Step 4: acceptance records. Decisions made after the run date are not this run's; decisions on requests
     * the window does not read but earlier runs published are set aside and counted, not quarantined.
     */
    private Decisions readDecisions(PricedUsage usage, Frozen frozen) {
        stages.start("read and validate acceptance records");
        Dataset<Row> read =
                CsvSource.read(spark, inputs.acceptanceFiles(), Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD));
        Column taken = window.takes(col(DECIDED_AT).try_cast(DataTypes.TimestampType));
        FrozenCohorts.Split split = FrozenCohorts.splitDecisions(read.filter(taken), frozen.requests());
        AcceptanceValidation.Result acceptance = AcceptanceValidation.validate(
                split.current(), usage.requestCosts().select(REQUEST_ID, N, WORKFLOW_ID, ASSET_ID), usage.heldIds());
        Dataset<Row> flagged = kept.keep(acceptance.flagged());
        FlaggedCounts counts = FlaggedCounts.of(
                flagged, col(PARSE_REASON).isNull().and(col(DUPLICATE).unary_$bang()), DUPLICATE);
        stages.done(counts.used(), "decisions used");
        Dataset<Row> quarantine = Quarantine.fromParseColumns(acceptance.quarantined(), Quarantine.ACCEPTANCE);
        return new Decisions(read, taken, split.onFrozen(), acceptance.decisions(), quarantine, counts);
    }

    /** Step 5: outcomes and reports, for the window's cohorts. */
    private ReportSet buildReports(PricedUsage usage, Decisions decisions, Frozen frozen) {
        stages.start("resolve outcomes");
        Dataset<Row> costs = FrozenCohorts.unfrozen(
                usage.requestCosts()
                        .select(OUTCOME_COLUMNS[0], Arrays.copyOfRange(OUTCOME_COLUMNS, 1, OUTCOME_COLUMNS.length)),
                frozen.assets());
        Dataset<Row> assetDecisions = Outcomes.assetDecisions(Outcomes.imageOutcomes(decisions.decisions()));
        Dataset<Row> requestOutcomes =
                kept.keep(Outcomes.requestOutcomes(costs, assetDecisions).filter(window.covers(COHORT_DATE)));
        Dataset<Row> assetCosts = kept.keep(Reports.assetCosts(requestOutcomes));
        Dataset<Row> cpa = kept.keep(Reports.costPerApprovedAsset(assetCosts));
        Dataset<Row> retryWaste = kept.keep(Reports.retryWaste(requestOutcomes, cpa));
        Dataset<Row> quarantine =
                kept.keep(OutputTable.QUARANTINE.conform(usage.quarantine().unionByName(decisions.quarantine())));
        Dataset<Row> requestCosts = usage.requestCosts().filter(window.covers(USAGE_DATE));
        return new ReportSet(requestOutcomes, requestCosts, assetCosts, cpa, retryWaste, quarantine);
    }

    /** Step 6: every table under the run's staging directory. */
    private void writeStaged(ReportSet reports, PricedUsage usage) {
        for (Map.Entry<OutputTable, Dataset<Row>> table : reports.tables().entrySet()) {
            stages.start("write " + table.getKey().tableName());
            OutputWriter.parquet(table.getValue(), out.staging(runId), table.getKey());
            // A full run's request_costs holds every priced request, already counted: no second pass over them.
            boolean counted = window.full() && table.getKey() == OutputTable.REQUEST_COSTS;
            stages.done(counted ? usage.counts().used() : table.getValue().count(), "rows");
        }
    }

    /** Step 7: every table published at once, then the CSV files rewritten from the published tables. */
    private void publish() {
        stages.start("publish " + window);
        Publisher.publish(conf, out, runId, TABLES, window);
        stages.done(TABLES.size(), "tables");
        stages.start("write CSV files");
        List<OutputTable> csv = TABLES.stream().filter(OutputTable::csv).toList();
        for (OutputTable table : csv) {
            OutputWriter.csvReplacing(published(table), table, conf, out.csv(table));
        }
        stages.done(csv.size(), "files");
    }

    /** Step 8: quarantine by reason, records set aside, and late activity on frozen cohorts. */
    private RunCounts count(PricedUsage usage, Decisions decisions, Frozen frozen, ReportSet reports) {
        stages.start("count");
        Map<String, Long> usageReasons = quarantinedBy(reports.quarantine(), Quarantine.USAGE);
        Map<String, Long> acceptanceReasons = quarantinedBy(reports.quarantine(), Quarantine.ACCEPTANCE);
        long decidedAfter = window.end() == null
                ? 0
                : countWhere(decisions.read(), decisions.taken().unary_$bang());
        long onFrozen = window.full() ? 0 : decisions.onFrozen().count();
        long lateDecisions = window.full()
                ? 0
                : FrozenCohorts.lateDecisions(decisions.decisions(), decisions.onFrozen(), frozen.assets(), window)
                        .count();
        long lateUsage = window.full()
                ? 0
                : FrozenCohorts.lateUsage(usage.requestCosts(), frozen.assets(), window)
                        .count();
        FlaggedCounts u = usage.counts();
        FlaggedCounts a = decisions.counts();
        InputCounts usageCounts = new InputCounts(
                u.records() + usage.afterRunDate(),
                usage.afterRunDate(),
                u.used(),
                total(usageReasons),
                u.duplicates());
        InputCounts acceptanceCounts = new InputCounts(
                a.records() + decidedAfter + onFrozen,
                decidedAfter + onFrozen,
                a.used(),
                total(acceptanceReasons),
                a.duplicates());
        stages.done(usageCounts.read() + acceptanceCounts.read(), "records");
        return new RunCounts(
                usageCounts,
                usageReasons,
                acceptanceCounts,
                acceptanceReasons,
                decidedAfter,
                onFrozen,
                lateDecisions,
                lateUsage);
    }

    /** Step 9: the invariants, on the tables as written. */
    private List<Invariant> checkInvariants(PricedUsage usage, ReportSet reports, RunCounts counts) {
        stages.start("check invariants");
        List<Invariant> checks = new ArrayList<>(InvariantChecks.conservation(
                reports.requestOutcomes().select(COST_USD, REQUEST_ID),
                reports.assetCosts(),
                reports.costPerApprovedAsset()));
        checks.add(Invariant.accounted("usage", counts.usage()));
        checks.add(Invariant.accounted("acceptance", counts.acceptance()));
        checks.add(InvariantChecks.nothingUnpriced(usage.requestCosts()));
        stages.done(checks.size(), "checks");
        Invariant.logFailures(checks, LOG);
        return checks;
    }

    /** Step 10: the exit code and the run summary, written to {@code run_summary.json} and {@code _runs/}. */
    private RunResult summarise(RunCounts counts, ReportSet reports, List<Invariant> checks) {
        BigDecimal fraction = quarantinedFraction(counts.usage());
        int exitCode =
                !Invariant.allPassed(checks) ? 1 : fraction.compareTo(options.maxQuarantinedFraction) > 0 ? 3 : 0;
        RunSummary summary = new RunSummary("assetcost", runId, started)
                .put("window", CostSummary.window(window, inputs.usageFiles(), inputs.acceptanceFiles()))
                .put("options", CostSummary.options(options))
                .put(
                        "inputs",
                        CostSummary.inputs(
                                counts.usage(),
                                counts.usageReasons(),
                                counts.acceptance(),
                                counts.acceptanceReasons(),
                                counts.decidedAfterRunDate(),
                                counts.onFrozenRequests(),
                                counts.lateDecisions(),
                                counts.lateUsage(),
                                inputs.card()));
        if (counts.lateDecisions() + counts.lateUsage() > 0) {
            String attention = counts.lateDecisions() + " decisions and " + counts.lateUsage()
                    + " requests arrived after"
                    + " their cohort was last recomputed (cohorts before " + window.first() + "): rerun with a larger"
                    + " --lookback-days or --full";
            summary.put("attention", attention);
            LOG.warn("{}", attention);
        }
        summary.put("usage_quarantined_fraction", fraction.toPlainString())
                .put("totals", CostSummary.totals(reports.assetCosts()))
                .invariants(checks)
                .put("table_fingerprints", fingerprints());
        Map<String, Object> document = summary.finish(exitCode);
        summary.write(conf, out.runSummary(), out.runRecord(runId));
        LOG.info(
                "assetcost: usage read {}, priced {}, quarantined {}, duplicates {}; exit {}",
                counts.usage().read(),
                counts.usage().used(),
                counts.usage().quarantined(),
                counts.usage().duplicates(),
                exitCode);
        return new RunResult(exitCode, document);
    }

    /** Share of the examined usage records that went to quarantine, 6 places, half-even. */
    private static BigDecimal quarantinedFraction(InputCounts usage) {
        return usage.examined() == 0
                ? BigDecimal.ZERO
                : BigDecimal.valueOf(usage.quarantined())
                        .divide(BigDecimal.valueOf(usage.examined()), 6, RoundingMode.HALF_EVEN);
    }

    private Map<String, Object> fingerprints() {
        Map<String, Object> fingerprints = new LinkedHashMap<>();
        for (OutputTable table : TABLES) {
            fingerprints.put(table.tableName(), CostSummary.fingerprint(published(table)));
        }
        return fingerprints;
    }

    /** A published table, read with its contract's schema; empty when it does not exist yet. */
    private Dataset<Row> published(OutputTable table) {
        return CostSummary.published(spark, out, table);
    }

    private static Map<String, Long> quarantinedBy(Dataset<Row> quarantine, String source) {
        return RunSummary.countBy(quarantine.filter(col(SOURCE).equalTo(source)), REASON);
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Rows where a condition holds (a null condition counts as false). */
    private static long countWhere(Dataset<Row> df, Column condition) {
        return df.filter(coalesce(condition, lit(false))).count();
    }
}
