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
import io.assetcost.ops.LockTakenOver;
import io.assetcost.ops.OutputLayout;
import io.assetcost.ops.OutputLock;
import io.assetcost.ops.Publisher;
import io.assetcost.ops.TableReader;
import io.assetcost.page.ForecastPage;
import io.assetcost.page.Worksheet;
import io.assetcost.planning.Forecast;
import io.assetcost.planning.Plan;
import io.assetcost.planning.PlanCheck;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.run.InputException;
import io.assetcost.run.Invariant;
import io.assetcost.run.RunSummary;
import io.assetcost.run.SparkSettings;
import io.assetcost.run.Stages;
import io.assetcost.schema.OutputTable;
import io.assetcost.view.Page;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
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
 * ({@link Forecast}) and check every row ({@link PlanCheck}: budget against P90, unknown workflows, the window the
 * data covers, the tier the row's pace needs on the rate-limit card), take the output's lock, stage
 * {@code forecast} (Parquet and CSV), the worksheet ({@code forecast.txt}, {@link Worksheet}) and its page
 * ({@code forecast.html}, {@link ForecastPage}), check the invariants, publish them together only when they hold,
 * and write {@code forecast_summary.json} (with the window, the flag counts and every warning).
 *
 * <p>Stage, check, then publish, as the cost job does (docs/DESIGN.md, "Write, audit, publish"): the table and
 * its CSV file are written under {@code DIR/_staging/<run id>/} and swapped in together by one journalled
 * publish ({@link Publisher#publishWhole}) under the output's lock ({@link OutputLock}), so a forecast that
 * fails or is killed leaves the forecast published before it whole.
 */
public final class ForecastPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(ForecastPipeline.class);

    /** The worksheet as text, published beside forecast.csv. */
    static final String WORKSHEET = "forecast.txt";
    /** The forecast's page, published beside forecast.csv. */
    static final String PAGE = "forecast.html";

    private ForecastPipeline() {}

    /**
     * Outcome of a run.
     *
     * @param exitCode 0 written and published, 1 an invariant failed (nothing published)
     * @param reason why the exit code is not 0, one line (null for 0)
     * @param summary the summary as written
     * @param worksheet the worksheet as text, for stdout (null unless the forecast was published)
     */
    public record RunResult(int exitCode, String reason, ForecastSummary summary, String worksheet) {}

    /**
     * The forecast before it is written: the plan, its lines, their checks and the window they were measured over.
     */
    private record Measured(
            Plan plan, List<Forecast.Line> lines, LocalDate asOf, LocalDate from, Worksheet worksheet) {}

    /**
     * Runs the forecast.
     *
     * @param spark the session
     * @param options validated options
     * @param runId the run's id ({@link io.assetcost.run.RunLog#newRunId}): its record, staging and log
     * @param invariants the checks of the staged forecast: {@link #checks}, the job's own, which are identities of
     *     exact arithmetic that no input makes fail; a test gives one that fails, to see a refused forecast
     *     publish nothing
     * @return exit code, why it is not 0, and the summary
     * @throws InputException for an unusable plan or missing tables (before the lock; nothing written)
     * @throws io.assetcost.run.LockedException when another live run holds the output's lock (exit 4)
     */
    static RunResult run(
            SparkSession spark,
            ForecastOptions options,
            String runId,
            BiFunction<Plan, List<Forecast.Line>, List<Invariant>> invariants) {
        Instant started = Instant.now();
        SparkSettings.apply(spark);
        SparkSettings.forOutput(spark, options.out);
        Stages stages = new Stages(spark, "assetcost-forecast");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Measured measured = measure(spark, conf, options, stages);
        OutputLayout out = new OutputLayout(options.out);
        try (OutputLock lock = OutputLock.acquire(conf, out, runId, options.lock.staleAfter())) {
            String completed = Publisher.recover(spark, out);
            stages.start("stage forecast");
            List<Forecast.Line> lines = measured.lines();
            Dataset<Row> table = OutputTable.FORECAST.conform(spark.createDataFrame(
                    rows(lines, measured.worksheet().checks()), OutputTable.FORECAST.sparkSchema()));
            OutputLayout staged = out.stagingLayout(runId);
            OutputWriter.parquet(table, new Path(staged.root()), OutputTable.FORECAST);
            OutputWriter.csvReplacing(table, OutputTable.FORECAST, conf, staged.csv(OutputTable.FORECAST));
            String text = measured.worksheet().text();
            Page.write(conf, new Path(staged.root(), WORKSHEET), text);
            Page.write(conf, new Path(staged.root(), PAGE), ForecastPage.html(measured.worksheet()));
            stages.done(lines.size(), "rows");
            List<Invariant> checks = invariants.apply(measured.plan(), lines);
            Invariant.logFailures(checks, LOG);
            String failure = Invariant.firstFailure(checks);
            if (failure == null) {
                stages.start("publish");
                Publisher.publishWhole(
                        conf,
                        out,
                        runId,
                        List.of(OutputTable.FORECAST),
                        List.of(out.csv(OutputTable.FORECAST).getName(), WORKSHEET, PAGE));
                stages.done(1, "tables");
            }
            RunResult result = summarise(
                    conf, options, out, runId, started, measured, checks, failure, LockTakenOver.of(lock, completed));
            return failure == null ? new RunResult(result.exitCode(), result.reason(), result.summary(), text) : result;
        }
    }

    /** Reads the plan and asset_costs and forecasts every plan row; reads only, so it runs before the lock. */
    private static Measured measure(SparkSession spark, Configuration conf, ForecastOptions options, Stages stages) {
        Plan plan = readPlan(conf, options.plan);
        stages.start("measure");
        RateLimitCard card = RateLimitCard.load(conf, options.rateLimits);
        OutputLayout tables = new OutputLayout(options.tables);
        Dataset<Row> assets = TableReader.costJobTable(spark, tables, OutputTable.ASSET_COSTS);
        Dataset<Row> requests = TableReader.costJobTable(spark, tables, OutputTable.REQUEST_COSTS);
        LocalDate asOf = options.asOfDate() != null ? options.asOfDate() : latestCohort(assets);
        LocalDate from = asOf.minusDays(options.trailingDays - 1L);
        Map<String, List<Forecast.Day>> days = days(assets, from, asOf);
        List<Forecast.Line> lines = Forecast.of(plan, days, asOf, from, options.buffer, options.minApprovals);
        PlanCheck.Context context =
                CheckInputs.measure(assets, requests, from, asOf, card, options.accountTier, options.minApprovals);
        List<PlanCheck.Result> results = PlanCheck.of(lines, context);
        stages.done(lines.size(), "plan rows");
        Worksheet worksheet = new Worksheet(
                new Path(options.plan).getName(), from, asOf, options.buffer, context.all(), card, lines, results);
        return new Measured(plan, lines, asOf, from, worksheet);
    }

    /** The summary, to {@code forecast_summary.json} and {@code _runs/<run id>.json}, published or not. */
    private static RunResult summarise(
            Configuration conf,
            ForecastOptions options,
            OutputLayout out,
            String runId,
            Instant started,
            Measured measured,
            List<Invariant> checks,
            String failure,
            LockTakenOver lockTakenOver) {
        int exitCode = failure == null ? 0 : 1;
        String reason = failure == null
                ? null
                : failure + "; nothing published (the staged forecast is under " + out.staging(runId)
                        + " until the next run): the forecast published before is unchanged";
        List<Forecast.Line> lines = measured.lines();
        ForecastSummary.Totals totals = totals(lines);
        ForecastSummary summary = new ForecastSummary(
                RunSummary.Header.finished(ForecastSummary.JOB, runId, started, exitCode),
                options(options),
                lockTakenOver,
                measured.asOf().toString(),
                measured.from().toString(),
                lines.size(),
                basisCounts(lines),
                window(measured.worksheet(), options.trailingDays),
                flagCounts(measured.worksheet().checks()),
                measured.worksheet().warnings(),
                totals,
                new RunSummary.Outcome(
                        checks,
                        failure == null,
                        failure == null ? null : out.staging(runId).toString(),
                        reason));
        RunSummary.write(conf, summary, out.forecastSummary(), out.runRecord(runId));
        LOG.info(
                "assetcost-forecast: {} plan rows, window {} to {}, expected {} USD, budget {} USD; forecast in {};"
                        + " exit {}",
                lines.size(),
                measured.from(),
                measured.asOf(),
                totals.expectedCostUsd(),
                totals.budgetUsd(),
                out.root(),
                exitCode);
        return new RunResult(exitCode, reason, summary, null);
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

    private static Row row(Forecast.Line l, PlanCheck.Result c) {
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
                l.budget(),
                c.dataFrom(),
                c.dataTo(),
                c.workflowKnown(),
                c.budgetBelowP90(),
                c.hours(),
                c.limitModel(),
                c.imagesPerMinute(),
                c.tokensPerMinute(),
                c.tierNeeded(),
                c.flagsCell());
    }

    private static List<Row> rows(List<Forecast.Line> lines, List<PlanCheck.Result> checks) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            rows.add(row(lines.get(i), checks.get(i)));
        }
        return rows;
    }

    /** One forecast row per plan row; expected images are finals x iteration factor to the last place. */
    static List<Invariant> checks(Plan plan, List<Forecast.Line> lines) {
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

    private static ForecastSummary.Options options(ForecastOptions o) {
        return new ForecastSummary.Options(
                o.plan,
                o.tables,
                o.out,
                o.asOf,
                o.trailingDays,
                o.buffer.toPlainString(),
                o.minApprovals,
                o.rateLimits,
                o.accountTier);
    }

    /** The window asked for and the one the data covers, for a tool to read. */
    private static ForecastSummary.Window window(Worksheet w, int trailingDays) {
        return new ForecastSummary.Window(
                w.windowFrom().toString(),
                w.asOf().toString(),
                trailingDays,
                w.covered().from() == null ? null : w.covered().from().toString(),
                w.covered().to() == null ? null : w.covered().to().toString(),
                w.covered().days(),
                w.shortWindow());
    }

    private static Map<String, Long> flagCounts(List<PlanCheck.Result> checks) {
        Map<String, Long> m = new TreeMap<>();
        checks.forEach(c -> c.flags().forEach(f -> m.merge(f, 1L, Long::sum)));
        return m;
    }

    private static Map<String, Long> basisCounts(List<Forecast.Line> lines) {
        Map<String, Long> m = new TreeMap<>();
        lines.forEach(l -> m.merge(l.basis(), 1L, Long::sum));
        return m;
    }

    private static ForecastSummary.Totals totals(List<Forecast.Line> lines) {
        BigDecimal expected = BigDecimal.ZERO;
        BigDecimal budget = BigDecimal.ZERO;
        for (Forecast.Line l : lines) {
            expected = l.expectedCost() == null ? expected : expected.add(l.expectedCost());
            budget = l.budget() == null ? budget : budget.add(l.budget());
        }
        return new ForecastSummary.Totals(expected.toPlainString(), budget.toPlainString());
    }
}
