package io.assetcost.page;

import static io.assetcost.schema.Cols.APPROVALS_BEYOND_CAP;
import static io.assetcost.schema.Cols.APPROVED;
import static io.assetcost.schema.Cols.ASSETS;
import static io.assetcost.schema.Cols.ASSETS_APPROVED;
import static io.assetcost.schema.Cols.ASSETS_PENDING;
import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.ATTEMPTS_FROM;
import static io.assetcost.schema.Cols.ATTEMPT_CAP;
import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.COST_BEYOND_CAP_USD;
import static io.assetcost.schema.Cols.COST_PER_APPROVED_ASSET_USD;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.DIRECT_COST_USD;
import static io.assetcost.schema.Cols.GATEWAY_COST_USD;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.MINUTES_OVER_ACCOUNT_TIER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PEAK_IMAGES_PER_MINUTE;
import static io.assetcost.schema.Cols.PEAK_TOKENS_PER_MINUTE;
import static io.assetcost.schema.Cols.PENDING;
import static io.assetcost.schema.Cols.PENDING_COST_USD;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.REQUESTS_DIFFERING;
import static io.assetcost.schema.Cols.RESOLVED_COST_USD;
import static io.assetcost.schema.Cols.SMALLEST_FITTING_TIER;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WASTE_COST_USD;
import static io.assetcost.schema.Cols.WASTE_REASON;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.ops.OutputLayout;
import io.assetcost.ops.TableReader;
import io.assetcost.outcome.Outcomes;
import io.assetcost.planning.Attempts;
import io.assetcost.planning.Forecast;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.Meter;
import io.assetcost.report.Ratios;
import io.assetcost.run.Stages;
import io.assetcost.schema.OutputTable;
import io.assetcost.view.Charts;
import io.assetcost.view.Page;
import io.assetcost.view.Page.Cell;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code report.html}: the cost job's tables as published, as one self-contained page a team lead opens or
 * receives (README, "The report"). The headline ({@link CostHeadline}) gives the last {@link #PERIOD_DAYS} cohort
 * days over every cohort and compares them with the week before over mature cohort days only; the sections show
 * cost per approved asset over cohort dates, where each workflow's money went, the measured iteration factor
 * against the planning factors, where the attempts go and the attempt-cap what-if, rate-limit headroom, spend by
 * meter and the assets with the most waste, each saying its period. Every figure is read by column name
 * ({@link io.assetcost.schema.Cols}) from the published tables (small aggregates collected to the driver);
 * charts are drawn by {@link Charts}, the page by {@link Page}.
 */
public final class CostPage {

    /** Cohort days of the headline period (and of the previous one it is compared with). */
    static final int PERIOD_DAYS = 7;
    /** Cohort days the charts over time cover. */
    static final int CHART_DAYS = 28;

    private static final String RECORDS = "records";
    private static final List<String> CPA_HEADERS = List.of(
            "Cohort date",
            "Workflow",
            "Approved assets",
            "Pending assets",
            "Resolved cost",
            "Cost per approved asset",
            "Small sample");
    private static final List<String> SPEND_HEADERS = List.of(
            "Workflow", "Direct", "Failed requests", "Superseded attempts", "Abandoned assets", "Pending", "Total");
    private static final List<String> HEADROOM_HEADERS = List.of(
            "Model", "Days", "Peak images / min", "Peak tokens / min", "Smallest tier", "Minutes over your tier");
    private static final List<String> HEADROOM_DAY_HEADERS = List.of(
            "Day", "Model", "Peak images / min", "Peak tokens / min", "Smallest tier", "Minutes over your tier");

    /**
     * What the page counts as a mature cohort day and a small sample (README, "The report").
     *
     * @param maturePendingShare a cohort day with less than this share of its assets pending is mature (0 to 1)
     * @param matureAfterDays a cohort day this many days or more before the latest is mature whatever is pending
     * @param smallSampleApprovals a cost per approved asset resting on fewer approvals is marked
     */
    public record Options(BigDecimal maturePendingShare, int matureAfterDays, int smallSampleApprovals) {

        /** The cost job's defaults: 10%, 7 days, 5 approvals. */
        public static final Options DEFAULTS = new Options(new BigDecimal("0.1"), 7, 5);
    }

    private final SparkSession spark;
    private final OutputLayout out;
    private final Options options;

    private CostPage(SparkSession spark, OutputLayout out, Options options) {
        this.spark = spark;
        this.out = out;
        this.options = options;
    }

    /**
     * Writes {@code DIR/report.html} from the published tables. The page's queries run as independent steps,
     * {@code threads} at a time ({@link Stages#concurrently}); its figures, tables and charts are the same whatever
     * the number (only the charts' SVG id prefixes follow the order they were drawn in).
     *
     * @param out the output directory
     * @param limits the rate-limit card (tier lines on the headroom charts; which models have a card)
     * @param options what counts as a mature cohort and a small sample
     * @param runLine one line about the run (id, window, exit code) for the page's footer
     * @param stages the job's steps, to name and log the page's queries
     * @param threads the page's queries at a time (1 or more)
     * @throws UncheckedIOException when the page cannot be written
     */
    public static void write(
            SparkSession spark,
            OutputLayout out,
            RateLimitCard limits,
            Options options,
            String runLine,
            Stages stages,
            int threads) {
        new CostPage(spark, out, options).render(limits, runLine, stages, threads);
    }

    private Dataset<Row> table(OutputTable t) {
        return TableReader.readOrEmpty(spark, out.table(t), t);
    }

    private void render(RateLimitCard limits, String runLine, Stages stages, int threads) {
        stages.start("report.html: period");
        Dataset<Row> assets = table(OutputTable.ASSET_COSTS);
        Row latest = assets.agg(max(COHORT_DATE).as(COHORT_DATE)).first();
        LocalDate to = latest.isNullAt(0) ? LocalDate.now(java.time.ZoneOffset.UTC) : latest.getAs(COHORT_DATE);
        LocalDate from = to.minusDays(PERIOD_DAYS - 1L);
        stages.done(1, "period");
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Image generation: cost per approved asset");
        model.put(
                "subtitle",
                "Cohorts " + from + " to " + to + " (UTC), compared with the " + PERIOD_DAYS
                        + " days before; the tables are beside this page");
        model.put("periodFrom", from.toString());
        model.put("periodTo", to.toString());
        model.put("maturePendingShare", options.maturePendingShare().toPlainString());
        model.put("matureAfterDays", options.matureAfterDays());
        model.put("periodTitle", "The last " + PERIOD_DAYS + " cohort days: " + from + " to " + to + " (UTC)");
        model.put(
                "periodNote",
                "A cohort is the UTC day of an asset's first request; money in USD, exact in the tables and rounded"
                        + " to the cent here. Every ratio on this page is a sum divided by a sum (resolved cost"
                        + " summed over the rows / approved assets summed over the rows): an average of the rows'"
                        + " ratios weighs a day of 3 approvals like one of 30 and gives the wrong answer.");
        // Filled by the first step; read once every step has ended (Stages.concurrently waits for all).
        Map<String, Object> figures = new LinkedHashMap<>();
        Dataset<Row> quarantine = table(OutputTable.QUARANTINE);
        List<Stages.Step<List<Page.Section>>> steps = List.of(
                step("headline", () -> {
                    figures.put("headline", CostHeadline.of(cohortDays(assets, from, to), from, to, options));
                    figures.put("quarantined", quarantine.count());
                    figures.put("topReasons", topReasons(quarantine));
                    return List.of();
                }),
                step("cost per approved asset", () -> List.of(costPerApprovedAsset(to))),
                step("spend", () -> List.of(spendSplit(assets, from, to))),
                step("iteration factor", () -> List.of(iterationFactor(assets, from, to))),
                step("attempts", () -> List.of(attempts(from, to))),
                step("attempt cap", () -> List.of(attemptCap(from, to))),
                step("headroom", () -> headroom(limits, to)),
                step("meters", () -> List.of(meters(from, to))),
                step("gateway costs", () -> gatewayCosts(from, to)),
                step("top waste", () -> List.of(topWaste(assets, from, to))));
        List<Page.Section> sections = new ArrayList<>();
        stages.concurrently(threads, steps, List::size, "sections").forEach(sections::addAll);
        model.putAll(figures);
        BigDecimal pendingCost =
                ((CostHeadline.Headline) figures.get("headline")).period().pendingCost();
        model.put("pendingCostShown", Page.dollars(pendingCost));
        model.put("pendingCostExact", pendingCost.toPlainString());
        model.put("sections", sections);
        model.put(
                "footer",
                "assetcost " + runLine + ". Charts: JFreeChart; every chart's numbers are in the table under it.");
        stages.start("report.html: write");
        Page.write(spark.sparkContext().hadoopConfiguration(), out.report(), Page.render("cost-report", model));
        stages.done(1, "pages");
    }

    private static Stages.Step<List<Page.Section>> step(String name, Callable<List<Page.Section>> work) {
        return new Stages.Step<>("report.html: " + name, work);
    }

    /**
     * The cohort days [from - {@link #PERIOD_DAYS}, to] of asset_costs, summed per day: the headline's input.
     *
     * @param assets rows of asset_costs
     * @param from first day of the period
     * @param to last day of the period
     * @return one per cohort day with an asset
     */
    static List<CostHeadline.Day> cohortDays(Dataset<Row> assets, LocalDate from, LocalDate to) {
        List<CostHeadline.Day> days = new ArrayList<>();
        for (Row r : assets.filter(between(COHORT_DATE, from.minusDays(PERIOD_DAYS), to))
                .groupBy(COHORT_DATE)
                .agg(
                        count(lit(1)).as(ASSETS),
                        count_if(col(STATUS).equalTo(APPROVED)).as(ASSETS_APPROVED),
                        count_if(col(STATUS).equalTo(PENDING)).as(ASSETS_PENDING),
                        sum(TOTAL_COST_USD).as(TOTAL_COST_USD),
                        sum(when(col(STATUS).notEqual(PENDING), col(TOTAL_COST_USD)))
                                .as(RESOLVED_COST_USD),
                        sum(PENDING_COST_USD).as(PENDING_COST_USD),
                        sum(WASTE_COST_USD).as(WASTE_COST_USD),
                        sum(CACHE_SAVINGS_USD).as(CACHE_SAVINGS_USD))
                .collectAsList()) {
            days.add(new CostHeadline.Day(
                    r.getAs(COHORT_DATE),
                    Rows.count(r, ASSETS),
                    Rows.count(r, ASSETS_APPROVED),
                    Rows.count(r, ASSETS_PENDING),
                    Rows.usd(r, TOTAL_COST_USD),
                    Rows.usd(r, RESOLVED_COST_USD),
                    Rows.usd(r, PENDING_COST_USD),
                    Rows.usd(r, WASTE_COST_USD),
                    Rows.usd(r, CACHE_SAVINGS_USD)));
        }
        return days;
    }

    /** The period line of a section over cohorts. */
    private static String cohorts(LocalDate from, LocalDate to) {
        return "Cohorts " + from + " to " + to + " (UTC), the headline's period.";
    }

    private List<Map<String, Object>> topReasons(Dataset<Row> quarantine) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : quarantine
                .groupBy(REASON)
                .agg(count(lit(1)).as(RECORDS))
                .orderBy(desc(RECORDS), col(REASON))
                .limit(3)
                .collectAsList()) {
            out.add(Map.of("reason", Rows.text(r, REASON), "count", Rows.count(r, RECORDS)));
        }
        return out;
    }

    private static Column between(String dateColumn, LocalDate from, LocalDate to) {
        return col(dateColumn)
                .between(lit(from.toString()).cast("date"), lit(to.toString()).cast("date"));
    }

    private Page.Section costPerApprovedAsset(LocalDate to) {
        List<Row> rows = cpaRows(to);
        int small = options.smallSampleApprovals();
        String smallText = "fewer than " + CostHeadline.plural(small, "approval");
        Map<String, Map<String, BigDecimal>> series = new TreeMap<>();
        Map<String, java.util.Set<String>> marked = new TreeMap<>();
        Map<String, long[]> perWorkflow = new TreeMap<>();
        Map<String, BigDecimal> resolvedPerWorkflow = new TreeMap<>();
        TreeSet<String> days = new TreeSet<>();
        List<List<Cell>> full = new ArrayList<>();
        for (Row r : rows) {
            String day = Rows.text(r, COHORT_DATE);
            String workflow = Rows.text(r, WORKFLOW_ID);
            long approved = Rows.count(r, ASSETS_APPROVED);
            BigDecimal cpa = Rows.decimal(r, COST_PER_APPROVED_ASSET_USD);
            days.add(day);
            if (cpa != null) {
                series.computeIfAbsent(workflow, k -> new TreeMap<>()).put(day, cpa);
            }
            boolean few = cpa != null && approved < small;
            if (few) {
                marked.computeIfAbsent(workflow, k -> new java.util.TreeSet<>()).add(day);
            }
            long[] sums = perWorkflow.computeIfAbsent(workflow, k -> new long[3]);
            sums[0] += approved;
            sums[1] += Rows.count(r, ASSETS_PENDING);
            sums[2] += few ? 1 : 0;
            resolvedPerWorkflow.merge(workflow, Rows.usd(r, RESOLVED_COST_USD), BigDecimal::add);
            full.add(List.of(
                    Cell.text(day),
                    Cell.text(workflow),
                    Cell.count(approved),
                    Cell.count(Rows.count(r, ASSETS_PENDING)),
                    Cell.usd(Rows.usd(r, RESOLVED_COST_USD)),
                    Cell.usd(cpa),
                    Cell.text(few ? smallText : "")));
        }
        String svg = Charts.lines(
                "Cost per approved asset by workflow",
                "Cohort date (UTC)",
                "USD per approved asset",
                new Charts.Data(series, List.copyOf(days)),
                List.of(),
                marked,
                "Circled: resting on " + smallText + ", too few to read much into");
        return new Page.Section(
                "cost-per-approved-asset",
                "Cost per approved asset over cohort dates",
                "Every retry, failure and abandoned asset of a cohort loaded onto the assets it approved. A circled"
                        + " point rests on " + smallText + ". The latest days still have assets in review: their"
                        + " points will move.",
                List.of(svg),
                cpaSummary(perWorkflow, resolvedPerWorkflow, smallText),
                chartPeriod(days, "Cohorts", " cohort days, a longer view than the headline's " + PERIOD_DAYS + "."),
                new Page.Table("Cost per approved asset, per cohort date and workflow, USD", CPA_HEADERS, full));
    }

    private List<Row> cpaRows(LocalDate to) {
        return table(OutputTable.COST_PER_APPROVED_ASSET)
                .filter(between(COHORT_DATE, to.minusDays(CHART_DAYS - 1L), to))
                .orderBy(COHORT_DATE, WORKFLOW_ID)
                .select(
                        col(COHORT_DATE).cast("string").as(COHORT_DATE),
                        col(WORKFLOW_ID),
                        col(ASSETS_APPROVED),
                        col(ASSETS_PENDING),
                        col(RESOLVED_COST_USD),
                        col(COST_PER_APPROVED_ASSET_USD))
                .collectAsList();
    }

    /** The period line of a chart over up to {@link #CHART_DAYS} days: the days it actually shows. */
    private static String chartPeriod(TreeSet<String> days, String what, String tail) {
        return days.isEmpty()
                ? "Nothing in the last " + CHART_DAYS + " days."
                : what + " " + days.first() + " to " + days.last() + " (UTC): up to the last " + CHART_DAYS + tail;
    }

    /** Per workflow over the chart's days: sums, and the cost per approved asset as their quotient. */
    private static Page.Table cpaSummary(
            Map<String, long[]> perWorkflow, Map<String, BigDecimal> resolved, String smallText) {
        List<List<Cell>> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : perWorkflow.entrySet()) {
            long[] sums = e.getValue();
            BigDecimal cost = resolved.get(e.getKey());
            rows.add(List.of(
                    Cell.text(e.getKey()),
                    Cell.count(sums[0]),
                    Cell.count(sums[1]),
                    Cell.usd(cost),
                    Cell.usd(Ratios.divide(cost, BigDecimal.valueOf(sums[0]))),
                    Cell.count(sums[2])));
        }
        return new Page.Table(
                "Per workflow over these cohorts: resolved cost summed, divided by approved assets summed, USD",
                List.of(
                        "Workflow",
                        "Approved assets",
                        "Pending assets",
                        "Resolved cost",
                        "Cost per approved asset",
                        "Days with " + smallText),
                rows);
    }

    private Page.Section spendSplit(Dataset<Row> assets, LocalDate from, LocalDate to) {
        Map<String, Map<String, BigDecimal>> parts = new LinkedHashMap<>();
        for (String p : List.of(
                "direct", Outcomes.FAILED_REQUEST, Outcomes.SUPERSEDED_ATTEMPT, Outcomes.ABANDONED_ASSET, "pending")) {
            parts.put(p, new TreeMap<>());
        }
        for (Row r : assets.filter(between(COHORT_DATE, from, to))
                .groupBy(WORKFLOW_ID)
                .agg(
                        sum(DIRECT_COST_USD).as(DIRECT_COST_USD),
                        sum(PENDING_COST_USD).as(PENDING_COST_USD))
                .collectAsList()) {
            parts.get("direct").put(Rows.text(r, WORKFLOW_ID), Rows.usd(r, DIRECT_COST_USD));
            parts.get("pending").put(Rows.text(r, WORKFLOW_ID), Rows.usd(r, PENDING_COST_USD));
        }
        for (Row r : table(OutputTable.RETRY_WASTE)
                .filter(between(COHORT_DATE, from, to))
                .groupBy(WORKFLOW_ID, WASTE_REASON)
                .agg(sum(WASTE_COST_USD).as(WASTE_COST_USD))
                .collectAsList()) {
            parts.get(Rows.text(r, WASTE_REASON)).put(Rows.text(r, WORKFLOW_ID), Rows.usd(r, WASTE_COST_USD));
        }
        TreeSet<String> workflows = new TreeSet<>();
        parts.values().forEach(m -> workflows.addAll(m.keySet()));
        List<List<Cell>> table = new ArrayList<>();
        for (String w : workflows) {
            List<Cell> row = new ArrayList<>(List.of(Cell.text(w)));
            BigDecimal total = BigDecimal.ZERO;
            for (Map<String, BigDecimal> part : parts.values()) {
                BigDecimal v = part.getOrDefault(w, BigDecimal.ZERO);
                row.add(Cell.usd(v));
                total = total.add(v);
            }
            row.add(Cell.usd(total));
            table.add(row);
        }
        String svg = Charts.stackedBars(
                "Spend per workflow: direct, waste by reason, pending",
                "Workflow",
                "USD",
                new Charts.Data(parts, List.copyOf(workflows)));
        return new Page.Section(
                "spend",
                "Where each workflow's money went",
                "Direct: the requests that made the approved images. Retry waste, by reason: failed requests,"
                        + " superseded attempts of approved assets, abandoned (rejected) assets. Pending: assets not"
                        + " reviewed yet, in no ratio until they are.",
                List.of(svg),
                new Page.Table("Spend per workflow in the period, USD", SPEND_HEADERS, table),
                cohorts(from, to),
                null);
    }

    private Page.Section iterationFactor(Dataset<Row> assets, LocalDate from, LocalDate to) {
        Map<String, BigDecimal> factor = new TreeMap<>();
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : assets.filter(
                        between(COHORT_DATE, from, to).and(col(STATUS).notEqual(PENDING)))
                .groupBy(WORKFLOW_ID)
                .agg(
                        count_if(col(STATUS).equalTo(APPROVED)).as(ASSETS_APPROVED),
                        sum(IMAGES_GENERATED).as(IMAGES_GENERATED))
                .orderBy(WORKFLOW_ID)
                .collectAsList()) {
            long approved = Rows.count(r, ASSETS_APPROVED);
            long images = Rows.count(r, IMAGES_GENERATED);
            BigDecimal f = Ratios.divide(BigDecimal.valueOf(images), BigDecimal.valueOf(approved));
            if (f != null) {
                factor.put(Rows.text(r, WORKFLOW_ID), f);
            }
            table.add(List.of(
                    Cell.text(Rows.text(r, WORKFLOW_ID)),
                    Cell.count(approved),
                    Cell.count(images),
                    Cell.ratio(f, 2),
                    Cell.text(f == null ? "" : regime(f))));
        }
        String svg = Charts.bars(
                "Measured iteration factor per workflow",
                "Workflow",
                "Images per approved asset",
                new Charts.Data(Map.of("measured", factor), List.copyOf(factor.keySet())),
                List.of(
                        new Charts.Marker(Forecast.LOW_FACTOR, "1.2x baseline per SKU"),
                        new Charts.Marker(Forecast.MID_FACTOR, "1.8x"),
                        new Charts.Marker(Forecast.HIGH_FACTOR, "2.5x re-prompt each time")));
        return new Page.Section(
                "iteration-factor",
                "Iteration factor against the planning factors",
                "Images generated for resolved assets per approved asset (images summed / approvals summed), against"
                        + " the guides' 1.2x, 1.8x and 2.5x. Pending assets are left out until reviewed.",
                List.of(svg),
                new Page.Table(
                        "Measured iteration factor in the period",
                        List.of(
                                "Workflow",
                                "Approved assets",
                                "Images generated",
                                "Iteration factor",
                                "Nearest factor"),
                        table),
                cohorts(from, to),
                null);
    }

    private static String regime(BigDecimal f) {
        BigDecimal best = Forecast.LOW_FACTOR;
        for (BigDecimal p : List.of(Forecast.MID_FACTOR, Forecast.HIGH_FACTOR)) {
            if (f.subtract(p).abs().compareTo(f.subtract(best).abs()) < 0) {
                best = p;
            }
        }
        return best.toPlainString() + "x";
    }

    private Page.Section attempts(LocalDate from, LocalDate to) {
        Map<String, Map<String, BigDecimal>> byBucket = new LinkedHashMap<>();
        List<List<Cell>> table = new ArrayList<>();
        TreeSet<String> workflows = new TreeSet<>();
        for (Row r : table(OutputTable.ATTEMPTS)
                .filter(between(COHORT_DATE, from, to))
                .groupBy(col(WORKFLOW_ID), col(Attempts.ATTEMPTS), col(ATTEMPTS_FROM))
                .agg(
                        sum(ASSETS).as(ASSETS),
                        sum(ASSETS_APPROVED).as(ASSETS_APPROVED),
                        sum(TOTAL_COST_USD).as(TOTAL_COST_USD),
                        sum(WASTE_COST_USD).as(WASTE_COST_USD))
                .orderBy(col(ATTEMPTS_FROM), col(WORKFLOW_ID))
                .collectAsList()) {
            String workflow = Rows.text(r, WORKFLOW_ID);
            String bucket = Rows.text(r, Attempts.ATTEMPTS);
            workflows.add(workflow);
            byBucket.computeIfAbsent(bucket + (bucket.equals("1") ? " attempt" : " attempts"), k -> new TreeMap<>())
                    .put(workflow, BigDecimal.valueOf(Rows.count(r, ASSETS)));
            table.add(List.of(
                    Cell.text(workflow),
                    Cell.text(bucket),
                    Cell.count(Rows.count(r, ASSETS)),
                    Cell.count(Rows.count(r, ASSETS_APPROVED)),
                    Cell.usd(Rows.usd(r, TOTAL_COST_USD)),
                    Cell.usd(Rows.usd(r, WASTE_COST_USD))));
        }
        String svg = Charts.stackedBars(
                "Assets by the attempts they took",
                "Workflow",
                "Assets",
                new Charts.Data(byBucket, List.copyOf(workflows)));
        return new Page.Section(
                "attempts",
                "Where the attempts go",
                "How many requests each asset took before it was approved, rejected or left pending.",
                List.of(svg),
                new Page.Table(
                        "Assets by attempts in the period",
                        List.of("Workflow", "Attempts", "Assets", "Approved", "Total cost", "Retry waste"),
                        table),
                cohorts(from, to),
                null);
    }

    private Page.Section attemptCap(LocalDate from, LocalDate to) {
        List<List<Cell>> table = new ArrayList<>();
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("resolved cost", new TreeMap<>());
        series.put("spend beyond the cap", new TreeMap<>());
        long cap = 0;
        for (Row r : table(OutputTable.ATTEMPT_CAP)
                .filter(between(COHORT_DATE, from, to))
                .groupBy(col(WORKFLOW_ID), col(ATTEMPT_CAP))
                .agg(
                        sum(RESOLVED_COST_USD).as(RESOLVED_COST_USD),
                        sum(COST_BEYOND_CAP_USD).as(COST_BEYOND_CAP_USD),
                        sum(ASSETS_APPROVED).as(ASSETS_APPROVED),
                        sum(APPROVALS_BEYOND_CAP).as(APPROVALS_BEYOND_CAP))
                .orderBy(WORKFLOW_ID)
                .collectAsList()) {
            String workflow = Rows.text(r, WORKFLOW_ID);
            cap = Rows.count(r, ATTEMPT_CAP);
            BigDecimal resolved = Rows.usd(r, RESOLVED_COST_USD);
            BigDecimal beyond = Rows.usd(r, COST_BEYOND_CAP_USD);
            series.get("resolved cost").put(workflow, resolved);
            series.get("spend beyond the cap").put(workflow, beyond);
            table.add(List.of(
                    Cell.text(workflow),
                    Cell.count(cap),
                    Cell.usd(resolved),
                    Cell.usd(beyond),
                    Cell.percent(Ratios.divide(beyond, resolved)),
                    Cell.count(Rows.count(r, ASSETS_APPROVED)),
                    Cell.count(Rows.count(r, APPROVALS_BEYOND_CAP))));
        }
        String svg = Charts.bars(
                "Attempt cap of " + cap + ": what it would save",
                "Workflow",
                "USD",
                new Charts.Data(series, List.copyOf(series.get("resolved cost").keySet())),
                List.of());
        return new Page.Section(
                "attempt-cap",
                "The attempt-cap what-if",
                "Stopping after the N-th attempt and sending the asset to human review: the spend it would have saved"
                        + " and the approvals that came later.",
                List.of(svg),
                new Page.Table(
                        "Attempt cap in the period",
                        List.of(
                                "Workflow",
                                "Cap",
                                "Resolved cost",
                                "Spend beyond the cap",
                                "Share",
                                "Approved",
                                "Approvals beyond the cap"),
                        table),
                cohorts(from, to),
                null);
    }

    private List<Page.Section> headroom(RateLimitCard limits, LocalDate to) {
        List<Row> rows = headroomRows(to);
        Map<String, Map<String, BigDecimal>> ipm = new TreeMap<>();
        Map<String, Map<String, BigDecimal>> tpm = new TreeMap<>();
        Map<String, Headroom> perModel = new TreeMap<>();
        TreeSet<String> days = new TreeSet<>();
        List<List<Cell>> full = new ArrayList<>();
        long peakImages = 0;
        long peakTokens = 0;
        for (Row r : rows) {
            String day = Rows.text(r, USAGE_DATE);
            String model = Rows.text(r, RATE_MODEL);
            long images = Rows.count(r, PEAK_IMAGES_PER_MINUTE);
            long tokens = Rows.count(r, PEAK_TOKENS_PER_MINUTE);
            Integer tier = r.getAs(SMALLEST_FITTING_TIER);
            Long over = r.getAs(MINUTES_OVER_ACCOUNT_TIER);
            days.add(day);
            ipm.computeIfAbsent(model, k -> new TreeMap<>()).put(day, BigDecimal.valueOf(images));
            tpm.computeIfAbsent(model, k -> new TreeMap<>()).put(day, BigDecimal.valueOf(tokens));
            peakImages = Math.max(peakImages, images);
            peakTokens = Math.max(peakTokens, tokens);
            perModel.merge(model, new Headroom(1, images, tokens, tier, tier == null, over), Headroom::plus);
            full.add(List.of(
                    Cell.text(day),
                    Cell.text(model),
                    Cell.count(images),
                    Cell.count(tokens),
                    Cell.text(tierText(limits, model, tier)),
                    Cell.text(over == null ? "" : Long.toString(over))));
        }
        List<List<Cell>> summary = new ArrayList<>();
        perModel.forEach((model, h) -> summary.add(h.cells(limits, model)));
        String images = Charts.lines(
                "Peak images per minute against the tier limits",
                "Day (UTC)",
                "Images per minute",
                new Charts.Data(ipm, List.copyOf(days)),
                tierMarkers(limits, peakImages, true));
        String tokens = Charts.lines(
                "Peak tokens per minute against the tier limits",
                "Day (UTC)",
                "Tokens per minute",
                new Charts.Data(tpm, List.copyOf(days)),
                tierMarkers(limits, peakTokens, false));
        return List.of(new Page.Section(
                "headroom",
                "Rate-limit headroom",
                "The busiest UTC minute of each day, per model, in images and in tokens (input and output), against"
                        + " the limits of the lowest usage tiers that hold it.",
                List.of(images, tokens),
                new Page.Table(
                        "Per model: the highest daily peaks and the smallest tier that holds them all",
                        HEADROOM_HEADERS,
                        summary),
                chartPeriod(days, "Usage dates", " days."),
                new Page.Table(
                        "Peaks per UTC minute and the smallest usage tier that holds them",
                        HEADROOM_DAY_HEADERS,
                        full)));
    }

    /**
     * A model's headroom over the days: days, highest peaks, the highest of the days' smallest tiers, whether a
     * day fit no tier, the minutes over the account tier (null without {@code --account-tier}).
     */
    private record Headroom(long days, long images, long tokens, Integer tier, boolean anyUnfit, Long over) {
        Headroom plus(Headroom o) {
            return new Headroom(
                    days + o.days,
                    Math.max(images, o.images),
                    Math.max(tokens, o.tokens),
                    tier == null || o.tier == null
                            ? (tier == null ? o.tier : tier)
                            : Integer.valueOf(Math.max(tier, o.tier)),
                    anyUnfit || o.anyUnfit,
                    over == null || o.over == null ? (over == null ? o.over : over) : Long.valueOf(over + o.over));
        }

        List<Cell> cells(RateLimitCard limits, String model) {
            return List.of(
                    Cell.text(model),
                    Cell.count(days),
                    Cell.count(images),
                    Cell.count(tokens),
                    Cell.text(tierText(limits, model, anyUnfit ? null : tier)),
                    Cell.text(over == null ? "" : Long.toString(over)));
        }
    }

    /** The smallest tier, or why there is none: the card has no row for the model, or no tier holds the peak. */
    static String tierText(RateLimitCard limits, String rateModel, Integer tier) {
        if (tier != null) {
            return "Tier " + tier;
        }
        String base = rateModel.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", "");
        boolean carded = limits.limits().stream()
                .anyMatch(l -> l.model().equals(rateModel) || l.model().equals(base));
        return carded ? "none: above every tier" : "none: no rate-limit card for this model";
    }

    private List<Row> headroomRows(LocalDate to) {
        return table(OutputTable.RATE_LIMIT_HEADROOM)
                .filter(between(USAGE_DATE, to.minusDays(CHART_DAYS - 1L), to))
                .orderBy(col(USAGE_DATE), col(RATE_MODEL))
                .select(
                        col(USAGE_DATE).cast("string").as(USAGE_DATE),
                        col(RATE_MODEL),
                        col(PEAK_IMAGES_PER_MINUTE),
                        col(PEAK_TOKENS_PER_MINUTE),
                        col(SMALLEST_FITTING_TIER),
                        col(MINUTES_OVER_ACCOUNT_TIER))
                .collectAsList();
    }

    /** The gpt-image-2 tier limits up to the first that holds the peak: the lines a reader compares with. */
    private static List<Charts.Marker> tierMarkers(RateLimitCard limits, long peak, boolean images) {
        List<Charts.Marker> out = new ArrayList<>();
        for (RateLimitCard.Limit l : limits.limits().stream()
                .filter(l -> l.model().equals("gpt-image-2") && l.to() == null)
                .sorted(java.util.Comparator.comparingInt(RateLimitCard.Limit::tier))
                .toList()) {
            long limit = images ? l.imagesPerMinute() : l.tokensPerMinute();
            out.add(new Charts.Marker(BigDecimal.valueOf(limit), "Tier " + l.tier()));
            if (limit >= peak) {
                break;
            }
        }
        return out;
    }

    private Page.Section meters(LocalDate from, LocalDate to) {
        Dataset<Row> costs = table(OutputTable.REQUEST_COSTS).filter(between(USAGE_DATE, from, to));
        List<Column> aggs = new ArrayList<>();
        for (Meter m : Meter.values()) {
            aggs.add(sum(m.tokensColumn()).as(m.tokensColumn()));
            aggs.add(sum(m.costColumn()).as(m.costColumn()));
        }
        aggs.add(sum(CACHE_SAVINGS_USD).as(CACHE_SAVINGS_USD));
        Row r = costs.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
                .first();
        Map<String, BigDecimal> spend = new LinkedHashMap<>();
        List<List<Cell>> table = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Meter m : Meter.values()) {
            total = total.add(Rows.usd(r, m.costColumn()));
        }
        for (Meter m : Meter.values()) {
            BigDecimal cost = Rows.usd(r, m.costColumn());
            spend.put(m.id(), cost);
            table.add(List.of(
                    Cell.text(m.id()),
                    Cell.count(Rows.count(r, m.tokensColumn())),
                    Cell.usd(cost),
                    Cell.percent(Ratios.divide(cost, total))));
        }
        table.add(List.of(
                Cell.text("cache savings (not spent)"),
                Cell.text(""),
                Cell.usd(Rows.usd(r, CACHE_SAVINGS_USD)),
                Cell.text("")));
        String svg = Charts.bars(
                "Spend by meter",
                "Meter",
                "USD",
                new Charts.Data(Map.of("spend", spend), List.copyOf(spend.keySet())),
                List.of());
        return new Page.Section(
                "meters",
                "Spend by meter, and what caching saved",
                "Image output is usually most of it; cached input is billed at a fraction of the uncached rate, and"
                        + " the savings are what it would have cost more.",
                List.of(svg),
                new Page.Table("Spend by meter, USD", List.of("Meter", "Tokens", "Cost", "Share"), table),
                usageDates(from, to),
                null);
    }

    /** The period line of a section over usage dates. */
    private static String usageDates(LocalDate from, LocalDate to) {
        return "Usage dates " + from + " to " + to + " (UTC): the requests made on the headline's days, whatever"
                + " their cohort.";
    }

    /**
     * Our cost beside the gateway's own, per day and model, where the usage export carried one (LiteLLM spend,
     * Langfuse's total cost); no section when none did.
     */
    private List<Page.Section> gatewayCosts(LocalDate from, LocalDate to) {
        List<Row> rows = io.assetcost.report.Reports.gatewayCosts(
                        table(OutputTable.REQUEST_COSTS).filter(between(USAGE_DATE, from, to)))
                .collectAsList();
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("our cost", new LinkedHashMap<>());
        series.put("gateway's cost", new LinkedHashMap<>());
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : rows) {
            String day = r.getAs(USAGE_DATE).toString();
            BigDecimal ours = r.getAs(COST_USD);
            BigDecimal theirs = r.getAs(GATEWAY_COST_USD);
            series.get("our cost").merge(day, ours, BigDecimal::add);
            series.get("gateway's cost").merge(day, theirs, BigDecimal::add);
            table.add(List.of(
                    Cell.text(day),
                    Cell.text(r.getAs(MODEL)),
                    Cell.count(r.<Long>getAs(REQUESTS)),
                    Cell.usd(ours),
                    Cell.usd(theirs),
                    Cell.usd(r.getAs(DIFFERENCE_USD)),
                    Cell.count(r.<Long>getAs(REQUESTS_DIFFERING))));
        }
        String svg = Charts.bars(
                "Our cost and the gateway's, by usage date",
                "Usage date",
                "USD",
                new Charts.Data(series, List.copyOf(series.get("our cost").keySet())),
                List.of());
        return List.of(new Page.Section(
                "gateway",
                "A second opinion: the gateway's own cost",
                "Over the requests whose export carried the gateway's computed cost."
                        + " Ours comes from the rate card; a request differs when the two are not equal to the"
                        + " micro-dollar. Gateways have priced image models wrongly before: where they differ, the"
                        + " rate card and the bill decide.",
                List.of(svg),
                new Page.Table(
                        "Our cost and the gateway's, USD",
                        List.of(
                                "Usage date",
                                "Model",
                                "Requests",
                                "Our cost",
                                "Gateway's cost",
                                "Difference",
                                "Requests differing"),
                        table),
                usageDates(from, to),
                null));
    }

    private Page.Section topWaste(Dataset<Row> assets, LocalDate from, LocalDate to) {
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : assets.filter(
                        between(COHORT_DATE, from, to).and(col(WASTE_COST_USD).gt(0)))
                .orderBy(desc(WASTE_COST_USD), col(WORKFLOW_ID), col(ASSET_ID))
                .limit(10)
                .collectAsList()) {
            table.add(List.of(
                    Cell.text(Rows.text(r, WORKFLOW_ID)),
                    Cell.text(Rows.text(r, ASSET_ID)),
                    Cell.text(Rows.text(r, COHORT_DATE)),
                    Cell.text(Rows.text(r, STATUS)),
                    Cell.count(Rows.count(r, REQUESTS)),
                    Cell.usd(Rows.usd(r, WASTE_COST_USD)),
                    Cell.usd(Rows.usd(r, TOTAL_COST_USD))));
        }
        return new Page.Section(
                "top-waste",
                "The ten assets with the most retry waste",
                "Where to look first.",
                List.of(),
                new Page.Table(
                        "Assets of the period by retry waste, USD",
                        List.of("Workflow", "Asset", "Cohort", "Status", "Attempts", "Retry waste", "Total cost"),
                        table),
                cohorts(from, to),
                null);
    }
}
