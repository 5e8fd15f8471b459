package io.assetcost.cost;

import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.DECIDED_AT;
import static io.assetcost.schema.Cols.DUPLICATE;
import static io.assetcost.schema.Cols.ENDPOINT;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.N;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.QUALITY;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.REQUEST_ID;
import static io.assetcost.schema.Cols.SERVICE_TIER;
import static io.assetcost.schema.Cols.SIZE;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.assetcost.io.CsvSource;
import io.assetcost.io.CsvTails;
import io.assetcost.io.InputFiles;
import io.assetcost.io.LangfuseScores;
import io.assetcost.io.OutputWriter;
import io.assetcost.io.ShufflePartitions;
import io.assetcost.io.UsageFormat;
import io.assetcost.io.UsageFormatDetector;
import io.assetcost.io.UsageReader;
import io.assetcost.ops.DeltaTables;
import io.assetcost.ops.FrozenCohorts;
import io.assetcost.ops.LockTakenOver;
import io.assetcost.ops.OutputLayout;
import io.assetcost.ops.OutputLock;
import io.assetcost.ops.Publisher;
import io.assetcost.ops.RunWindow;
import io.assetcost.ops.ShrinkGuard;
import io.assetcost.ops.TableReader;
import io.assetcost.outcome.Outcomes;
import io.assetcost.page.CostPage;
import io.assetcost.planning.Attempts;
import io.assetcost.planning.Headroom;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.AcceptanceValidation;
import io.assetcost.quality.FlaggedCounts;
import io.assetcost.quality.InvariantChecks;
import io.assetcost.quality.Quarantine;
import io.assetcost.quality.Times;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the cost job, as a short list of named steps (docs/DESIGN.md, "Pipeline"): check the inputs,
 * take the lock, read and price usage, read the frozen cohorts, read decisions, build the reports, write
 * them to staging, count, check the invariants, audit, publish (only when the audit passes), write the
 * summary. Write, audit, then publish: a run that suspects its input (an empty night, a failed invariant,
 * a window that shrank, {@link ShrinkGuard}) leaves the published tables exactly as they were.
 *
 * <p>Order matters for "nothing is written" on unusable input: the rate card, every input path and every
 * CSV header (and Parquet schema) are checked before any output is touched. Then the run takes the output's
 * lock ({@link OutputLock}), completes a publish a dead run left ({@link Publisher#recover}), writes every
 * table under staging and, when the audit passes, publishes them together, replacing exactly the partitions
 * of its {@link RunWindow}. Every dataset the run keeps is released when it ends, however it ends.
 */
public final class CostPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(CostPipeline.class);
    private static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.COST);
    /**
     * A night whose input is sized at no more shuffle partitions than this ({@link ShufflePartitions}, about
     * 150,000 requests each) is small: its independent steps (the table writes, the CSV files, the report's
     * queries) run {@value #SMALL_NIGHT_STEPS} at a time ({@link Stages#concurrently}). A larger night runs them
     * one at a time, so that their shuffle files never share the local disk.
     */
    static final int SMALL_NIGHT_PARTITIONS = 2;

    static final int SMALL_NIGHT_STEPS = 4;
    /** The columns of request_costs that outcomes read: the joins and windows move no more. */
    private static final String[] OUTCOME_COLUMNS = {
        REQUEST_ID,
        WORKFLOW_ID,
        ASSET_ID,
        CREATED_AT,
        STATUS,
        IMAGES_GENERATED,
        COST_USD,
        CACHE_SAVINGS_USD,
        USAGE_DATE,
        PROJECT_ID,
        MODEL,
        RATE_MODEL,
        ENDPOINT,
        SERVICE_TIER,
        QUALITY,
        SIZE,
        N
    };

    private final SparkSession spark;
    private final Configuration conf;
    private final CostJobOptions options;
    private final RunWindow window;
    private final CheckedInputs inputs;
    private final OutputLayout out;
    private final String runId;
    private final Instant started;
    private final Stages stages;
    private final FileGuard guard;
    private final int concurrentSteps;
    /**
     * What the run reads more than once (the flagged inputs, usage priced in place, and the outcomes),
     * checkpointed under {@code DIR/_checkpoints/<run id>} ({@link Kept#checkpointed}): made when the run
     * holds the output's lock and has cleared what a dead run left.
     */
    private Kept kept;
    /** Each table's staged rows as written, counted and fingerprinted in the write ({@link #writeStaged}). */
    private final Map<OutputTable, OutputWriter.Written> written = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each table's Delta version after this run's publish (--table-format delta), or null. */
    private Map<String, Long> deltaVersions;
    /** Given the job's invariants, the ones the audit checks ({@link #run}). */
    private final UnaryOperator<List<Invariant>> invariants;
    /** What this run found of a run that died holding the lock ({@link #recordDeadRun}), or null. */
    private LockTakenOver deadRun;

    /**
     * The outcome of a run.
     *
     * @param exitCode 0 completed, 1 an invariant failed (nothing published), 3 too much usage quarantined or
     *     an unreadable file left out (published), 5 no usage records in the window (nothing published), 6 the
     *     window shrank below --min-kept-share (nothing published)
     * @param reason why the exit code is not 0, one line (null for 0)
     * @param summary the run summary as written
     */
    public record RunResult(int exitCode, String reason, CostRunSummary summary) {}

    /** Step 1: inputs checked before anything is written. */
    private record CheckedInputs(
            RateCard card,
            RateLimitCard rateLimits,
            Map<InputFiles.Kind, List<String>> usageFiles,
            UsageFormat usageFormat,
            List<String> acceptanceFiles) {}

    /**
     * Step 2: usage read, validated and priced in one pass.
     *
     * @param flagged every record read in the window, flagged and priced in place (kept as a checkpoint)
     * @param requestCosts priced requests, contract request_costs
     * @param heldIds request_id of every usage record in quarantine
     * @param counts records, priced, exact duplicates
     * @param afterRunDate records read that were created after the run date (set aside)
     * @param tails the unparsed tails of the usage CSV files read
     */
    private record PricedUsage(
            Dataset<Row> flagged,
            Dataset<Row> requestCosts,
            Dataset<Row> quarantine,
            Dataset<Row> heldIds,
            FlaggedCounts counts,
            long afterRunDate,
            CsvTails tails) {}

    /** Step 3: the published cohorts a nightly run must not recompute ({@link FrozenCohorts}). */
    private record Frozen(Dataset<Row> assets, Dataset<Row> requests) {}

    /**
     * Step 4: acceptance records read and validated.
     *
     * @param taken true for a record decided before the end of the run date
     * @param onFrozen records set aside on requests of frozen cohorts
     * @param counts records (of the run), decisions used, exact duplicates
     * @param tails the unparsed tails of the acceptance CSV files read
     */
    private record Decisions(
            Dataset<Row> read,
            Column taken,
            Dataset<Row> onFrozen,
            Dataset<Row> decisions,
            Dataset<Row> quarantine,
            FlaggedCounts counts,
            CsvTails tails) {}

    /** Step 5: the outcomes and every table the run writes. */
    private record ReportSet(
            Dataset<Row> requestOutcomes,
            Dataset<Row> requestCosts,
            Dataset<Row> assetCosts,
            Dataset<Row> costPerApprovedAsset,
            Dataset<Row> retryWaste,
            Dataset<Row> quarantine,
            Dataset<Row> attempts,
            Dataset<Row> attemptCap,
            Dataset<Row> headroom) {

        Map<OutputTable, Dataset<Row>> tables() {
            Map<OutputTable, Dataset<Row>> m = new LinkedHashMap<>();
            m.put(OutputTable.REQUEST_COSTS, requestCosts);
            m.put(OutputTable.ASSET_COSTS, assetCosts);
            m.put(OutputTable.COST_PER_APPROVED_ASSET, costPerApprovedAsset);
            m.put(OutputTable.RETRY_WASTE, retryWaste);
            m.put(OutputTable.REQUEST_OUTCOMES, Outcomes.requestOutcomesTable(requestOutcomes));
            m.put(OutputTable.ATTEMPTS, attempts);
            m.put(OutputTable.ATTEMPT_CAP, attemptCap);
            m.put(OutputTable.RATE_LIMIT_HEADROOM, headroom);
            m.put(OutputTable.QUARANTINE, quarantine);
            return m;
        }
    }

    /**
     * Step 7: what the run counted, for the invariants and the summary ({@link CostSummary#inputs}).
     *
     * @param usageReasons usage records quarantined per reason code
     * @param acceptanceReasons acceptance records quarantined per reason code
     * @param decidedAfterRunDate acceptance records decided after the run date (set aside)
     * @param onFrozenRequests acceptance records on requests of frozen cohorts (set aside)
     * @param lateDecisions of those, decisions that would change a published cohort
     * @param lateUsage priced requests of frozen cohorts
     * @param usageTailLines physical lines of usage CSV files after the line where they stopped parsing
     * @param acceptanceTailLines the same, of acceptance CSV files
     */
    record RunCounts(
            InputCounts usage,
            Map<String, Long> usageReasons,
            InputCounts acceptance,
            Map<String, Long> acceptanceReasons,
            long decidedAfterRunDate,
            long onFrozenRequests,
            long lateDecisions,
            long lateUsage,
            long usageTailLines,
            long acceptanceTailLines) {}

    /**
     * Step 9: the audit of the staged run, before anything is published.
     *
     * @param reason why the exit code is not 0, one line (null for 0)
     * @param publishes whether the staged tables replace the published ones (exit 0 and 3 only)
     * @param shrunk the days that shrank below --min-kept-share (listed even when --allow-shrink publishes)
     */
    private record Audit(int exitCode, String reason, boolean publishes, List<ShrinkGuard.Shrunk> shrunk) {}

    private CostPipeline(
            SparkSession spark,
            CostJobOptions options,
            RunWindow window,
            CheckedInputs inputs,
            FileGuard guard,
            int concurrentSteps,
            String runId,
            Instant started,
            UnaryOperator<List<Invariant>> invariants) {
        this.spark = spark;
        this.conf = spark.sparkContext().hadoopConfiguration();
        this.options = options;
        this.window = window;
        this.inputs = inputs;
        this.out = new OutputLayout(options.out);
        this.runId = runId;
        this.started = started;
        this.stages = new Stages(spark, "assetcost");
        this.guard = guard;
        this.concurrentSteps = concurrentSteps;
        this.invariants = invariants;
    }

    /**
     * Runs the job.
     *
     * @param options validated options
     * @param window the cohorts to recompute (from {@link CostJobOptions#window})
     * @param runId the run's id ({@link io.assetcost.run.RunLog#newRunId}): its records, staging and log
     * @return exit code and summary
     * @throws InputException for an unusable input (before anything is written)
     * @throws io.assetcost.run.LockedException when another live run holds the output's lock
     */
    public static RunResult run(SparkSession spark, CostJobOptions options, RunWindow window, String runId) {
        return run(spark, options, window, runId, UnaryOperator.identity());
    }

    /**
     * Runs the job with its invariants passed through a function: the job's own are identities of exact
     * arithmetic and counts that no input makes fail, so a test adds one that fails, to see a refused run publish
     * nothing.
     *
     * @param options validated options
     * @param window the cohorts to recompute (from {@link CostJobOptions#window})
     * @param runId the run's id ({@link io.assetcost.run.RunLog#newRunId}): its records, staging and log
     * @param invariants given the job's invariants of the staged tables, the ones the audit checks
     * @return exit code and summary
     * @throws InputException for an unusable input (before anything is written)
     * @throws io.assetcost.run.LockedException when another live run holds the output's lock
     */
    public static RunResult run(
            SparkSession spark,
            CostJobOptions options,
            RunWindow window,
            String runId,
            UnaryOperator<List<Invariant>> invariants) {
        Instant started = Instant.now();
        SparkSettings.apply(spark);
        SparkSettings.forOutput(spark, options.out);
        FileGuard guard = new FileGuard(options.quarantineUnreadableFiles());
        CheckedInputs inputs = checkInputs(spark, options, window, guard);
        if (options.tableFormat.delta()) {
            DeltaTables.requireSession(spark, "--table-format delta");
        }
        int partitions = ShufflePartitions.forFiles(
                spark.sparkContext().hadoopConfiguration(), inputs.usageFiles(), inputs.acceptanceFiles());
        int steps = partitions <= SMALL_NIGHT_PARTITIONS ? SMALL_NIGHT_STEPS : 1;
        CostPipeline run = new CostPipeline(spark, options, window, inputs, guard, steps, runId, started, invariants);
        boolean sized = !spark.conf().contains(ShufflePartitions.KEY);
        if (sized) {
            spark.conf().set(ShufflePartitions.KEY, partitions);
        }
        try (OutputLock lock = OutputLock.acquire(run.conf, run.out, runId, options.lock.staleAfter())) {
            String completedPublish = Publisher.recover(spark, run.out);
            run.recordDeadRun(lock.takenOver(), completedPublish);
            checkTableFormat(spark, options, window);
            LOG.info(
                    "run {}: {}; {} shuffle partitions ({}); {} independent steps at a time",
                    runId,
                    window,
                    spark.conf().get(ShufflePartitions.KEY),
                    sized ? "sized from the input" : "as configured",
                    steps);
            return run.execute();
        } finally {
            if (sized) {
                spark.conf().unset(ShufflePartitions.KEY);
            }
        }
    }

    /**
     * Records a run that died holding the lock (killed, its machine lost): in this run's summary
     * ({@code lock_taken_over}) and, since it wrote none, as its own record under {@code _runs/} with no exit
     * code, saying who found it dead and whether its publish was completed.
     */
    private void recordDeadRun(OutputLock.TakenOver dead, String completedPublish) {
        if (dead == null) {
            return;
        }
        deadRun = new LockTakenOver(
                dead, runId, Instant.now().toString(), dead.runId().equals(completedPublish));
        LOG.warn(
                "run {} (host {}, pid {}, started {}) died holding the lock ({}); recorded in {}",
                dead.runId(),
                dead.host(),
                dead.pid(),
                dead.startedAt(),
                dead.why(),
                out.runs());
        Path record = out.runRecord(dead.runId());
        try {
            if (!dead.runId().equals("?") && !record.getFileSystem(conf).exists(record)) {
                String outcome =
                        "died without finishing: its lock was taken over by run " + runId + " (" + dead.why() + ")";
                RunSummary.writeJson(
                        conf,
                        record,
                        new CostRunSummary.DeadRun(
                                new RunSummary.Header(CostRunSummary.JOB, dead.runId(), dead.startedAt(), null, null),
                                outcome,
                                deadRun));
            }
        } catch (java.io.IOException e) {
            LOG.warn("cannot record the dead run {}: {}", dead.runId(), e.getMessage());
        }
    }

    private RunResult execute() {
        try (Kept k = Kept.checkpointed(spark, out.checkpointsRoot(), runId)) {
            kept = k;
            PricedUsage usage = readUsage();
            Frozen frozen = readFrozen();
            Decisions decisions = readDecisions(usage, frozen);
            ReportSet reports = buildReports(usage, decisions, frozen);
            writeStaged(reports);
            RunCounts counts = count(usage, decisions, frozen, reports);
            List<Invariant> checks = checkInvariants(usage, reports, counts);
            Audit audit = audit(counts, checks);
            if (audit.publishes()) {
                publish();
                writeReport(audit.exitCode());
            }
            return summarise(counts, reports, checks, audit);
        }
    }

    /**
     * Step 1, continued, holding the lock and after a dead run's publish is completed (it may have converted
     * the tables): the output's tables can take this run's format. A nightly run replaces partitions, so it
     * needs the published tables in its own format; a full run replaces whole tables and converts them
     * (README, "Outputs"). The publish relies on this check: no other run moves the tables while the lock is
     * held.
     *
     * @throws InputException (exit 2, nothing written) naming the option to change
     */
    private static void checkTableFormat(SparkSession spark, CostJobOptions options, RunWindow window) {
        boolean delta = options.tableFormat.delta();
        if (window.full()) {
            return;
        }
        OutputLayout out = new OutputLayout(options.out);
        for (OutputTable t : TABLES) {
            Path live = out.table(t);
            try {
                if (t.partitionColumn() == null || !TableReader.exists(spark, live)) {
                    continue;
                }
            } catch (java.io.IOException e) {
                throw new InputException("--out " + options.out + " cannot be read: " + e.getMessage(), e);
            }
            if (TableReader.isDelta(spark, live) != delta) {
                throw new InputException("--out " + options.out + " holds " + (delta ? "Parquet" : "Delta")
                        + " tables (" + t.tableName() + "): a nightly run with --table-format "
                        + (delta ? "delta" : "parquet") + " cannot replace their partitions; give --table-format "
                        + (delta ? "parquet" : "delta") + ", or run once with --full to convert them");
            }
        }
    }

    /**
     * Step 1: everything that can make the input unusable, before any write: the rate card, the input
     * paths, every CSV header and the Parquet schema. An unreadable file is fatal or left out ({@link FileGuard}).
     */
    private static CheckedInputs checkInputs(
            SparkSession spark, CostJobOptions options, RunWindow window, FileGuard guard) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        RateCard card = RateCard.load(conf, options.rates);
        RateLimitCard rateLimits = RateLimitCard.load(conf, options.rateLimits);
        List<InputFiles.Kind> usageKinds = options.usageFormat().kinds();
        // A directory with no usage file, or none for the window's days, is an empty night (exit 5), not an
        // unusable input: it is what a failed upstream export looks like.
        Map<InputFiles.Kind, List<String>> usageFiles = new EnumMap<>(InputFiles.Kind.class);
        usageFiles.putAll(
                InputFiles.forWindow(InputFiles.list(conf, "--usage", options.usage, usageKinds, true), window));
        if (usageFiles.isEmpty()) {
            LOG.warn("--usage {} holds no usage file for {}", options.usage, window);
        }
        InputFiles.Kind acceptanceKind =
                options.langfuseAcceptance() ? InputFiles.Kind.JSON_LINES : InputFiles.Kind.CSV;
        List<String> acceptanceFiles = InputFiles.forWindow(
                        InputFiles.list(conf, "--acceptance", options.acceptance, List.of(acceptanceKind)), window)
                .getOrDefault(acceptanceKind, List.of());
        UsageFormat usageFormat = options.usageFormat() == UsageFormat.AUTO
                ? UsageFormatDetector.detect(conf, usageFiles)
                : options.usageFormat();
        if (usageFormat.own()) {
            checkOwnUsage(spark, usageFiles, guard);
        } else if (options.usageFormat() == UsageFormat.AUTO) {
            LOG.info("--usage {} holds {} files (told by their content)", options.usage, usageFormat.code());
        }
        usageFiles.values().removeIf(List::isEmpty);
        List<String> acceptanceHeaders = Schemas.requiredColumns(Schemas.ACCEPTANCE_RECORD);
        acceptanceFiles = options.langfuseAcceptance()
                ? LangfuseScores.scoreFiles(acceptanceFiles)
                : guard.run("--acceptance", acceptanceFiles, fs -> {
                    CsvSource.checkHeaders(conf, "--acceptance", fs, acceptanceHeaders);
                    return fs;
                });
        return new CheckedInputs(card, rateLimits, usageFiles, usageFormat, acceptanceFiles);
    }

    /** The flat export's CSV headers and Parquet schema, for the job's own usage shapes; unreadable files left out. */
    private static void checkOwnUsage(
            SparkSession spark, Map<InputFiles.Kind, List<String>> usageFiles, FileGuard guard) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<String> usageHeaders = Schemas.requiredColumns(Schemas.USAGE_EXPORT);
        usageFiles.computeIfPresent(
                InputFiles.Kind.CSV,
                (k, files) -> guard.run("--usage", files, fs -> {
                    CsvSource.checkHeaders(conf, "--usage", fs, usageHeaders);
                    return fs;
                }));
        usageFiles.computeIfPresent(
                InputFiles.Kind.PARQUET,
                (k, files) -> guard.run("--usage", files, fs -> {
                    UsageReader.checkParquetSchema(spark, "--usage", fs);
                    return fs;
                }));
    }

    /**
     * Step 2: usage read once, validated and priced in one pass, and kept; usage created after the run date
     * is not this run's. A record's raw text is kept only where it goes to quarantine (a rule broken, no
     * rate, an implausible cost): it is most of a record's bytes and nothing else reads it.
     */
    private PricedUsage readUsage() {
        stages.start("read, validate and price usage");
        List<String> files =
                inputs.usageFiles().values().stream().flatMap(List::stream).toList();
        PricedUsage usage = guard.run("--usage", files, this::priceUsage);
        stages.done(usage.counts().records() + usage.afterRunDate(), "records");
        return usage;
    }

    private PricedUsage priceUsage(List<String> files) {
        Column taken = window.takes(col(CREATED_AT));
        CsvTails tails = CsvTails.register(spark, Quarantine.USAGE);
        Dataset<Row> read = UsageReader.read(
                spark,
                inputs.usageFormat(),
                InputFiles.only(inputs.usageFiles(), files),
                options.usageFormatOptions(),
                tails);
        Dataset<Row> usage = read.filter(taken);
        Column trusted = UsageValidation.trusted();
        Column priceRejected = col(UsageValidation.PRICE_REASON).isNotNull();
        // The request_ids with copies first (a narrow aggregate), then the rules and the prices row by row,
        // then one shuffle by request_id of rows that carry their text only where a later step reads it.
        UsageValidation.Copies copies = UsageValidation.copies(usage);
        Dataset<Row> rated = UsageValidation.checkPrice(
                RequestPricing.rate(
                        UsageValidation.check(usage, options.bounds(), copies),
                        inputs.card(),
                        col(PARSE_REASON).isNull(),
                        options.bounds().maxTokensPerMeter()),
                options.bounds());
        Dataset<Row> narrow = kept.keep(UsageValidation.narrow(rated, priceRejected));
        Column toQuarantine = UsageValidation.rejected().or(trusted.and(priceRejected));
        Dataset<Row> flagged = UsageValidation.resolve(narrow, copies, toQuarantine);
        FlaggedCounts counts =
                FlaggedCounts.of(flagged, trusted.and(priceRejected.unary_$bang()), DUPLICATE, UsageValidation.blank());
        long afterRunDate = window.end() == null ? 0 : countWhere(read, taken.unary_$bang());

        UsageValidation.Result checked = UsageValidation.views(flagged);
        Dataset<Row> accepted = checked.accepted();
        Dataset<Row> requestCosts = OutputTable.REQUEST_COSTS.conform(accepted.filter(priceRejected.unary_$bang()));
        Dataset<Row> quarantine = Quarantine.fromParseColumns(checked.quarantined(), Quarantine.USAGE)
                .unionByName(Quarantine.rows(
                        accepted.filter(priceRejected),
                        Quarantine.USAGE,
                        col(UsageValidation.PRICE_REASON),
                        col(UsageValidation.PRICE_DETAIL)));
        // Held ids: a filter of the kept dataset, so partitioned by request_id like the acceptance records.
        Dataset<Row> heldIds =
                flagged.filter(toQuarantine.and(col(REQUEST_ID).isNotNull())).select(REQUEST_ID);
        return new PricedUsage(flagged, requestCosts, quarantine, heldIds, counts, afterRunDate, tails);
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
        Decisions decisions =
                guard.run("--acceptance", inputs.acceptanceFiles(), files -> validateDecisions(files, usage, frozen));
        stages.done(decisions.counts().used(), "decisions used");
        return decisions;
    }

    private Decisions validateDecisions(List<String> files, PricedUsage usage, Frozen frozen) {
        CsvTails tails = CsvTails.register(spark, Quarantine.ACCEPTANCE);
        Dataset<Row> read = readAcceptance(files, tails);
        Column taken = window.takes(Times.iso(col(DECIDED_AT)));
        FrozenCohorts.Split split = FrozenCohorts.splitDecisions(read.filter(taken), frozen.requests());
        // The views are filters of the kept dataset, not of the plan that made it: a checkpoint is not
        // substituted into other plans the way a cached plan is.
        Dataset<Row> flagged = kept.keep(AcceptanceValidation.validate(
                        split.current(),
                        usage.requestCosts().select(REQUEST_ID, N, WORKFLOW_ID, ASSET_ID, CREATED_AT),
                        usage.heldIds())
                .flagged());
        AcceptanceValidation.Result acceptance = AcceptanceValidation.views(flagged);
        FlaggedCounts counts = FlaggedCounts.of(
                flagged, col(PARSE_REASON).isNull().and(col(DUPLICATE).unary_$bang()), DUPLICATE, lit(false));
        Dataset<Row> quarantine = Quarantine.fromParseColumns(acceptance.quarantined(), Quarantine.ACCEPTANCE);
        return new Decisions(read, taken, split.onFrozen(), acceptance.decisions(), quarantine, counts, tails);
    }

    /**
     * The acceptance records as string rows of the acceptance contract: today's CSV, or the decisions among a
     * Langfuse export's scores (the other scores are counted in the run log, not read).
     */
    private Dataset<Row> readAcceptance(List<String> files, CsvTails tails) {
        if (!options.langfuseAcceptance()) {
            return CsvSource.read(spark, files, Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), false, tails);
        }
        LangfuseScores.Options scores = options.langfuseScoreOptions();
        LOG.info(
                "--acceptance-format langfuse: {} score lines are not '{}' scores and are not decisions",
                LangfuseScores.ignored(spark, files, scores),
                scores.scoreName());
        return LangfuseScores.read(spark, files, scores);
    }

    /** Step 5: outcomes and reports, for the window's cohorts. */
    private ReportSet buildReports(PricedUsage usage, Decisions decisions, Frozen frozen) {
        stages.start("resolve outcomes");
        // Each request meets its review by request_id first, where both are partitioned so; the frozen assets
        // are dropped after, since that join may shuffle by asset, as the outcomes' window does next.
        Dataset<Row> costs = usage.requestCosts()
                .select(OUTCOME_COLUMNS[0], Arrays.copyOfRange(OUTCOME_COLUMNS, 1, OUTCOME_COLUMNS.length));
        Dataset<Row> reviewed = FrozenCohorts.unfrozen(
                Outcomes.reviewed(costs, Outcomes.requestDecisions(Outcomes.imageOutcomes(decisions.decisions()))),
                frozen.assets());
        Dataset<Row> requestOutcomes =
                kept.keep(Outcomes.requestOutcomes(reviewed).filter(window.covers(COHORT_DATE)));
        Dataset<Row> assetCosts = kept.keep(Reports.assetCosts(requestOutcomes));
        Dataset<Row> cpa = kept.keep(Reports.costPerApprovedAsset(assetCosts));
        Dataset<Row> retryWaste = kept.keep(Reports.retryWaste(requestOutcomes, cpa));
        Dataset<Row> quarantine = kept.keep(OutputTable.QUARANTINE.conform(usage.quarantine()
                .unionByName(decisions.quarantine())
                .unionByName(CostSummary.unreadableFileRows(spark, guard.unreadable()))));
        Dataset<Row> requestCosts = usage.requestCosts().filter(window.covers(USAGE_DATE));
        Dataset<Row> attempts = kept.keep(Attempts.byAttempts(assetCosts));
        Dataset<Row> attemptCap = Attempts.cap(Outcomes.requestOutcomesTable(requestOutcomes), options.attemptCap);
        Dataset<Row> headroom = Headroom.of(
                requestCosts,
                inputs.rateLimits().dataset(spark),
                inputs.rateLimits().limits().stream()
                        .map(RateLimitCard.Limit::model)
                        .distinct()
                        .toList(),
                options.accountTier);
        return new ReportSet(
                requestOutcomes, requestCosts, assetCosts, cpa, retryWaste, quarantine, attempts, attemptCap, headroom);
    }

    /** Step 6: every table under the run's staging directory. */
    private void writeStaged(ReportSet reports) {
        List<Stages.Step<OutputWriter.Written>> writes = new ArrayList<>();
        for (Map.Entry<OutputTable, Dataset<Row>> table : reports.tables().entrySet()) {
            writes.add(new Stages.Step<>("write " + table.getKey().tableName(), () -> {
                OutputWriter.Written w =
                        OutputWriter.parquetObserved(table.getValue(), out.staging(runId), table.getKey());
                written.put(table.getKey(), w);
                return w;
            }));
        }
        stages.concurrently(concurrentSteps, writes, OutputWriter.Written::rows, "rows");
    }

    /** Step 10: every table published at once, then the CSV files rewritten from the published tables. */
    private void publish() {
        stages.start("publish " + window);
        if (options.tableFormat.delta()) {
            deltaVersions = Publisher.publishDelta(spark, out, runId, TABLES, window, List.of());
        } else {
            Publisher.publish(conf, out, runId, TABLES, window);
        }
        stages.done(TABLES.size(), "tables");
        List<Stages.Step<Path>> csv = TABLES.stream()
                .filter(OutputTable::csv)
                .map(table -> new Stages.Step<>("write " + out.csv(table).getName(), () -> {
                    OutputWriter.csvReplacing(published(table), table, conf, out.csv(table));
                    return out.csv(table);
                }))
                .toList();
        stages.concurrently(concurrentSteps, csv, file -> 1, "file");
    }

    /** Step 7: quarantine by reason, records set aside, and late activity on frozen cohorts. */
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
                : FrozenCohorts.lateDecisions(
                                decisions.decisions(),
                                decisions.onFrozen(),
                                Times.iso(col(DECIDED_AT)),
                                frozen.assets(),
                                window)
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
                u.skipped(),
                u.used(),
                total(usageReasons),
                u.duplicates());
        InputCounts acceptanceCounts = new InputCounts(
                a.records() + decidedAfter + onFrozen,
                decidedAfter + onFrozen,
                0,
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
                lateUsage,
                usage.tails().lines(),
                decisions.tails().lines());
    }

    /** Step 8: the invariants, on the tables as staged (the kept datasets they were written from). */
    private List<Invariant> checkInvariants(PricedUsage usage, ReportSet reports, RunCounts counts) {
        stages.start("check invariants");
        List<Invariant> checks = new ArrayList<>(InvariantChecks.conservation(
                reports.requestOutcomes().select(COST_USD, REQUEST_ID),
                reports.assetCosts(),
                reports.costPerApprovedAsset(),
                reports.attempts()));
        checks.add(Invariant.accounted("usage", counts.usage()));
        checks.add(Invariant.accounted("acceptance", counts.acceptance()));
        checks.add(InvariantChecks.nothingUnpriced(usage.requestCosts()));
        List<Invariant> audited = invariants.apply(checks);
        stages.done(audited.size(), "checks");
        Invariant.logFailures(audited, LOG);
        return audited;
    }

    /**
     * Step 9: the audit, on the staged tables and the counts, before anything is published. Exit 1 (an
     * invariant failed), 5 (an empty night, unless --allow-empty-usage) and 6 (the window shrank, unless
     * --allow-shrink) publish nothing; exit 3 and 0 publish.
     */
    private Audit audit(RunCounts counts, List<Invariant> checks) {
        stages.start("audit the staged tables");
        boolean empty = counts.usage().examined() - counts.usage().skipped() == 0;
        List<ShrinkGuard.Shrunk> shrunk = empty && options.allowEmptyUsage
                ? List.of()
                : ShrinkGuard.check(
                        staged(OutputTable.REQUEST_COSTS),
                        published(OutputTable.REQUEST_COSTS).filter(window.covers(USAGE_DATE)),
                        staged(OutputTable.ASSET_COSTS),
                        published(OutputTable.ASSET_COSTS).filter(window.covers(COHORT_DATE)),
                        options.minKeptShare);
        String[] exit = exit(checks, quarantinedFraction(counts.usage()), counts.usage(), shrunk);
        int code = Integer.parseInt(exit[0]);
        boolean publishes = code == 0 || code == 3;
        stages.done(shrunk.size(), "days shrunk");
        if (!shrunk.isEmpty() && publishes) {
            LOG.warn("publishing a window that shrank (--allow-shrink): {}", describe(shrunk));
        }
        return new Audit(code, exit[1], publishes, shrunk);
    }

    /** Step 11: the run summary, written to {@code run_summary.json} and {@code _runs/}. */
    private RunResult summarise(RunCounts counts, ReportSet reports, List<Invariant> checks, Audit audit) {
        BigDecimal fraction = quarantinedFraction(counts.usage());
        CostRunSummary.Totals totals = CostSummary.totals(reports.assetCosts());
        String attention = lateActivity(counts);
        List<CostRunSummary.GatewayCost> gatewayCosts =
                CostSummary.gatewayCosts(reports.requestCosts(), inputs.usageFormat());
        Map<String, String> fingerprints = fingerprints(audit.publishes());
        int exitCode = audit.exitCode();
        CostRunSummary summary = new CostRunSummary(
                RunSummary.Header.finished(CostRunSummary.JOB, runId, started, exitCode),
                CostSummary.window(window, inputs.usageFiles(), inputs.acceptanceFiles()),
                CostSummary.options(options),
                Integer.parseInt(spark.conf().get(ShufflePartitions.KEY)),
                CostSummary.inputs(counts, inputs.card(), inputs.rateLimits()),
                CostSummary.unreadable(guard.unreadable()),
                deadRun,
                attention,
                fraction.toPlainString(),
                totals,
                gatewayCosts,
                checks,
                new CostRunSummary.ShrinkGuardBlock(
                        options.minKeptShare.toPlainString(), options.allowShrink, audit.shrunk()),
                audit.publishes(),
                audit.publishes() ? null : out.staging(runId).toString(),
                fingerprints,
                options.tableFormat.delta() ? "delta" : "parquet",
                deltaVersions,
                audit.reason());
        RunSummary.write(conf, summary, out.runSummary(), out.runRecord(runId));
        LOG.info(
                "assetcost: usage read {} (priced {}, quarantined {}, duplicates {}, blank lines {}); acceptance read"
                        + " {} (used {}, quarantined {}, duplicates {}); total {} USD; tables in {}; exit {}",
                counts.usage().read(),
                counts.usage().used(),
                counts.usage().quarantined(),
                counts.usage().duplicates(),
                counts.usage().skipped(),
                counts.acceptance().read(),
                counts.acceptance().used(),
                counts.acceptance().quarantined(),
                counts.acceptance().duplicates(),
                totals.totalCostUsd(),
                out.root(),
                exitCode);
        return new RunResult(exitCode, audit.reason(), summary);
    }

    /** {@code attention}: late activity on frozen cohorts, for the on-call (also a WARN line); null if none. */
    private String lateActivity(RunCounts counts) {
        if (counts.lateDecisions() + counts.lateUsage() == 0) {
            return null;
        }
        String attention = counts.lateDecisions() + " decisions and " + counts.lateUsage()
                + " requests arrived after their cohort was last recomputed (cohorts before " + window.first()
                + "): rerun with a larger --lookback-days or --full";
        LOG.warn("{}", attention);
        return attention;
    }

    /** The shrunk days in one line: the first five, then how many more. */
    private static String describe(List<ShrinkGuard.Shrunk> shrunk) {
        List<String> days =
                shrunk.stream().limit(5).map(ShrinkGuard.Shrunk::describe).toList();
        return String.join("; ", days) + (shrunk.size() > 5 ? "; and " + (shrunk.size() - 5) + " more" : "");
    }

    /** After the publish: report.html from the published tables, {@link #concurrentSteps} queries at a time. */
    private void writeReport(int exitCode) {
        String runLine = "run " + runId + ", " + window + ", exit " + exitCode;
        CostPage.write(spark, out, inputs.rateLimits(), options.reportOptions(), runLine, stages, concurrentSteps);
    }

    /**
     * The exit code and why it is not 0, first that holds: 1 when an invariant failed, 5 when the window held
     * no usage records (unless allowed), 6 when the window shrank (unless allowed), 3 when too much usage was
     * quarantined or an unreadable file was left out, else 0. Only 0 and 3 publish.
     *
     * @return {code, reason or null}
     */
    private String[] exit(
            List<Invariant> checks, BigDecimal fraction, InputCounts usage, List<ShrinkGuard.Shrunk> shrunk) {
        String unpublished =
                "; nothing published (the staged tables are under " + out.staging(runId) + " until the next run)";
        Invariant failed = checks.stream().filter(c -> !c.passed()).findFirst().orElse(null);
        if (failed != null) {
            return new String[] {"1", "invariant failed: " + failed.name() + " (" + failed.detail() + ")" + unpublished
            };
        }
        if (usage.examined() - usage.skipped() == 0 && !options.allowEmptyUsage) {
            return new String[] {
                "5",
                "no usage records in " + window + " (" + filesRead()
                        + "): an empty night is usually an upstream export that" + " failed" + unpublished
                        + "; --allow-empty-usage publishes it if it is expected"
            };
        }
        if (!shrunk.isEmpty() && !options.allowShrink) {
            return new String[] {
                "6",
                "the window shrank below " + options.minKeptShare.toPlainString()
                        + " of what is published for the same days (--min-kept-share), a partial export?: "
                        + describe(shrunk) + unpublished + "; --allow-shrink publishes it"
            };
        }
        List<String> why = new ArrayList<>();
        if (fraction.compareTo(options.maxQuarantinedFraction) > 0) {
            why.add(percent(fraction) + " of usage records quarantined > " + percent(options.maxQuarantinedFraction)
                    + " (--max-quarantined-fraction " + options.maxQuarantinedFraction.toPlainString() + ")");
        }
        if (!guard.unreadable().isEmpty()) {
            why.add(guard.unreadable().size() + " unreadable file(s) left out and listed in quarantine: "
                    + String.join(
                            ", ",
                            guard.unreadable().stream()
                                    .map(FileGuard.Unreadable::file)
                                    .toList()));
        }
        if (!why.isEmpty()) {
            return new String[] {"3", String.join("; ", why)};
        }
        return new String[] {"0", null};
    }

    /** How many usage files the run read, in words: {@code 0 files read}, {@code 1 file read}. */
    private String filesRead() {
        int n = inputs.usageFiles().values().stream().mapToInt(List::size).sum();
        return n + (n == 1 ? " file read" : " files read");
    }

    private static String percent(BigDecimal fraction) {
        return fraction.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }

    /** Share of the examined usage records that went to quarantine, 6 places, half-even. */
    private static BigDecimal quarantinedFraction(InputCounts usage) {
        return usage.examined() == 0
                ? BigDecimal.ZERO
                : BigDecimal.valueOf(usage.quarantined())
                        .divide(BigDecimal.valueOf(usage.examined()), 6, RoundingMode.HALF_EVEN);
    }

    /**
     * The published tables' fingerprints. Where this run published, a table's staged rows were fingerprinted
     * as they were written: only the partitions it kept (outside a nightly window) are read, none on a full
     * run. Where it did not publish, the published tables are read whole.
     */
    private Map<String, String> fingerprints(boolean published) {
        Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
        Map<String, OutputWriter.Written> staged = new LinkedHashMap<>();
        for (OutputTable table : TABLES) {
            OutputWriter.Written w = written.get(table);
            if (!published || w == null) {
                tables.put(table.tableName(), published(table));
                continue;
            }
            staged.put(table.tableName(), w);
            boolean replacedWhole = window.full() || table.partitionColumn() == null;
            tables.put(
                    table.tableName(),
                    replacedWhole
                            ? published(table).limit(0)
                            : published(table)
                                    .filter(coalesce(window.covers(table.partitionColumn()), lit(false))
                                            .unary_$bang()));
        }
        return CostSummary.fingerprints(tables, staged);
    }

    /** A table as this run staged it, read with its contract's schema. */
    private Dataset<Row> staged(OutputTable table) {
        return TableReader.readOrEmpty(spark, out.staged(runId, table), table);
    }

    /** A published table, read with its contract's schema; empty when it does not exist yet. */
    private Dataset<Row> published(OutputTable table) {
        return TableReader.readOrEmpty(spark, out.table(table), table);
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
