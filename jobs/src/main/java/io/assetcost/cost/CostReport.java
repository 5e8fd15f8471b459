package io.assetcost.cost;

import static io.assetcost.schema.Cols.APPROVED;
import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.DIRECT_COST_USD;
import static io.assetcost.schema.Cols.GATEWAY_COST_USD;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PENDING;
import static io.assetcost.schema.Cols.PENDING_COST_USD;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.REQUESTS_DIFFERING;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WASTE_COST_USD;
import static io.assetcost.schema.Cols.WASTE_REASON;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.ops.OutputLayout;
import io.assetcost.outcome.Outcomes;
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
 * receives (README, "The report"). The headline compares the last {@link #PERIOD_DAYS} cohort days with the
 * seven before them; the sections show cost per approved asset over cohort dates, where each workflow's money
 * went, the measured iteration factor against the planning factors, where the attempts go and the
 * attempt-cap what-if, rate-limit headroom, spend by meter and the assets with the most waste. Every figure is
 * read from the published tables (small aggregates collected to the driver); charts are drawn by
 * {@link Charts}, the page by {@link Page}.
 */
final class CostReport {

    /** Cohort days of the headline period (and of the previous one it is compared with). */
    static final int PERIOD_DAYS = 7;
    /** Cohort days the charts over time cover. */
    static final int CHART_DAYS = 28;

    private final SparkSession spark;
    private final OutputLayout out;

    private CostReport(SparkSession spark, OutputLayout out) {
        this.spark = spark;
        this.out = out;
    }

    /**
     * Writes {@code DIR/report.html} from the published tables. The page's queries run as independent steps,
     * {@code threads} at a time ({@link Stages#concurrently}); its figures, tables and charts are the same whatever
     * the number (only the charts' SVG id prefixes follow the order they were drawn in).
     *
     * @param spark the session
     * @param out the output directory
     * @param limits the rate-limit card (tier lines on the headroom charts)
     * @param runLine one line about the run (id, window, exit code) for the page's footer
     * @param stages the job's steps, to name and log the page's queries
     * @param threads the page's queries at a time (1 or more)
     * @throws UncheckedIOException when the page cannot be written
     */
    static void write(
            SparkSession spark, OutputLayout out, RateLimitCard limits, String runLine, Stages stages, int threads) {
        new CostReport(spark, out).render(limits, runLine, stages, threads);
    }

    private Dataset<Row> table(OutputTable t) {
        return CostSummary.published(spark, out, t);
    }

    private void render(RateLimitCard limits, String runLine, Stages stages, int threads) {
        stages.start("report.html: period");
        Dataset<Row> assets = table(OutputTable.ASSET_COSTS);
        Row latest = assets.agg(max(COHORT_DATE)).first();
        LocalDate to = latest.isNullAt(0) ? LocalDate.now(java.time.ZoneOffset.UTC) : latest.getAs(0);
        LocalDate from = to.minusDays(PERIOD_DAYS - 1L);
        stages.done(1, "period");
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Image generation: cost per approved asset");
        model.put(
                "subtitle",
                "Cohorts " + from + " to " + to + " (UTC), compared with the " + PERIOD_DAYS
                        + " days before; tables in " + out.root());
        model.put("periodFrom", from.toString());
        model.put("periodTo", to.toString());
        model.put("periodTitle", "The last " + PERIOD_DAYS + " cohort days: " + from + " to " + to);
        model.put(
                "periodNote",
                "A cohort is the UTC day of an asset's first request; money in USD, exact in the"
                        + " tables and rounded to the cent here.");
        // Filled by the first step; read once every step has ended (Stages.concurrently waits for all).
        Map<String, Object> figures = new LinkedHashMap<>();
        Dataset<Row> quarantine = table(OutputTable.QUARANTINE);
        List<Stages.Step<List<Page.Section>>> steps = List.of(
                step("headline", () -> {
                    figures.put("headline", headline(assets, from, to));
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
        model.put("sections", sections);
        model.put(
                "footer",
                "assetcost " + runLine + ". Charts: JFreeChart; every chart's numbers are in the table" + " under it.");
        stages.start("report.html: write");
        Page.write(spark.sparkContext().hadoopConfiguration(), out.report(), Page.render("cost-report", model));
        stages.done(1, "pages");
    }

    private static Stages.Step<List<Page.Section>> step(String name, Callable<List<Page.Section>> work) {
        return new Stages.Step<>("report.html: " + name, work);
    }

    /**
     * One headline figure: its value in the period and in the previous one, shown and exact.
     *
     * @param metric its id ({@code data-metric})
     * @param label its label
     * @param value shown
     * @param exact exact, for the page check
     * @param previous the previous period's, shown
     * @param previousExact the previous period's, exact (empty when none)
     * @param change the change, shown ({@code +12.5%})
     * @param direction up, down or flat, and good when up is good (a CSS class)
     */
    record Headline(
            String metric,
            String label,
            String value,
            String exact,
            String previous,
            String previousExact,
            String change,
            String direction) {}

    /** The headline figures of the period and of the one before it, from asset_costs. */
    static List<Headline> headline(Dataset<Row> assets, LocalDate from, LocalDate to) {
        BigDecimal[] now = periodFigures(assets, from, to);
        BigDecimal[] before = periodFigures(assets, from.minusDays(PERIOD_DAYS), from.minusDays(1));
        String[][] meta = {
            {"spend_usd", "Spend", "usd", "bad"},
            {"assets_approved", "Approved assets", "count", "good"},
            {"cost_per_approved_asset_usd", "Cost per approved asset", "usd", "bad"},
            {"waste_share", "Waste share", "percent", "bad"},
            {"cache_savings_usd", "Cache savings", "usd", "good"}
        };
        List<Headline> out = new ArrayList<>();
        for (int i = 0; i < meta.length; i++) {
            out.add(new Headline(
                    meta[i][0],
                    meta[i][1],
                    shown(now[i], meta[i][2]),
                    plain(now[i]),
                    shown(before[i], meta[i][2]),
                    plain(before[i]),
                    change(now[i], before[i]),
                    direction(now[i], before[i], meta[i][3].equals("good"))));
        }
        return out;
    }

    /**
     * Spend, approvals, cost per approved asset, waste share and cache savings of the cohorts [from, to]:
     * exact sums, the two ratios rounded half-even to 12 places ({@link Ratios}).
     */
    static BigDecimal[] periodFigures(Dataset<Row> assets, LocalDate from, LocalDate to) {
        Column resolved = col(STATUS).notEqual(PENDING);
        Row r = assets.filter(between(COHORT_DATE, from, to))
                .agg(
                        sum(TOTAL_COST_USD),
                        count_if(col(STATUS).equalTo(APPROVED)),
                        sum(when(resolved, col(TOTAL_COST_USD))),
                        sum(WASTE_COST_USD),
                        sum(CACHE_SAVINGS_USD))
                .first();
        BigDecimal spend = r.isNullAt(0) ? BigDecimal.ZERO.setScale(12) : r.getDecimal(0);
        BigDecimal approved = BigDecimal.valueOf(r.getLong(1));
        BigDecimal resolvedCost = r.isNullAt(2) ? BigDecimal.ZERO.setScale(12) : r.getDecimal(2);
        BigDecimal waste = r.isNullAt(3) ? BigDecimal.ZERO.setScale(12) : r.getDecimal(3);
        BigDecimal savings = r.isNullAt(4) ? BigDecimal.ZERO.setScale(12) : r.getDecimal(4);
        return new BigDecimal[] {
            spend, approved, Ratios.divide(resolvedCost, approved), Ratios.divide(waste, resolvedCost), savings
        };
    }

    private static String shown(BigDecimal v, String kind) {
        if (v == null) {
            return "n/a";
        }
        return switch (kind) {
            case "usd" -> Page.dollars(v);
            case "percent" -> Page.percent(v);
            default -> String.format(java.util.Locale.ROOT, "%,d", v.longValueExact());
        };
    }

    private static String plain(BigDecimal v) {
        return v == null ? "" : v.toPlainString();
    }

    private static String change(BigDecimal now, BigDecimal before) {
        if (now == null || before == null || before.signum() == 0) {
            return "";
        }
        BigDecimal pct = Ratios.divide(now.subtract(before), before);
        return (pct.signum() > 0 ? "+" : "") + Page.percent(pct);
    }

    private static String direction(BigDecimal now, BigDecimal before, boolean upIsGood) {
        if (now == null || before == null) {
            return "flat";
        }
        int c = now.compareTo(before);
        String d = c > 0 ? "up" : c < 0 ? "down" : "flat";
        return upIsGood && c != 0 ? d + " good" : d;
    }

    private List<Map<String, Object>> topReasons(Dataset<Row> quarantine) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : quarantine
                .groupBy(REASON)
                .count()
                .orderBy(desc("count"), col(REASON))
                .limit(3)
                .collectAsList()) {
            out.add(Map.of("reason", r.getString(0), "count", r.getLong(1)));
        }
        return out;
    }

    private static Column between(String dateColumn, LocalDate from, LocalDate to) {
        return col(dateColumn)
                .between(lit(from.toString()).cast("date"), lit(to.toString()).cast("date"));
    }

    private Page.Section costPerApprovedAsset(LocalDate to) {
        List<Row> rows = table(OutputTable.COST_PER_APPROVED_ASSET)
                .filter(between(COHORT_DATE, to.minusDays(CHART_DAYS - 1L), to))
                .orderBy(COHORT_DATE, WORKFLOW_ID)
                .select(
                        col(COHORT_DATE).cast("string"),
                        col(WORKFLOW_ID),
                        col("assets_approved"),
                        col("cost_per_approved_asset_usd"))
                .collectAsList();
        Map<String, Map<String, BigDecimal>> series = new TreeMap<>();
        TreeSet<String> days = new TreeSet<>();
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : rows) {
            days.add(r.getString(0));
            if (!r.isNullAt(3)) {
                series.computeIfAbsent(r.getString(1), k -> new TreeMap<>()).put(r.getString(0), r.getDecimal(3));
            }
            table.add(Cell.of(r));
        }
        String svg = Charts.lines(
                "Cost per approved asset by workflow",
                "Cohort date (UTC)",
                "USD per approved asset",
                new Charts.Data(series, List.copyOf(days)),
                List.of());
        return new Page.Section(
                "cost-per-approved-asset",
                "Cost per approved asset over cohort dates",
                "Every retry, failure and abandoned asset of a cohort loaded onto the assets it approved.",
                List.of(svg),
                new Page.Table(
                        "Cost per approved asset, per cohort date and workflow, USD",
                        List.of("Cohort date", "Workflow", "Approved assets", "Cost per approved asset"),
                        table));
    }

    private Page.Section spendSplit(Dataset<Row> assets, LocalDate from, LocalDate to) {
        Map<String, Map<String, BigDecimal>> parts = new LinkedHashMap<>();
        for (String p : List.of(
                "direct", Outcomes.FAILED_REQUEST, Outcomes.SUPERSEDED_ATTEMPT, Outcomes.ABANDONED_ASSET, "pending")) {
            parts.put(p, new TreeMap<>());
        }
        for (Row r : assets.filter(between(COHORT_DATE, from, to))
                .groupBy(WORKFLOW_ID)
                .agg(sum(DIRECT_COST_USD), sum(PENDING_COST_USD))
                .collectAsList()) {
            parts.get("direct").put(r.getString(0), r.getDecimal(1));
            parts.get("pending").put(r.getString(0), r.getDecimal(2));
        }
        for (Row r : table(OutputTable.RETRY_WASTE)
                .filter(between(COHORT_DATE, from, to))
                .groupBy(WORKFLOW_ID, WASTE_REASON)
                .agg(sum(WASTE_COST_USD))
                .collectAsList()) {
            parts.get(r.getString(1)).put(r.getString(0), r.getDecimal(2));
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
                "Direct: the requests that made the approved images. Waste: failed requests, superseded attempts of"
                        + " approved assets, abandoned assets. Pending: assets not reviewed yet.",
                List.of(svg),
                new Page.Table(
                        "Spend per workflow in the period, USD",
                        List.of(
                                "Workflow",
                                "Direct",
                                "Failed requests",
                                "Superseded attempts",
                                "Abandoned assets",
                                "Pending",
                                "Total"),
                        table));
    }

    private Page.Section iterationFactor(Dataset<Row> assets, LocalDate from, LocalDate to) {
        Map<String, BigDecimal> factor = new TreeMap<>();
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : assets.filter(
                        between(COHORT_DATE, from, to).and(col(STATUS).notEqual(PENDING)))
                .groupBy(WORKFLOW_ID)
                .agg(count_if(col(STATUS).equalTo(APPROVED)), sum(IMAGES_GENERATED))
                .orderBy(WORKFLOW_ID)
                .collectAsList()) {
            BigDecimal f = Ratios.divide(BigDecimal.valueOf(r.getLong(2)), BigDecimal.valueOf(r.getLong(1)));
            if (f != null) {
                factor.put(r.getString(0), f);
            }
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.count(r.getLong(1)),
                    Cell.count(r.getLong(2)),
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
                "Images generated for resolved assets per approved asset, against the guides' 1.2x, 1.8x and 2.5x.",
                List.of(svg),
                new Page.Table(
                        "Measured iteration factor in the period",
                        List.of(
                                "Workflow",
                                "Approved assets",
                                "Images generated",
                                "Iteration factor",
                                "Nearest factor"),
                        table));
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
                .groupBy(col(WORKFLOW_ID), col("attempts"), col("attempts_from"))
                .agg(sum("assets"), sum("assets_approved"), sum(TOTAL_COST_USD), sum(WASTE_COST_USD))
                .orderBy(col("attempts_from"), col(WORKFLOW_ID))
                .collectAsList()) {
            workflows.add(r.getString(0));
            byBucket.computeIfAbsent(r.getString(1) + " attempts", k -> new TreeMap<>())
                    .put(r.getString(0), BigDecimal.valueOf(r.getLong(3)));
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.text(r.getString(1)),
                    Cell.count(r.getLong(3)),
                    Cell.count(r.getLong(4)),
                    Cell.usd(r.getDecimal(5)),
                    Cell.usd(r.getDecimal(6))));
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
                        List.of("Workflow", "Attempts", "Assets", "Approved", "Total cost", "Waste"),
                        table));
    }

    private Page.Section attemptCap(LocalDate from, LocalDate to) {
        List<List<Cell>> table = new ArrayList<>();
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("resolved cost", new TreeMap<>());
        series.put("spend beyond the cap", new TreeMap<>());
        int cap = 0;
        for (Row r : table(OutputTable.ATTEMPT_CAP)
                .filter(between(COHORT_DATE, from, to))
                .groupBy(col(WORKFLOW_ID), col("attempt_cap"))
                .agg(
                        sum("resolved_cost_usd"),
                        sum("cost_beyond_cap_usd"),
                        sum("assets_approved"),
                        sum("approvals_beyond_cap"))
                .orderBy(WORKFLOW_ID)
                .collectAsList()) {
            cap = r.getInt(1);
            series.get("resolved cost").put(r.getString(0), r.getDecimal(2));
            series.get("spend beyond the cap").put(r.getString(0), r.getDecimal(3));
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.count(r.getInt(1)),
                    Cell.usd(r.getDecimal(2)),
                    Cell.usd(r.getDecimal(3)),
                    Cell.percent(Ratios.divide(r.getDecimal(3), r.getDecimal(2))),
                    Cell.count(r.getLong(4)),
                    Cell.count(r.getLong(5))));
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
                        table));
    }

    private List<Page.Section> headroom(RateLimitCard limits, LocalDate to) {
        List<Row> rows = headroomRows(to);
        Map<String, Map<String, BigDecimal>> ipm = new TreeMap<>();
        Map<String, Map<String, BigDecimal>> tpm = new TreeMap<>();
        TreeSet<String> days = new TreeSet<>();
        List<List<Cell>> table = new ArrayList<>();
        long peakImages = 0;
        long peakTokens = 0;
        for (Row r : rows) {
            days.add(r.getString(0));
            ipm.computeIfAbsent(r.getString(1), k -> new TreeMap<>())
                    .put(r.getString(0), BigDecimal.valueOf(r.getLong(2)));
            tpm.computeIfAbsent(r.getString(1), k -> new TreeMap<>())
                    .put(r.getString(0), BigDecimal.valueOf(r.getLong(3)));
            peakImages = Math.max(peakImages, r.getLong(2));
            peakTokens = Math.max(peakTokens, r.getLong(3));
            table.add(List.of(
                    Cell.text(r.getString(0)),
                    Cell.text(r.getString(1)),
                    Cell.count(r.getLong(2)),
                    Cell.count(r.getLong(3)),
                    Cell.text(r.isNullAt(4) ? "none" : "Tier " + r.getInt(4)),
                    Cell.text(r.isNullAt(5) ? "" : Long.toString(r.getLong(5)))));
        }
        Page.Table t = new Page.Table(
                "Peaks per UTC minute and the smallest usage tier that holds them",
                List.of(
                        "Day",
                        "Model",
                        "Peak images / min",
                        "Peak tokens / min",
                        "Smallest tier",
                        "Minutes over your tier"),
                table);
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
                t));
    }

    private List<Row> headroomRows(LocalDate to) {
        return table(OutputTable.RATE_LIMIT_HEADROOM)
                .filter(between(USAGE_DATE, to.minusDays(CHART_DAYS - 1L), to))
                .orderBy(col(USAGE_DATE), col("rate_model"))
                .select(
                        col(USAGE_DATE).cast("string"),
                        col("rate_model"),
                        col("peak_images_per_minute"),
                        col("peak_tokens_per_minute"),
                        col("smallest_fitting_tier"),
                        col("minutes_over_account_tier"))
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
            aggs.add(sum(m.tokensColumn()));
            aggs.add(sum(m.costColumn()));
        }
        aggs.add(sum(CACHE_SAVINGS_USD));
        Row r = costs.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
                .first();
        Map<String, BigDecimal> spend = new LinkedHashMap<>();
        List<List<Cell>> table = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < Meter.values().length; i++) {
            total = total.add(r.isNullAt(2 * i + 1) ? BigDecimal.ZERO : r.getDecimal(2 * i + 1));
        }
        for (int i = 0; i < Meter.values().length; i++) {
            Meter m = Meter.values()[i];
            BigDecimal cost = r.isNullAt(2 * i + 1) ? BigDecimal.ZERO.setScale(12) : r.getDecimal(2 * i + 1);
            spend.put(m.id(), cost);
            table.add(List.of(
                    Cell.text(m.id()),
                    Cell.count(r.isNullAt(2 * i) ? 0 : r.getLong(2 * i)),
                    Cell.usd(cost),
                    Cell.percent(Ratios.divide(cost, total))));
        }
        BigDecimal savings =
                r.isNullAt(2 * Meter.values().length) ? BigDecimal.ZERO : r.getDecimal(2 * Meter.values().length);
        table.add(List.of(Cell.text("cache savings (not spent)"), Cell.text(""), Cell.usd(savings), Cell.text("")));
        String svg = Charts.bars(
                "Spend by meter",
                "Meter",
                "USD",
                new Charts.Data(Map.of("spend", spend), List.copyOf(spend.keySet())),
                List.of());
        return new Page.Section(
                "meters",
                "Spend by meter, and what caching saved",
                "By usage date in the period. Image output is usually most of it; cached input is billed at a"
                        + " fraction of the uncached rate, and the savings are what it would have cost more.",
                List.of(svg),
                new Page.Table("Spend by meter, USD", List.of("Meter", "Tokens", "Cost", "Share"), table));
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
                "By usage date in the period, over the requests whose export carried the gateway's computed cost."
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
                        table)));
    }

    private Page.Section topWaste(Dataset<Row> assets, LocalDate from, LocalDate to) {
        List<List<Cell>> table = new ArrayList<>();
        for (Row r : assets.filter(
                        between(COHORT_DATE, from, to).and(col(WASTE_COST_USD).gt(0)))
                .orderBy(desc(WASTE_COST_USD), col(WORKFLOW_ID), col(ASSET_ID))
                .select(
                        col(WORKFLOW_ID),
                        col(ASSET_ID),
                        col(COHORT_DATE).cast("string"),
                        col(STATUS),
                        col(REQUESTS),
                        col(WASTE_COST_USD),
                        col(TOTAL_COST_USD))
                .limit(10)
                .collectAsList()) {
            table.add(Cell.of(r));
        }
        return new Page.Section(
                "top-waste",
                "The ten assets with the most waste",
                "Where to look first.",
                List.of(),
                new Page.Table(
                        "Assets of the period by waste, USD",
                        List.of("Workflow", "Asset", "Cohort", "Status", "Attempts", "Waste", "Total cost"),
                        table));
    }
}
