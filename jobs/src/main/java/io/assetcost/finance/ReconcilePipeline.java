package io.assetcost.finance;

import static org.apache.spark.sql.functions.bround;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.CostPipeline;
import io.assetcost.InputException;
import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.quality.InvariantChecks;
import io.assetcost.quality.Quarantine;
import io.assetcost.schema.Cols;
import io.assetcost.schema.Schemas;
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
 * One month close: read the cost job's tables and the Costs API pages, build monthly_spend,
 * unpriced_usage, cost_reconciliation, focus_costs and unmatched_line_items, write them (Parquet and one
 * CSV each) with the billed results in quarantine, check the invariants and write
 * {@code reconcile_summary.json}.
 *
 * <p>Rounding policy: every table keeps exact decimal(38,12) money. Only {@code cost_reconciliation.csv},
 * the report a reviewer reads, presents money and percentages rounded half-even to 2 places, and its month
 * rows are rounded after summing the exact day rows (sum-then-round), so a month total can differ by a cent
 * from the sum of the rounded days shown above it, never from the money.
 */
public final class ReconcilePipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ReconcilePipeline.class);

  /** Source value of billed results in the quarantine table. */
  public static final String COSTS = "costs";
  /** The summary's file name. */
  public static final String SUMMARY = "reconcile_summary.json";
  /** Tables written, in order. */
  public static final List<String> TABLES = List.of(Schemas.MONTHLY_SPEND, Schemas.UNPRICED_USAGE,
      Schemas.COST_RECONCILIATION, Schemas.FOCUS_COSTS, Schemas.UNMATCHED_LINE_ITEMS, Schemas.QUARANTINE);

  private ReconcilePipeline() {}

  /**
   * Outcome of a run.
   *
   * @param exitCode 0 completed, 1 an invariant failed
   * @param summary the summary as written
   */
  public record RunResult(int exitCode, Map<String, Object> summary) {}

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
    CostPipeline.configure(spark);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    YearMonth month = options.billingMonth();

    LineItemMapping mapping = loadMapping(conf, options.lineItems);
    Map<InputFiles.Kind, List<String>> costFiles = InputFiles.list(conf, "--costs", options.costs,
        List.of(InputFiles.Kind.JSON_LINES));
    Dataset<Row> requestCosts = table(spark, conf, options.tables, Schemas.REQUEST_COSTS);
    Dataset<Row> costQuarantine = table(spark, conf, options.tables, Schemas.QUARANTINE);
    CostPipeline.stage(spark, "read billed costs");
    CostsReader.Result billed = CostsReader.read(spark, costFiles);

    CostPipeline.stage(spark, "month close " + month);
    Dataset<Row> results = billed.results().withColumn(Cols.MODEL, mapping.modelOf(col(CostsReader.LINE_ITEM)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> imageBills = results.filter(col(Cols.MODEL).isNotNull());
    Dataset<Row> meterRows = FinanceReports.meterRows(requestCosts, month).persist(StorageLevel.MEMORY_AND_DISK());

    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(Schemas.MONTHLY_SPEND, FinanceReports.monthlySpend(meterRows, month)
        .orderBy(Cols.PROJECT_ID, Cols.MODEL, Cols.SERVICE_TIER, "meter", "usd_per_1m_tokens"));
    tables.put(Schemas.UNPRICED_USAGE, UnpricedUsage.of(costQuarantine, month)
        .orderBy("billing_month", Cols.REASON));
    tables.put(Schemas.COST_RECONCILIATION, FinanceReports.reconcile(requestCosts, imageBills, month,
            options.toleranceUsd, options.tolerancePct)
        .orderBy(col("grain"), col(Cols.PROJECT_ID), col(Cols.USAGE_DATE)));
    tables.put(Schemas.FOCUS_COSTS, FinanceReports.focus(meterRows, month, options.billingAccountId,
            options.billingAccountName)
        .orderBy("ChargePeriodStart", "SubAccountId", "Tags", "SkuPriceId"));
    tables.put(Schemas.UNMATCHED_LINE_ITEMS, FinanceReports.unmatchedLineItems(
        results.filter(col(Cols.MODEL).isNull()), month).orderBy(CostsReader.LINE_ITEM, Cols.PROJECT_ID));
    tables.put(Schemas.QUARANTINE, Schemas.conform(Quarantine.fromParseColumns(billed.quarantined(), COSTS),
        Schemas.QUARANTINE).orderBy(Cols.SOURCE_FILE, Cols.REASON, Cols.RAW_RECORD));
    for (Map.Entry<String, Dataset<Row>> t : tables.entrySet()) {
      Dataset<Row> df = t.getValue().persist(StorageLevel.MEMORY_AND_DISK());
      t.setValue(df);
      CostPipeline.stage(spark, "write " + t.getKey());
      OutputWriter.parquet(df, options.out, t.getKey());
      Dataset<Row> presented = t.getKey().equals(Schemas.COST_RECONCILIATION) ? presentCents(df) : df;
      OutputWriter.csv(presented, conf, new Path(options.out, t.getKey() + ".csv").toString());
    }

    CostPipeline.stage(spark, "check invariants");
    List<InvariantChecks.Result> checks = new ArrayList<>();
    BigDecimal computed = total(FinanceReports.inMonth(requestCosts, month), col(Cols.COST_USD));
    Dataset<Row> reconciliation = tables.get(Schemas.COST_RECONCILIATION);
    Dataset<Row> dayRows = reconciliation.filter(col("grain").equalTo("day"));
    Dataset<Row> monthRows = reconciliation.filter(col("grain").equalTo("month"));
    checks.add(InvariantChecks.equal("monthly_spend total = request_costs of the month", computed,
        total(tables.get(Schemas.MONTHLY_SPEND), col(Cols.COST_USD))));
    checks.add(InvariantChecks.equal("focus_costs BilledCost total = request_costs of the month", computed,
        total(tables.get(Schemas.FOCUS_COSTS), col("BilledCost"))));
    checks.add(InvariantChecks.equal("cost_reconciliation day rows computed = request_costs of the month", computed,
        total(dayRows, col("computed_cost_usd"))));
    checks.add(InvariantChecks.equal("cost_reconciliation month rows = sum of their day rows (computed)",
        total(dayRows, col("computed_cost_usd")), total(monthRows, col("computed_cost_usd"))));
    BigDecimal billedImages = total(FinanceReports.inMonth(imageBills, month), col(CostsReader.AMOUNT));
    checks.add(InvariantChecks.equal("cost_reconciliation month rows = sum of their day rows (billed)", billedImages,
        total(monthRows, col("billed_cost_usd"))));
    long badFocus = tables.get(Schemas.FOCUS_COSTS).filter(col("ListCost")
        .notEqual(col("PricingQuantity").multiply(col("ListUnitPrice")))).count();
    checks.add(new InvariantChecks.Result("focus_costs ListCost = PricingQuantity x ListUnitPrice", badFocus == 0,
        badFocus + " rows differ"));
    long read = billed.read().count();
    long kept = billed.results().count();
    long quarantined = tables.get(Schemas.QUARANTINE).count();
    long duplicates = billed.duplicatesDropped().count();
    checks.add(InvariantChecks.accounted("costs results", read, kept, quarantined, duplicates));
    boolean passed = checks.stream().allMatch(InvariantChecks.Result::passed);
    int exitCode = passed ? 0 : 1;

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "assetcost-reconcile");
    summary.put("started_at", started.toString());
    summary.put("finished_at", Instant.now().toString());
    summary.put("exit_code", exitCode);
    summary.put("billing_month", month.toString());
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("tables", options.tables);
    opts.put("costs", options.costs);
    opts.put("out", options.out);
    opts.put("tolerance_usd", options.toleranceUsd.toPlainString());
    opts.put("tolerance_pct", options.tolerancePct.toPlainString());
    opts.put("line_items", mapping.description());
    summary.put("options", opts);
    Map<String, Object> costs = new LinkedHashMap<>();
    costs.put("pages_read", billed.pages());
    costs.put("results_read", read);
    costs.put("results_used", kept);
    costs.put("quarantined", quarantined);
    costs.put("quarantined_by_reason", CostPipeline.countBy(tables.get(Schemas.QUARANTINE), Cols.REASON));
    costs.put("overlapping_duplicates_dropped", duplicates);
    costs.put("unmatched_line_items", tables.get(Schemas.UNMATCHED_LINE_ITEMS).count());
    summary.put("billed_costs", costs);
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("computed_cost_usd", computed.toPlainString());
    totals.put("billed_image_cost_usd", billedImages.toPlainString());
    totals.put("billed_unmatched_usd", total(tables.get(Schemas.UNMATCHED_LINE_ITEMS), col("amount_usd")).toPlainString());
    totals.put("difference_usd", computed.subtract(billedImages).toPlainString());
    summary.put("totals", totals);
    summary.put("status_counts", Map.of(
        "day", CostPipeline.countBy(dayRows, "status"), "month", CostPipeline.countBy(monthRows, "status")));
    summary.put("invariants", checks.stream().map(InvariantChecks.Result::toMap).toList());
    OutputWriter.json(conf, new Path(options.out, SUMMARY).toString(), summary);
    for (InvariantChecks.Result c : checks) {
      if (!c.passed()) {
        LOG.error("invariant failed: {} ({})", c.name(), c.detail());
      }
    }
    LOG.info("assetcost-reconcile {}: computed {} USD, billed {} USD; exit {}", month,
        computed.toPlainString(), billedImages.toPlainString(), exitCode);
    results.unpersist();
    meterRows.unpersist();
    tables.values().forEach(Dataset::unpersist);
    return new RunResult(exitCode, summary);
  }

  /**
   * The reconciliation as a reviewer reads it: money and percentages rounded half-even to 2 places
   * ({@code bround}), after every sum was made on exact values.
   */
  public static Dataset<Row> presentCents(Dataset<Row> reconciliation) {
    List<Column> cols = new ArrayList<>();
    for (String c : reconciliation.columns()) {
      boolean money = c.endsWith("_usd") || c.equals("difference_pct");
      cols.add(money ? bround(col(c), 2).as(c) : col(c));
    }
    return reconciliation.select(cols.toArray(new Column[0]));
  }

  /**
   * Loads the line item mapping: the embedded default, or a CSV file on any Hadoop file system.
   *
   * @throws InputException when it cannot be read or has a bad row
   */
  public static LineItemMapping loadMapping(Configuration conf, String location) {
    return CsvSource.readConfig(conf, "--line-items", location, LineItemMapping.DEFAULT, LineItemMapping::fromCsv);
  }


  private static Dataset<Row> table(SparkSession spark, Configuration conf, String dir, String name) {
    Path path = new Path(dir, name);
    try {
      if (!path.getFileSystem(conf).exists(path)) {
        throw new InputException("--tables " + dir + " has no " + name
            + "/ table: run the cost job (scripts/run-local.sh) with --out " + dir + " first");
      }
    } catch (IOException e) {
      throw new InputException("--tables " + dir + " cannot be read: " + e.getMessage(), e);
    }
    return Schemas.conform(spark.read().schema(Schemas.spark(name)).parquet(path.toString()), name);
  }

  private static BigDecimal total(Dataset<Row> df, Column money) {
    Row r = df.agg(sum(money)).first();
    return r.isNullAt(0) ? BigDecimal.ZERO : r.getDecimal(0);
  }
}
