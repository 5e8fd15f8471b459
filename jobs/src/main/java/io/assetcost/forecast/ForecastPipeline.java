package io.assetcost.forecast;

import static io.assetcost.schema.Cols.APPROVED;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.PENDING;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.io.OutputWriter;
import io.assetcost.ops.OutputLayout;
import io.assetcost.planning.Forecast;
import io.assetcost.planning.Plan;
import io.assetcost.run.InputException;
import io.assetcost.run.Invariant;
import io.assetcost.run.RunSummary;
import io.assetcost.run.SparkSettings;
import io.assetcost.run.Stages;
import io.assetcost.schema.OutputTable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forecast, as named steps: read the plan and the cost job's published {@code asset_costs}, sum each
 * workflow's resolved assets per cohort day over the trailing window, forecast every plan row
 * ({@link Forecast}), write {@code forecast} (Parquet and CSV) and {@code forecast_summary.json}.
 */
public final class ForecastPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(ForecastPipeline.class);

    private ForecastPipeline() {}

    /**
     * Outcome of a run.
     *
     * @param exitCode 0 written, 1 an invariant failed
     * @param summary the summary as written
     */
    public record RunResult(int exitCode, Map<String, Object> summary) {}

    /**
     * Runs the forecast.
     *
     * @param spark the session
     * @param options validated options
     * @return exit code and summary
     * @throws InputException for an unusable plan or missing tables (before anything is written)
     */
    public static RunResult run(SparkSession spark, ForecastOptions options) {
        Instant started = Instant.now();
        SparkSettings.apply(spark);
        Stages stages = new Stages(spark, "assetcost-forecast");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Plan plan = readPlan(conf, options.plan);
        stages.start("measure");
        Dataset<Row> assets = assetCosts(spark, conf, options.tables);
        LocalDate asOf = options.asOfDate() != null ? options.asOfDate() : latestCohort(assets);
        LocalDate from = asOf.minusDays(options.trailingDays - 1L);
        Map<String, List<Forecast.Day>> days = days(assets, from, asOf);
        List<Forecast.Line> lines = Forecast.of(plan, days, asOf, from, options.buffer, options.minApprovals);
        stages.done(lines.size(), "plan rows");
        stages.start("write forecast");
        OutputLayout out = new OutputLayout(options.out);
        Dataset<Row> table = OutputTable.FORECAST.conform(spark.createDataFrame(
                lines.stream().map(ForecastPipeline::row).toList(), OutputTable.FORECAST.sparkSchema()));
        OutputWriter.parquet(table, new Path(out.root()), OutputTable.FORECAST);
        OutputWriter.csvReplacing(table, OutputTable.FORECAST, conf, out.csv(OutputTable.FORECAST));
        stages.done(lines.size(), "rows");
        List<Invariant> checks = checks(plan, lines);
        Invariant.logFailures(checks, LOG);
        int exitCode = Invariant.allPassed(checks) ? 0 : 1;
        RunSummary summary = new RunSummary("assetcost-forecast", null, started)
                .put("options", options(options))
                .put("as_of", asOf.toString())
                .put("window_from", from.toString())
                .put("plan_rows", lines.size())
                .put("basis_counts", basisCounts(lines))
                .put("totals", totals(lines))
                .invariants(checks);
        Map<String, Object> document = summary.finish(exitCode);
        summary.write(conf, out.forecastSummary());
        LOG.info(
                "assetcost-forecast: {} plan rows, window {} to {}, expected {} USD, budget {} USD; forecast in {}",
                lines.size(),
                from,
                asOf,
                totals(lines).get("expected_cost_usd"),
                totals(lines).get("budget_usd"),
                out.root());
        return new RunResult(exitCode, document);
    }

    private static Plan readPlan(Configuration conf, String location) {
        Path path = new Path(location);
        try (InputStream in = path.getFileSystem(conf).open(path);
                Reader reader = new InputStreamReader(
                        org.apache.commons.io.input.BOMInputStream.builder()
                                .setInputStream(in)
                                .get(),
                        StandardCharsets.UTF_8)) {
            return Plan.fromCsv(reader, location);
        } catch (FileNotFoundException e) {
            throw new InputException("--plan " + location + " does not exist", e);
        } catch (IOException e) {
            throw new InputException("--plan " + location + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The cost job's asset_costs; exit 2 when the cost job has not run into that directory. */
    private static Dataset<Row> assetCosts(SparkSession spark, Configuration conf, String dir) {
        Path path = new OutputLayout(dir).table(OutputTable.ASSET_COSTS);
        try {
            if (!path.getFileSystem(conf).exists(path)) {
                throw new InputException("--tables " + dir + " has no asset_costs/ table: run the cost job"
                        + " (scripts/run-local.sh) with --out " + dir + " first");
            }
        } catch (IOException e) {
            throw new InputException("--tables " + dir + " cannot be read: " + e.getMessage(), e);
        }
        return OutputTable.ASSET_COSTS.conform(
                spark.read().schema(OutputTable.ASSET_COSTS.sparkSchema()).parquet(path.toString()));
    }

    private static LocalDate latestCohort(Dataset<Row> assets) {
        Row r = assets.agg(max(COHORT_DATE)).first();
        if (r.isNullAt(0)) {
            throw new InputException("asset_costs is empty: give --as-of, or run the cost job on some usage first");
        }
        return r.getAs(0);
    }

    /** Resolved assets per workflow and cohort day in [from, asOf]: approvals, images, cost. */
    private static Map<String, List<Forecast.Day>> days(Dataset<Row> assets, LocalDate from, LocalDate asOf) {
        List<Row> rows = assets.filter(col(COHORT_DATE)
                        .between(
                                lit(from.toString()).cast("date"),
                                lit(asOf.toString()).cast("date"))
                        .and(col(STATUS).notEqual(PENDING)))
                .groupBy(WORKFLOW_ID, COHORT_DATE)
                .agg(count_if(col(STATUS).equalTo(APPROVED)), sum(IMAGES_GENERATED), sum(TOTAL_COST_USD))
                .collectAsList();
        Map<String, List<Forecast.Day>> out = new TreeMap<>();
        for (Row r : rows) {
            out.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                    .add(new Forecast.Day(r.getAs(1), r.getLong(2), r.getLong(3), r.getDecimal(4)));
        }
        return out;
    }

    private static Row row(Forecast.Line l) {
        return RowFactory.create(
                l.plan().line(),
                l.plan().workflowId(),
                l.plan().period(),
                l.plan().label(),
                l.plan().finals(),
                l.asOf(),
                l.windowFrom(),
                l.basis(),
                l.assetsApproved(),
                l.imagesGenerated(),
                l.resolvedCost(),
                l.iterationFactor(),
                l.costPerApprovedAsset(),
                l.costPerImage(),
                l.expectedImages(),
                l.expectedCost(),
                l.costAt12(),
                l.costAt18(),
                l.costAt25(),
                l.low(),
                l.high(),
                l.buffer(),
                l.budget());
    }

    /** One forecast row per plan row; expected images are finals x iteration factor to the last place. */
    private static List<Invariant> checks(Plan plan, List<Forecast.Line> lines) {
        List<Invariant> checks = new ArrayList<>();
        checks.add(new Invariant(
                "forecast: one row per plan row",
                lines.size() == plan.rows().size(),
                lines.size() + " = " + plan.rows().size()));
        long off = lines.stream()
                .filter(l -> l.iterationFactor() != null && l.expectedImages() != null)
                .filter(l -> BigDecimal.valueOf(l.plan().finals())
                                .multiply(l.iterationFactor())
                                .subtract(l.expectedImages())
                                .abs()
                                .compareTo(BigDecimal.valueOf(l.plan().finals()).movePointLeft(12))
                        > 0)
                .count();
        checks.add(new Invariant(
                "forecast: expected_images = finals x iteration_factor (within rounding)",
                off == 0,
                off + " rows differ"));
        return checks;
    }

    private static Map<String, Object> options(ForecastOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", o.plan);
        m.put("tables", o.tables);
        m.put("out", o.out);
        m.put("as_of", o.asOf);
        m.put("trailing_days", o.trailingDays);
        m.put("buffer", o.buffer.toPlainString());
        m.put("min_approvals", o.minApprovals);
        return m;
    }

    private static Map<String, Long> basisCounts(List<Forecast.Line> lines) {
        Map<String, Long> m = new TreeMap<>();
        lines.forEach(l -> m.merge(l.basis(), 1L, Long::sum));
        return m;
    }

    private static Map<String, Object> totals(List<Forecast.Line> lines) {
        BigDecimal expected = BigDecimal.ZERO;
        BigDecimal budget = BigDecimal.ZERO;
        for (Forecast.Line l : lines) {
            expected = l.expectedCost() == null ? expected : expected.add(l.expectedCost());
            budget = l.budget() == null ? budget : budget.add(l.budget());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("expected_cost_usd", expected.toPlainString());
        m.put("budget_usd", budget.toPlainString());
        return m;
    }
}
