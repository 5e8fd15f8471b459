package io.assetcost;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.io.UsageReader;
import io.assetcost.ops.OutputLock;
import io.assetcost.ops.Publisher;
import io.assetcost.ops.RunWindow;
import io.assetcost.outcome.Outcomes;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.AcceptanceValidation;
import io.assetcost.quality.InvariantChecks;
import io.assetcost.quality.Quarantine;
import io.assetcost.quality.UsageValidation;
import io.assetcost.report.Reports;
import io.assetcost.schema.Cols;
import io.assetcost.schema.Schemas;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the cost job: read and validate the inputs, price, resolve outcomes, build the reports,
 * write every table, check the invariants and write {@code run_summary.json}.
 *
 * <p>Order matters for "nothing is written" on unusable input: the rate card, every input path and every
 * CSV header (and Parquet schema) are checked before any output is touched. Then the run takes the output's
 * lock ({@link OutputLock}), completes a publish a dead run left ({@link Publisher#recover}), writes every
 * table under staging and publishes them together, replacing exactly the partitions of its
 * {@link RunWindow}.
 */
public final class CostPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(CostPipeline.class);

  /** Classpath resource of the embedded default rate card. */
  public static final String DEFAULT_RATE_CARD = "assetcost/default-rate-card.csv";
  /** The run summary's file name under the output directory. */
  public static final String RUN_SUMMARY = "run_summary.json";
  /** Tables also written as one CSV file each. */
  public static final List<String> CSV_TABLES =
      List.of(Schemas.COST_PER_APPROVED_ASSET, Schemas.RETRY_WASTE, Schemas.QUARANTINE);
  /** Where each run's summary is kept. */
  public static final String RUNS = "_runs";
  /** Hive-style partition column of each table (quarantine is replaced whole: the latest run's). */
  public static final Map<String, String> PARTITIONS = Map.of(Schemas.REQUEST_COSTS, Cols.USAGE_DATE,
      Schemas.ASSET_COSTS, Cols.COHORT_DATE, Schemas.COST_PER_APPROVED_ASSET, Cols.COHORT_DATE,
      Schemas.RETRY_WASTE, Cols.COHORT_DATE);
  /** Row order of each table within a partition (and of its CSV file): stable files for stable reruns. */
  public static final Map<String, List<String>> SORT = Map.of(
      Schemas.REQUEST_COSTS, List.of(Cols.USAGE_DATE, Cols.REQUEST_ID),
      Schemas.ASSET_COSTS, List.of(Cols.COHORT_DATE, Cols.WORKFLOW_ID, Cols.ASSET_ID),
      Schemas.COST_PER_APPROVED_ASSET, List.of(Cols.COHORT_DATE, Cols.WORKFLOW_ID),
      Schemas.RETRY_WASTE, List.of(Cols.COHORT_DATE, Cols.WORKFLOW_ID, Cols.WASTE_REASON),
      Schemas.QUARANTINE, List.of(Cols.SOURCE, Cols.SOURCE_FILE, Cols.REASON, Cols.RAW_RECORD, Cols.DETAIL));
  private static final java.time.format.DateTimeFormatter RUN_ID =
      java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

  /**
   * How the run keeps what it reads more than once (the flagged inputs, usage priced in place, and the outcomes): on the
   * executors' local disk (spark.local.dir), where the operating system's page cache, not the JVM heap,
   * holds it. Kept on the heap (MEMORY_AND_DISK, serialized or not) the caches of 10M requests ran a
   * 4 GiB heap out of memory (README, "Performance").
   */
  public static final StorageLevel CACHE = StorageLevel.DISK_ONLY();

  private CostPipeline() {}

  /**
   * The outcome of a run.
   *
   * @param exitCode 0 completed, 1 an invariant failed, 3 too much usage quarantined
   * @param summary the run summary as written
   */
  public record RunResult(int exitCode, Map<String, Object> summary) {}

  /**
   * Sets the SQL options the job's arithmetic and output depend on (idempotent): UTC session time
   * zone; exact decimal arithmetic ({@code allowPrecisionLoss=false}); java.time values for dates and
   * timestamps; Parquet timestamps as INT64 microseconds (readable by parquet-avro, DuckDB, Trino, Athena).
   */
  public static void configure(SparkSession spark) {
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.decimalOperations.allowPrecisionLoss", "false");
    spark.conf().set("spark.sql.datetime.java8API.enabled", "true");
    spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    // request_costs has over 40 columns: let plans print whole rather than warn on every run.
    spark.conf().set("spark.sql.debug.maxToStringFields", "200");
  }

  /**
   * Runs the job.
   *
   * @param spark the session
   * @param options validated options
   * @param window the cohorts to recompute (from {@link CostJobOptions#window})
   * @return exit code and summary
   * @throws InputException for an unusable input (before anything is written)
   * @throws io.assetcost.ops.LockedException when another live run holds the output's lock
   */
  public static RunResult run(SparkSession spark, CostJobOptions options, RunWindow window) {
    Instant started = Instant.now();
    String runId = RUN_ID.format(started) + "-" + ProcessHandle.current().pid();
    configure(spark);
    Configuration conf = spark.sparkContext().hadoopConfiguration();

    // 1. Everything that can make the input unusable, before any write.
    RateCard card = loadRateCard(conf, options.rates);
    Map<InputFiles.Kind, List<String>> usageFiles = InputFiles.forWindow(InputFiles.list(conf, "--usage",
        options.usage, List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV, InputFiles.Kind.PARQUET)), window);
    if (usageFiles.isEmpty()) {
      throw new InputException("--usage " + options.usage + " has no day folder (date=YYYY-MM-DD) in " + window);
    }
    Map<InputFiles.Kind, List<String>> acceptanceFiles = InputFiles.forWindow(InputFiles.list(conf, "--acceptance",
        options.acceptance, List.of(InputFiles.Kind.CSV)), window);
    if (usageFiles.containsKey(InputFiles.Kind.CSV)) {
      CsvSource.checkHeaders(conf, "--usage", usageFiles.get(InputFiles.Kind.CSV),
          Schemas.fieldNames(Schemas.USAGE_EXPORT));
    }
    if (usageFiles.containsKey(InputFiles.Kind.PARQUET)) {
      checkParquetSchema(spark, usageFiles.get(InputFiles.Kind.PARQUET));
    }
    List<String> acceptanceCsv = acceptanceFiles.getOrDefault(InputFiles.Kind.CSV, List.of());
    CsvSource.checkHeaders(conf, "--acceptance", acceptanceCsv, Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD));

    try (OutputLock lock = OutputLock.acquire(conf, options.out, runId,
        Duration.ofMinutes(options.lockStaleMinutes))) {
      Publisher.recover(conf, options.out);
      LOG.info("run {}: {}", runId, window);
      return runLocked(spark, options, window, card, usageFiles, acceptanceCsv, runId, started);
    }
  }

  private static RunResult runLocked(SparkSession spark, CostJobOptions options, RunWindow window, RateCard card,
      Map<InputFiles.Kind, List<String>> usageFiles, List<String> acceptanceCsv, String runId, Instant started) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Column beforeEnd = window.end() == null ? lit(true)
        : col(Cols.CREATED_AT).isNull().or(col(Cols.CREATED_AT).lt(lit(window.end().toString()).cast("timestamp")));

    // 2. Usage: read, validate, price (usage created after the run date is not this run's). The input is
    //    read once: every record, flagged, is kept (memory, then disk) and the rest are filters of it.
    long t = System.nanoTime();
    stage(spark, "read, validate and price usage");
    Dataset<Row> usageRead = UsageReader.read(spark, usageFiles);
    Dataset<Row> usage = UsageValidation.byRequestId(usageRead.filter(beforeEnd));
    // Validated and priced in one pass; a record's raw text is kept only where it goes to quarantine
    // (a rule broken, or no rate): it is most of a record's bytes and nothing else reads it.
    Column trusted = UsageValidation.trusted();
    Dataset<Row> rated = RequestPricing.rate(UsageValidation.validate(usage).flagged(), card, trusted);
    Column toQuarantine = col(Cols.PARSE_REASON).isNotNull()
        .or(trusted.and(col(RequestPricing.NO_RATE_DETAIL).isNotNull()));
    Dataset<Row> usageFlagged = rated.withColumn(Cols.RAW_RECORD, when(toQuarantine, col(Cols.RAW_RECORD)))
        .persist(CACHE);
    UsageValidation.Result checked = UsageValidation.views(usageFlagged);
    // Records, priced requests and exact duplicates: one pass over what was kept.
    long[] usageCounts = flaggedCounts(usageFlagged,
        trusted.and(col(RequestPricing.NO_RATE_DETAIL).isNull()), UsageValidation.DUPLICATE);
    long usageInWindow = usageCounts[0];
    long afterRunDate = window.end() == null ? 0 : countWhere(usageRead, beforeEnd.unary_$bang());
    long usageReadCount = usageInWindow + afterRunDate;
    t = logStage("read, validate and price usage", usageReadCount, t);
    Dataset<Row> accepted = checked.accepted();
    Dataset<Row> unpriced = accepted.filter(col(RequestPricing.NO_RATE_DETAIL).isNotNull());
    Dataset<Row> requestCosts = Schemas.conform(accepted.filter(col(RequestPricing.NO_RATE_DETAIL).isNull()),
        Schemas.REQUEST_COSTS);
    long usagePriced = usageCounts[1];
    Dataset<Row> usageQuarantine = Quarantine.fromParseColumns(checked.quarantined(), Quarantine.USAGE)
        .unionByName(Quarantine.rows(unpriced, Quarantine.USAGE, lit("no_rate"),
            col(RequestPricing.NO_RATE_DETAIL)));
    // Request ids of everything in usage quarantine: a filter of the kept dataset, partitioned by request_id.
    Dataset<Row> heldIds = usageFlagged.filter(toQuarantine.and(col(Cols.REQUEST_ID).isNotNull()))
        .select(Cols.REQUEST_ID);

    // Assets of cohorts before the window are frozen: the published tables know them and their requests.
    Column beforeWindow = window.full() ? lit(false) : col(Cols.USAGE_DATE).lt(lit(window.first().toString()).cast("date"));
    Dataset<Row> frozenAssets = published(spark, options.out, Schemas.ASSET_COSTS)
        .filter(window.full() ? lit(false) : col(Cols.COHORT_DATE).lt(lit(window.first().toString()).cast("date")))
        .select(Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.COHORT_DATE);
    Dataset<Row> frozenRequests = published(spark, options.out, Schemas.REQUEST_COSTS).filter(beforeWindow)
        .select(Cols.REQUEST_ID, Cols.WORKFLOW_ID, Cols.ASSET_ID);

    // 3. Acceptance: decisions made after the run date are not this run's; decisions on requests the
    //    window does not read but earlier runs published are late, counted, not quarantined.
    stage(spark, "read acceptance records");
    Dataset<Row> recordsRead = CsvSource.read(spark, acceptanceCsv, Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD));
    Column decidedBeforeEnd = window.end() == null ? lit(true)
        : coalesce(col(Cols.DECIDED_AT).try_cast(DataTypes.TimestampType)
            .lt(lit(window.end().toString()).cast("timestamp")), lit(true));
    Dataset<Row> records = recordsRead.filter(decidedBeforeEnd);
    Dataset<Row> frozenIds = frozenRequests.select(col(Cols.REQUEST_ID).as("_frozen_id"),
        col(Cols.WORKFLOW_ID).as("_frozen_workflow"), col(Cols.ASSET_ID).as("_frozen_asset"));
    Dataset<Row> onFrozen = records.join(frozenIds, col(Cols.REQUEST_ID).equalTo(col("_frozen_id")));
    Dataset<Row> current = records.join(frozenIds, col(Cols.REQUEST_ID).equalTo(col("_frozen_id")), "left_anti");
    AcceptanceValidation.Result acceptance = AcceptanceValidation.validate(current,
        requestCosts.select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID), heldIds);
    Dataset<Row> acceptanceFlagged = acceptance.flagged().persist(CACHE);
    long[] acceptanceCounts = flaggedCounts(acceptanceFlagged,
        col(Cols.PARSE_REASON).isNull().and(col(AcceptanceValidation.DUPLICATE).unary_$bang()),
        AcceptanceValidation.DUPLICATE);
    long acceptanceInWindow = acceptanceCounts[0];
    Dataset<Row> decisions = acceptance.decisions();
    long decisionsUsed = acceptanceCounts[1];
    t = logStage("read and validate acceptance records", decisionsUsed, t);
    Dataset<Row> acceptanceQuarantine =
        Quarantine.fromParseColumns(acceptance.quarantined(), Quarantine.ACCEPTANCE);

    // 4. Outcomes and reports, for the window's cohorts.
    stage(spark, "resolve outcomes");
    // Outcomes need only these columns of request_costs: the joins and windows below move no more.
    Dataset<Row> currentCosts = requestCosts.select(Cols.REQUEST_ID, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT,
            Cols.STATUS, Cols.IMAGES_GENERATED, Cols.COST_USD, Cols.CACHE_SAVINGS_USD)
        .join(frozenAssets.drop(Cols.COHORT_DATE), new String[] {Cols.WORKFLOW_ID, Cols.ASSET_ID}, "left_anti");
    Dataset<Row> assetDecisions = Outcomes.assetDecisions(Outcomes.imageOutcomes(decisions));
    Dataset<Row> requestOutcomesAll = Outcomes.requestOutcomes(currentCosts, assetDecisions);
    Dataset<Row> requestOutcomes = inWindow(requestOutcomesAll, Cols.COHORT_DATE, window)
        .persist(CACHE);
    Dataset<Row> assetCosts = Reports.assetCosts(requestOutcomes).persist(CACHE);
    Dataset<Row> cpa = Reports.costPerApprovedAsset(assetCosts).persist(CACHE);
    Dataset<Row> retryWaste = Reports.retryWaste(requestOutcomes, cpa).persist(CACHE);
    Dataset<Row> windowCosts = inWindow(requestCosts, Cols.USAGE_DATE, window);
    Dataset<Row> quarantine = Schemas.conform(usageQuarantine.unionByName(acceptanceQuarantine), Schemas.QUARANTINE)
        .persist(CACHE);

    // 5. Write to staging, then publish every table at once.
    String staging = Publisher.staging(options.out, runId);
    Map<String, Dataset<Row>> staged = new LinkedHashMap<>();
    staged.put(Schemas.REQUEST_COSTS, windowCosts);
    staged.put(Schemas.ASSET_COSTS, assetCosts);
    staged.put(Schemas.COST_PER_APPROVED_ASSET, cpa);
    staged.put(Schemas.RETRY_WASTE, retryWaste);
    staged.put(Schemas.QUARANTINE, quarantine);
    for (Map.Entry<String, Dataset<Row>> table : staged.entrySet()) {
      stage(spark, "write " + table.getKey());
      String partition = PARTITIONS.get(table.getKey());
      OutputWriter.parquet(table.getValue(), staging, table.getKey(), partition, SORT.get(table.getKey()));
      // A full run's request_costs holds every priced request, already counted: no second pass over them.
      boolean counted = window.full() && table.getKey().equals(Schemas.REQUEST_COSTS);
      t = logStage("write " + table.getKey(), counted ? usagePriced : table.getValue().count(), t);
    }
    stage(spark, "publish");
    List<Publisher.Table> toPublish = new ArrayList<>();
    for (String name : Schemas.OUTPUT_TABLES) {
      toPublish.add(new Publisher.Table(name, PARTITIONS.get(name)));
    }
    Publisher.publish(conf, options.out, runId, toPublish, window);
    t = logStage("publish " + window, toPublish.size(), t);
    for (String name : CSV_TABLES) {
      stage(spark, "write " + name + ".csv");
      Dataset<Row> whole = published(spark, options.out, name);
      OutputWriter.csvReplacing(whole.orderBy(SORT.get(name).stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new)), conf,
          new Path(options.out, name + ".csv").toString());
    }
    t = logStage("write report CSV files", CSV_TABLES.size(), t);

    // 6. Count, check, summarise.
    stage(spark, "check invariants");
    long usageDuplicates = usageCounts[2];
    Map<String, Long> usageReasons = countBy(quarantine.filter(col(Cols.SOURCE).equalTo(Quarantine.USAGE)), Cols.REASON);
    long usageQuarantined = usageReasons.values().stream().mapToLong(Long::longValue).sum();
    long decisionsAfter = window.end() == null ? 0 : countWhere(recordsRead, decidedBeforeEnd.unary_$bang());
    long onFrozenCount = window.full() ? 0 : onFrozen.count();
    long acceptanceRead = acceptanceInWindow + decisionsAfter + onFrozenCount;
    // Late: activity on a frozen cohort after its last recompute (the night cohort_date + K).
    Column lateFrom = org.apache.spark.sql.functions.date_add(col(Cols.COHORT_DATE), window.lookbackDays() + 1)
        .cast("timestamp");
    Dataset<Row> decisionTimes = decisions.select(Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.DECIDED_AT)
        .unionByName(onFrozen.select(col("_frozen_workflow").as(Cols.WORKFLOW_ID), col("_frozen_asset").as(Cols.ASSET_ID),
            col(Cols.DECIDED_AT).try_cast(DataTypes.TimestampType).as(Cols.DECIDED_AT)));
    long lateDecisions = window.full() ? 0 : decisionTimes.join(frozenAssets,
        new String[] {Cols.WORKFLOW_ID, Cols.ASSET_ID}).filter(col(Cols.DECIDED_AT).geq(lateFrom)).count();
    long acceptanceDuplicates = acceptanceCounts[2];
    Map<String, Long> acceptanceReasons = countBy(quarantine.filter(col(Cols.SOURCE).equalTo(Quarantine.ACCEPTANCE)), Cols.REASON);
    long acceptanceQuarantined = acceptanceReasons.values().stream().mapToLong(Long::longValue).sum();
    long lateUsage = window.full() ? 0 : requestCosts.join(frozenAssets,
        new String[] {Cols.WORKFLOW_ID, Cols.ASSET_ID}).filter(col(Cols.CREATED_AT).geq(lateFrom)).count();

    Dataset<Row> assetRequests = requestOutcomes.select(Cols.COST_USD, Cols.REQUEST_ID);
    List<InvariantChecks.Result> checks = new ArrayList<>(
        InvariantChecks.conservation(assetRequests, assetCosts, cpa));
    checks.add(InvariantChecks.accounted("usage", usageReadCount - afterRunDate, usagePriced, usageQuarantined,
        usageDuplicates));
    checks.add(InvariantChecks.accounted("acceptance", acceptanceRead - decisionsAfter - onFrozenCount,
        decisionsUsed, acceptanceQuarantined, acceptanceDuplicates));
    checks.add(InvariantChecks.nothingUnpriced(requestCosts));
    boolean allPassed = checks.stream().allMatch(InvariantChecks.Result::passed);
    t = logStage("check invariants", checks.size(), t);

    BigDecimal fraction = usageReadCount == 0 ? BigDecimal.ZERO
        : BigDecimal.valueOf(usageQuarantined).divide(BigDecimal.valueOf(usageReadCount - afterRunDate), 6,
            RoundingMode.HALF_EVEN);
    int exitCode = !allPassed ? 1 : fraction.compareTo(options.maxQuarantinedFraction) > 0 ? 3 : 0;

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "assetcost");
    summary.put("run_id", runId);
    summary.put("started_at", started.toString());
    summary.put("finished_at", Instant.now().toString());
    summary.put("exit_code", exitCode);
    Map<String, Object> win = new LinkedHashMap<>();
    win.put("mode", window.full() ? "full" : "nightly");
    win.put("run_date", window.runDate() == null ? null : window.runDate().toString());
    win.put("lookback_days", window.lookbackDays());
    win.put("cohorts_from", window.first() == null ? null : window.first().toString());
    win.put("usage_files_read", usageFiles.values().stream().mapToInt(List::size).sum());
    win.put("acceptance_files_read", acceptanceCsv.size());
    summary.put("window", win);
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("usage", options.usage);
    opts.put("acceptance", options.acceptance);
    opts.put("rates", options.rates == null ? "embedded default" : options.rates);
    opts.put("out", options.out);
    opts.put("max_quarantined_fraction", options.maxQuarantinedFraction.toPlainString());
    opts.put("full", options.full);
    opts.put("run_date", options.runDate);
    opts.put("lookback_days", options.lookbackDays);
    summary.put("options", opts);
    Map<String, Object> inputs = new LinkedHashMap<>();
    Map<String, Object> usageIn = input(usageReadCount, "priced", usagePriced, usageQuarantined, usageReasons,
        usageDuplicates);
    usageIn.put("created_after_run_date", afterRunDate);
    usageIn.put("late_usage_of_frozen_cohorts", lateUsage);
    inputs.put("usage", usageIn);
    Map<String, Object> acceptanceIn = input(acceptanceRead, "decisions_used", decisionsUsed, acceptanceQuarantined,
        acceptanceReasons, acceptanceDuplicates);
    acceptanceIn.put("decided_after_run_date", decisionsAfter);
    acceptanceIn.put("on_requests_of_frozen_cohorts", onFrozenCount);
    acceptanceIn.put("late_decisions_on_frozen_cohorts", lateDecisions);
    inputs.put("acceptance", acceptanceIn);
    Map<String, Object> rateCard = new LinkedHashMap<>();
    rateCard.put("source", card.description());
    rateCard.put("rows", card.rates().size());
    inputs.put("rate_card", rateCard);
    summary.put("inputs", inputs);
    if (lateDecisions + lateUsage > 0) {
      summary.put("attention", lateDecisions + " decisions and " + lateUsage + " requests arrived after their cohort"
          + " was last recomputed (cohorts before " + window.first() + "): rerun with a larger --lookback-days or --full");
      LOG.warn("{}", summary.get("attention"));
    }
    summary.put("usage_quarantined_fraction", fraction.toPlainString());
    summary.put("totals", totals(assetCosts));
    summary.put("invariants", checks.stream().map(InvariantChecks.Result::toMap).toList());
    Map<String, Object> fingerprints = new LinkedHashMap<>();
    for (String name : Schemas.OUTPUT_TABLES) {
      fingerprints.put(name, fingerprint(published(spark, options.out, name)));
    }
    summary.put("table_fingerprints", fingerprints);
    OutputWriter.json(conf, new Path(options.out, RUN_SUMMARY).toString(), summary);
    OutputWriter.json(conf, new Path(new Path(options.out, RUNS), runId + ".json").toString(), summary);

    for (InvariantChecks.Result c : checks) {
      if (!c.passed()) {
        LOG.error("invariant failed: {} ({})", c.name(), c.detail());
      }
    }
    LOG.info("assetcost: usage read {}, priced {}, quarantined {}, duplicates {}; exit {}", usageReadCount,
        usagePriced, usageQuarantined, usageDuplicates, exitCode);
    for (Dataset<Row> d : List.of(usageFlagged, acceptanceFlagged, requestOutcomes,
        assetCosts, cpa, retryWaste, quarantine)) {
      d.unpersist();
    }
    return new RunResult(exitCode, summary);
  }

  /**
   * Counts a flagged dataset in one pass.
   *
   * @param flagged every record read, flagged
   * @param used true for a record the run uses (priced, or a decision)
   * @param duplicate name of the boolean column marking an exact duplicate beyond the first
   * @return {records, used, duplicates}
   */
  private static long[] flaggedCounts(Dataset<Row> flagged, Column used, String duplicate) {
    Row r = flagged.agg(count(lit(1)), count_if(coalesce(used, lit(false))), count_if(col(duplicate))).first();
    return new long[] {r.getLong(0), r.getLong(1), r.getLong(2)};
  }

  /** Rows where a condition holds (a null condition counts as false). */
  private static long countWhere(Dataset<Row> df, Column condition) {
    return df.filter(coalesce(condition, lit(false))).count();
  }

  /** Rows whose date column falls in the window (all rows for a full run). */
  static Dataset<Row> inWindow(Dataset<Row> df, String dateColumn, RunWindow window) {
    if (window.full()) {
      return df;
    }
    return df.filter(col(dateColumn).between(lit(window.first().toString()).cast("date"),
        lit(window.runDate().toString()).cast("date")));
  }

  /** A published table, read with its contract's schema; empty when it does not exist yet. */
  static Dataset<Row> published(SparkSession spark, String out, String table) {
    Path path = new Path(out, table);
    try {
      if (!path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
        return spark.createDataFrame(List.of(), Schemas.spark(table));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + path, e);
    }
    return Schemas.conform(spark.read().schema(Schemas.spark(table)).parquet(path.toString()), table);
  }

  /**
   * Logs one INFO line for a finished stage: its name, a row count and the seconds since {@code since}.
   *
   * @param stage what finished
   * @param rows rows it produced (or items, as the name says)
   * @param since System.nanoTime() at the stage's start
   * @return System.nanoTime() now, the next stage's start
   */
  public static long logStage(String stage, long rows, long since) {
    long now = System.nanoTime();
    LOG.info("stage {}: {} rows, {} s", stage, rows,
        String.format(java.util.Locale.ROOT, "%.1f", (now - since) / 1e9));
    return now;
  }

  /**
   * Loads the rate card: the embedded default, or a CSV file on any Hadoop file system.
   *
   * @throws InputException when it cannot be read or breaks a rule of {@link RateCard}
   */
  public static RateCard loadRateCard(Configuration conf, String location) {
    return CsvSource.readConfig(conf, "--rates", location, DEFAULT_RATE_CARD, RateCard::fromCsv);
  }


  private static void checkParquetSchema(SparkSession spark, List<String> files) {
    StructType found = spark.read().parquet(files.toArray(new String[0])).schema();
    for (StructField want : Schemas.spark(Schemas.USAGE_EXPORT).fields()) {
      for (StructField have : found.fields()) {
        if (have.name().equals(want.name()) && !compatible(have.dataType(), want.dataType())) {
          throw new InputException("--usage Parquet column " + want.name() + " is "
              + have.dataType().simpleString() + ", expected " + want.dataType().simpleString()
              + " (schemas/usage_export.avsc)");
        }
      }
    }
  }

  private static boolean compatible(DataType have, DataType want) {
    return have.equals(want)
        || (want.equals(DataTypes.LongType) && have.equals(DataTypes.IntegerType))
        || (want.equals(DataTypes.TimestampType) && have.equals(DataTypes.TimestampNTZType));
  }

  /**
   * Names the Spark jobs that follow, so the Spark UI and logs say which step they belong to.
   *
   * @param spark the session
   * @param description the step, e.g. "price requests"
   */
  public static void stage(SparkSession spark, String description) {
    spark.sparkContext().setJobGroup("assetcost", "assetcost: " + description, false);
    spark.sparkContext().setJobDescription("assetcost: " + description);
  }

  /**
   * Row counts per value of a column, for run summaries (a small aggregate collected to the driver).
   *
   * @param df the rows
   * @param column a string column; a null value counts under "null"
   * @return counts per value, ordered by value
   */
  public static Map<String, Long> countBy(Dataset<Row> df, String column) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : df.groupBy(column).count().collectAsList()) {
      out.put(r.isNullAt(0) ? "null" : r.getString(0), r.getLong(1));
    }
    return out;
  }


  private static Map<String, Object> input(long read, String usedName, long used, long quarantined,
      Map<String, Long> reasons, long duplicates) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("records_read", read);
    m.put(usedName, used);
    m.put("quarantined", quarantined);
    m.put("quarantined_by_reason", reasons);
    m.put("exact_duplicates_dropped", duplicates);
    return m;
  }

  private static Map<String, Object> totals(Dataset<Row> assetCosts) {
    Row t = assetCosts.agg(count(lit(1)), sum("requests"), sum("total_cost_usd"), sum("direct_cost_usd"),
        sum("waste_cost_usd"), sum("pending_cost_usd"), sum(Cols.CACHE_SAVINGS_USD)).first();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("assets", t.getLong(0));
    m.put("requests", t.isNullAt(1) ? 0L : t.getLong(1));
    String[] names = {"total_cost_usd", "direct_cost_usd", "waste_cost_usd", "pending_cost_usd",
        "cache_savings_usd"};
    for (int i = 0; i < names.length; i++) {
      BigDecimal v = t.isNullAt(i + 2) ? BigDecimal.ZERO.setScale(12) : t.getDecimal(i + 2);
      m.put(names[i], v.toPlainString());
    }
    return m;
  }

  /**
   * An order-independent checksum of a table's rows (sum of each row's 64-bit hash, as a decimal so it
   * cannot overflow): two runs that wrote the same rows report the same value.
   */
  static String fingerprint(Dataset<Row> table) {
    List<Column> cols = new ArrayList<>();
    for (String c : table.columns()) {
      cols.add(col(c));
    }
    Row r = table.agg(sum(xxhash64(cols.toArray(new Column[0])).cast(DataTypes.createDecimalType(38, 0))),
        count(lit(1))).first();
    return r.getLong(1) + " rows, " + (r.isNullAt(0) ? "0" : r.getDecimal(0).toPlainString());
  }
}
