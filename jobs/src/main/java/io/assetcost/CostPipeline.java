package io.assetcost;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.io.UsageReader;
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
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * CSV header (and Parquet schema) are checked before any output is touched.
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
   * @return exit code and summary
   * @throws InputException for an unusable input (before anything is written)
   */
  public static RunResult run(SparkSession spark, CostJobOptions options) {
    Instant started = Instant.now();
    configure(spark);
    Configuration conf = spark.sparkContext().hadoopConfiguration();

    // 1. Everything that can make the input unusable, before any write.
    RateCard card = loadRateCard(conf, options.rates);
    Map<InputFiles.Kind, List<String>> usageFiles = InputFiles.list(conf, "--usage", options.usage,
        List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV, InputFiles.Kind.PARQUET));
    Map<InputFiles.Kind, List<String>> acceptanceFiles = InputFiles.list(conf, "--acceptance",
        options.acceptance, List.of(InputFiles.Kind.CSV));
    if (usageFiles.containsKey(InputFiles.Kind.CSV)) {
      CsvSource.checkHeaders(conf, "--usage", usageFiles.get(InputFiles.Kind.CSV),
          Schemas.fieldNames(Schemas.USAGE_EXPORT));
    }
    if (usageFiles.containsKey(InputFiles.Kind.PARQUET)) {
      checkParquetSchema(spark, usageFiles.get(InputFiles.Kind.PARQUET));
    }
    List<String> acceptanceCsv = acceptanceFiles.get(InputFiles.Kind.CSV);
    CsvSource.checkHeaders(conf, "--acceptance", acceptanceCsv,
        Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD));

    // 2. Usage: read, validate, price.
    long t = System.nanoTime();
    stage(spark, "read usage");
    Dataset<Row> usage = UsageReader.read(spark, usageFiles).persist(StorageLevel.MEMORY_AND_DISK());
    t = logStage("read usage", usage.count(), t);
    UsageValidation.Result checked = UsageValidation.validate(usage);
    Dataset<Row> accepted = checked.accepted().persist(StorageLevel.MEMORY_AND_DISK());
    stage(spark, "price requests");
    RequestPricing.Priced priced = RequestPricing.price(accepted, card);
    Dataset<Row> requestCosts = Schemas.conform(priced.priced(), Schemas.REQUEST_COSTS)
        .persist(StorageLevel.MEMORY_AND_DISK());
    t = logStage("validate and price requests", requestCosts.count(), t);
    Dataset<Row> usageQuarantine = Quarantine.fromParseColumns(checked.quarantined(), Quarantine.USAGE)
        .unionByName(Quarantine.rows(priced.unpriced(), Quarantine.USAGE, lit("no_rate"),
            col(RequestPricing.NO_RATE_DETAIL)));
    Dataset<Row> heldIds = checked.quarantined().select(Cols.REQUEST_ID)
        .unionByName(priced.unpriced().select(Cols.REQUEST_ID))
        .filter(col(Cols.REQUEST_ID).isNotNull());

    // 3. Acceptance: read, validate against the priced requests.
    stage(spark, "read acceptance records");
    Dataset<Row> records = CsvSource.read(spark, acceptanceCsv, Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD))
        .persist(StorageLevel.MEMORY_AND_DISK());
    AcceptanceValidation.Result acceptance = AcceptanceValidation.validate(records,
        requestCosts.select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID), heldIds);
    Dataset<Row> decisions = acceptance.decisions().persist(StorageLevel.MEMORY_AND_DISK());
    t = logStage("read and validate acceptance records", decisions.count(), t);
    Dataset<Row> acceptanceQuarantine =
        Quarantine.fromParseColumns(acceptance.quarantined(), Quarantine.ACCEPTANCE);

    // 4. Outcomes and reports.
    stage(spark, "resolve outcomes");
    Dataset<Row> assetDecisions = Outcomes.assetDecisions(Outcomes.imageOutcomes(decisions));
    Dataset<Row> requestOutcomes = Outcomes.requestOutcomes(requestCosts, assetDecisions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> assetCosts = Reports.assetCosts(requestOutcomes).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> cpa = Reports.costPerApprovedAsset(assetCosts)
        .orderBy(Cols.COHORT_DATE, Cols.WORKFLOW_ID).coalesce(1).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> retryWaste = Reports.retryWaste(requestOutcomes, cpa)
        .orderBy(Cols.COHORT_DATE, Cols.WORKFLOW_ID, Cols.WASTE_REASON).coalesce(1)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> quarantine = Schemas.conform(usageQuarantine.unionByName(acceptanceQuarantine),
            Schemas.QUARANTINE)
        .orderBy(Cols.SOURCE, Cols.SOURCE_FILE, Cols.REASON, Cols.RAW_RECORD, Cols.DETAIL)
        .persist(StorageLevel.MEMORY_AND_DISK());

    // 5. Write.
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(Schemas.REQUEST_COSTS, requestCosts.orderBy(Cols.REQUEST_ID));
    tables.put(Schemas.ASSET_COSTS, assetCosts.orderBy(Cols.WORKFLOW_ID, Cols.ASSET_ID));
    tables.put(Schemas.COST_PER_APPROVED_ASSET, cpa);
    tables.put(Schemas.RETRY_WASTE, retryWaste);
    tables.put(Schemas.QUARANTINE, quarantine);
    for (Map.Entry<String, Dataset<Row>> table : tables.entrySet()) {
      stage(spark, "write " + table.getKey());
      OutputWriter.parquet(table.getValue(), options.out, table.getKey());
      t = logStage("write " + table.getKey(), table.getValue().count(), t);
    }
    for (String name : CSV_TABLES) {
      stage(spark, "write " + name + ".csv");
      OutputWriter.csv(tables.get(name), conf, new Path(options.out, name + ".csv").toString());
    }
    t = logStage("write report CSV files", CSV_TABLES.size(), t);

    // 6. Count, check, summarise.
    stage(spark, "check invariants");
    long usageRead = usage.count();
    long usagePriced = requestCosts.count();
    long usageDuplicates = checked.duplicatesDropped().count();
    Map<String, Long> usageReasons = reasons(quarantine, Quarantine.USAGE);
    long usageQuarantined = usageReasons.values().stream().mapToLong(Long::longValue).sum();
    long acceptanceRead = records.count();
    long decisionsUsed = decisions.count();
    long acceptanceDuplicates = acceptance.duplicatesDropped().count();
    Map<String, Long> acceptanceReasons = reasons(quarantine, Quarantine.ACCEPTANCE);
    long acceptanceQuarantined = acceptanceReasons.values().stream().mapToLong(Long::longValue).sum();

    List<InvariantChecks.Result> checks = new ArrayList<>(
        InvariantChecks.conservation(requestCosts, assetCosts, cpa));
    checks.add(InvariantChecks.accounted("usage", usageRead, usagePriced, usageQuarantined, usageDuplicates));
    checks.add(InvariantChecks.accounted("acceptance", acceptanceRead, decisionsUsed,
        acceptanceQuarantined, acceptanceDuplicates));
    checks.add(InvariantChecks.nothingUnpriced(requestCosts));
    boolean allPassed = checks.stream().allMatch(InvariantChecks.Result::passed);
    logStage("check invariants", checks.size(), t);

    BigDecimal fraction = usageRead == 0 ? BigDecimal.ZERO
        : BigDecimal.valueOf(usageQuarantined).divide(BigDecimal.valueOf(usageRead), 6, RoundingMode.HALF_EVEN);
    int exitCode = !allPassed ? 1 : fraction.compareTo(options.maxQuarantinedFraction) > 0 ? 3 : 0;

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "assetcost");
    summary.put("started_at", started.toString());
    summary.put("finished_at", Instant.now().toString());
    summary.put("exit_code", exitCode);
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("usage", options.usage);
    opts.put("acceptance", options.acceptance);
    opts.put("rates", options.rates == null ? "embedded default" : options.rates);
    opts.put("out", options.out);
    opts.put("max_quarantined_fraction", options.maxQuarantinedFraction.toPlainString());
    summary.put("options", opts);
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("usage", input(usageRead, "priced", usagePriced, usageQuarantined, usageReasons,
        usageDuplicates));
    inputs.put("acceptance", input(acceptanceRead, "decisions_used", decisionsUsed, acceptanceQuarantined,
        acceptanceReasons, acceptanceDuplicates));
    Map<String, Object> rateCard = new LinkedHashMap<>();
    rateCard.put("source", card.description());
    rateCard.put("rows", card.rates().size());
    inputs.put("rate_card", rateCard);
    summary.put("inputs", inputs);
    summary.put("usage_quarantined_fraction", fraction.toPlainString());
    summary.put("totals", totals(assetCosts));
    summary.put("invariants", checks.stream().map(InvariantChecks.Result::toMap).toList());
    Map<String, Object> fingerprints = new LinkedHashMap<>();
    for (Map.Entry<String, Dataset<Row>> table : tables.entrySet()) {
      fingerprints.put(table.getKey(), fingerprint(table.getValue()));
    }
    summary.put("table_fingerprints", fingerprints);
    OutputWriter.json(conf, new Path(options.out, RUN_SUMMARY).toString(), summary);

    for (InvariantChecks.Result c : checks) {
      if (!c.passed()) {
        LOG.error("invariant failed: {} ({})", c.name(), c.detail());
      }
    }
    LOG.info("assetcost: usage read {}, priced {}, quarantined {}, duplicates {}; exit {}", usageRead,
        usagePriced, usageQuarantined, usageDuplicates, exitCode);
    for (Dataset<Row> d : List.of(usage, accepted, requestCosts, records, decisions, requestOutcomes,
        assetCosts, cpa, retryWaste, quarantine)) {
      d.unpersist();
    }
    return new RunResult(exitCode, summary);
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
    if (location == null) {
      try (InputStream in = CostPipeline.class.getClassLoader().getResourceAsStream(DEFAULT_RATE_CARD)) {
        if (in == null) {
          throw new IllegalStateException("the embedded rate card " + DEFAULT_RATE_CARD + " is missing");
        }
        return RateCard.fromCsv(RateCard.utf8Reader(in), "embedded " + DEFAULT_RATE_CARD);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the embedded rate card", e);
      }
    }
    try (InputStream in = CsvSource.open(conf, location); Reader reader = RateCard.utf8Reader(in)) {
      return RateCard.fromCsv(reader, location);
    } catch (java.io.FileNotFoundException e) {
      throw new InputException("--rates " + location + " does not exist", e);
    } catch (IOException e) {
      throw new InputException("--rates " + location + " cannot be read: " + e.getMessage(), e);
    }
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

  private static Map<String, Long> reasons(Dataset<Row> quarantine, String source) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : quarantine.filter(col(Cols.SOURCE).equalTo(source)).groupBy(Cols.REASON).count()
        .collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
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
