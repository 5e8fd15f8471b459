package io.assetcost.page;

import io.assetcost.planning.Forecast;
import io.assetcost.planning.PlanCheck;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.view.Charts;
import io.assetcost.view.Page;
import io.assetcost.view.Page.Cell;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code forecast.html}: the forecast worksheet as one self-contained page, drawn by the reports' page code
 * ({@link Page}, {@link Charts}; docs/DESIGN.md, "Reports people look at"): the headline (finals, expected cost,
 * P90, budget, rows flagged, the highest tier needed), the warnings, the worksheet per plan row, the cost chart
 * (expected, P90 and budget per row), the iteration factors against the guides' 1.2x, 1.8x and 2.5x, and the
 * pace against the rate-limit card's tiers. Money is USD shown to the cent, the exact value in each cell's
 * {@code data-value}; the headline's {@code data-metric} figures are checked by {@code scripts/check-reports.sh}
 * against {@code io.assetcost.tools.ForecastFigures}, which recomputes them from the tables.
 *
 * <p>Drawn from the forecast's lines as they are written to the staged table, not read back: the table is a
 * few rows, and the check recomputes the headline from the cost job's tables anyway. No path of the machine is
 * on the page (the plan is named by its file name): the page travels as an attachment.
 */
public final class ForecastPage {

    private ForecastPage() {}

    /**
     * The page.
     *
     * @param w the worksheet
     * @return the HTML
     */
    public static String html(Worksheet w) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Image generation: forecast of " + w.plan());
        model.put(
                "subtitle",
                "What the plan will take, from the team's own " + w.period() + " (UTC) in the cost job's published"
                        + " tables, beside the seed guides' planning factors.");
        model.put(
                "from",
                w.covered().from() == null
                        ? w.windowFrom().toString()
                        : w.covered().from().toString());
        model.put(
                "to",
                w.covered().to() == null
                        ? w.asOf().toString()
                        : w.covered().to().toString());
        model.put("windowNote", w.windowSentence());
        model.put("shortWindow", w.shortWindow());
        model.put("headline", headline(w));
        model.put("warnings", w.warnings());
        List<Page.Section> sections = new ArrayList<>();
        sections.add(worksheet(w));
        sections.add(costs(w));
        sections.add(factors(w));
        Page.Section pace = pace(w);
        if (pace != null) {
            sections.add(pace);
        }
        model.put("sections", sections);
        model.put(
                "footer",
                "assetcost-forecast. Money in USD, exact in forecast.csv and rounded to the cent here. Charts:"
                        + " JFreeChart; every chart's numbers are in the table under it.");
        return Page.render("forecast", model);
    }

    private static List<Headline> headline(Worksheet w) {
        BigDecimal expected = w.total(Forecast.Line::expectedCost);
        BigDecimal budget = w.total(Forecast.Line::budget);
        BigDecimal p90 = w.total(Forecast.Line::high);
        long withP90 = w.lines().stream().filter(l -> l.high() != null).count();
        Integer tier = w.checks().stream()
                .map(PlanCheck.Result::tierNeeded)
                .filter(java.util.Objects::nonNull)
                .max(Integer::compare)
                .orElse(null);
        long paced = w.checks().stream().filter(c -> c.hours() != null).count();
        return List.of(
                new Headline(
                        "finals",
                        "Finals planned",
                        String.format(Locale.ROOT, "%,d", w.finals()),
                        Long.toString(w.finals()),
                        w.lines().size() + " plan rows"),
                new Headline(
                        "expected_cost_usd",
                        "Expected cost",
                        Page.dollars(expected),
                        expected.toPlainString(),
                        "finals x cost per final"),
                new Headline(
                        "p90_cost_usd",
                        "P90 cost",
                        Page.dollars(p90),
                        p90.toPlainString(),
                        withP90 + " of " + w.lines().size() + " rows have a measured spread"),
                new Headline(
                        "budget_usd",
                        "Budget",
                        Page.dollars(budget),
                        budget.toPlainString(),
                        "expected + " + Worksheet.percent(w.buffer()) + " buffer"),
                new Headline(
                        "rows_flagged",
                        "Rows with a warning",
                        Long.toString(w.rowsFlagged()),
                        Long.toString(w.rowsFlagged()),
                        w.warnings().size() + " warnings, listed below"),
                new Headline(
                        "highest_tier_needed",
                        "Usage tier needed",
                        tier == null ? "none" : "Tier " + tier,
                        tier == null ? "" : tier.toString(),
                        paced + " of " + w.lines().size() + " rows give a pace"));
    }

    private static Page.Section worksheet(Worksheet w) {
        List<List<Cell>> rows = new ArrayList<>();
        for (int i = 0; i < w.lines().size(); i++) {
            Forecast.Line l = w.lines().get(i);
            PlanCheck.Result c = w.checks().get(i);
            rows.add(List.of(
                    Cell.count(l.plan().line()),
                    Cell.text(
                            l.plan().label() == null
                                    ? l.plan().workflowId()
                                    : l.plan().workflowId() + ": " + l.plan().label()),
                    Cell.count(l.plan().finals()),
                    Cell.ratio(l.iterationFactor(), 2),
                    Cell.text(Worksheet.factorWhy(l, c)),
                    Cell.usd(l.expectedCost()),
                    Cell.usd(l.high()),
                    Cell.usd(l.budget()),
                    Cell.text(Worksheet.tierText(c)),
                    Cell.text(c.flags().isEmpty() ? "none" : String.join(", ", c.flags()))));
        }
        return new Page.Section(
                "worksheet",
                "The worksheet, per plan row",
                "Per plan row: the finals planned, the iteration factor used and why, the expected cost (finals x cost"
                        + " per final, every retry loaded), the P90 (finals x the approval-weighted 90th percentile of"
                        + " the daily cost per final), the budget (expected + " + Worksheet.percent(w.buffer())
                        + " buffer) and the usage tier the row's pace needs. Period: " + w.period() + ".",
                List.of(),
                new Page.Table(
                        "Forecast per plan row, USD",
                        List.of(
                                "Row",
                                "Workflow: label",
                                "Finals",
                                "Iteration factor",
                                "Why",
                                "Expected",
                                "P90",
                                "Budget",
                                "Tier needed",
                                "Flags"),
                        rows));
    }

    private static Page.Section costs(Worksheet w) {
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("expected", new LinkedHashMap<>());
        series.put("P90", new LinkedHashMap<>());
        series.put("budget", new LinkedHashMap<>());
        List<String> categories = new ArrayList<>();
        List<List<Cell>> rows = new ArrayList<>();
        for (Forecast.Line l : w.lines()) {
            String cat = category(l);
            categories.add(cat);
            series.get("expected").put(cat, l.expectedCost());
            series.get("P90").put(cat, l.high());
            series.get("budget").put(cat, l.budget());
            rows.add(List.of(
                    Cell.text(cat),
                    Cell.usd(l.low()),
                    Cell.usd(l.expectedCost()),
                    Cell.usd(l.high()),
                    Cell.usd(l.budget()),
                    Cell.usd(l.costAt12()),
                    Cell.usd(l.costAt18()),
                    Cell.usd(l.costAt25())));
        }
        String svg = Charts.bars(
                "Expected cost, P90 and budget per plan row",
                "Plan row",
                "USD",
                new Charts.Data(series, categories),
                List.of());
        return new Page.Section(
                "costs",
                "Cost per plan row",
                "A budget under the P90 bar leaves one day in ten of the window's cost per final uncovered. Beside"
                        + " them, what the row would cost at the guides' planning factors (finals x factor x cost per"
                        + " image). Period: " + w.period() + ".",
                List.of(svg),
                new Page.Table(
                        "Cost per plan row, USD",
                        List.of("Plan row", "P10", "Expected", "P90", "Budget", "At 1.2x", "At 1.8x", "At 2.5x"),
                        rows));
    }

    private static Page.Section factors(Worksheet w) {
        Map<String, Map<String, BigDecimal>> series = new LinkedHashMap<>();
        series.put("iteration factor used", new LinkedHashMap<>());
        List<String> categories = new ArrayList<>();
        List<List<Cell>> rows = new ArrayList<>();
        for (int i = 0; i < w.lines().size(); i++) {
            Forecast.Line l = w.lines().get(i);
            String cat = category(l);
            categories.add(cat);
            series.get("iteration factor used").put(cat, l.iterationFactor());
            rows.add(List.of(
                    Cell.text(cat),
                    Cell.text(l.basis()),
                    Cell.count(l.assetsApproved()),
                    Cell.count(l.imagesGenerated()),
                    Cell.ratio(l.iterationFactor(), 2),
                    Cell.text(Worksheet.factorWhy(l, w.checks().get(i)))));
        }
        String svg = Charts.bars(
                "Iteration factor per plan row",
                "Plan row",
                "Images per final",
                new Charts.Data(series, categories),
                List.of(
                        new Charts.Marker(Forecast.LOW_FACTOR, "1.2x baseline per SKU"),
                        new Charts.Marker(Forecast.MID_FACTOR, "1.8x exploring"),
                        new Charts.Marker(Forecast.HIGH_FACTOR, "2.5x from scratch")));
        return new Page.Section(
                "factors",
                "Iteration factor: measured, or the guides' planning factor",
                "Images generated per approved asset over the window's resolved assets. A workflow with fewer approvals"
                        + " than --min-approvals, or none in the tables, is priced at the seeds' 1.8x. Period: "
                        + w.period() + ".",
                List.of(svg),
                new Page.Table(
                        "Iteration factor per plan row",
                        List.of("Plan row", "Basis", "Approvals", "Images", "Factor", "Why"),
                        rows));
    }

    /** The pace section, or null when no row gives a pace. */
    private static Page.Section pace(Worksheet w) {
        Map<String, Map<String, BigDecimal>> series = new TreeMap<>();
        List<String> categories = new ArrayList<>();
        List<List<Cell>> rows = new ArrayList<>();
        for (int i = 0; i < w.lines().size(); i++) {
            Forecast.Line l = w.lines().get(i);
            PlanCheck.Result c = w.checks().get(i);
            if (c.hours() == null) {
                rows.add(List.of(
                        Cell.text(category(l)),
                        Cell.text(""),
                        Cell.text(""),
                        Cell.text(""),
                        Cell.text(""),
                        Cell.text(Worksheet.tierText(c))));
                continue;
            }
            categories.add(category(l));
            for (PlanCheck.Pace p : c.paces()) {
                series.computeIfAbsent(p.model(), k -> new LinkedHashMap<>()).put(category(l), p.imagesPerMinute());
                rows.add(List.of(
                        Cell.text(category(l)),
                        Cell.ratio(c.hours(), 2),
                        Cell.text(p.model()),
                        Cell.ratio(p.imagesPerMinute(), 2),
                        Cell.quantity(p.tokensPerMinute(), 0),
                        Cell.text(
                                p.limited()
                                        ? (p.tier() == null ? "above the top tier" : "Tier " + p.tier())
                                        : "no rate-limit card for this model")));
            }
        }
        if (series.isEmpty()) {
            return null;
        }
        BigDecimal top = series.values().stream()
                .flatMap(m -> m.values().stream())
                .max(BigDecimal::compareTo)
                .orElse(BigDecimal.ZERO);
        String svg = Charts.bars(
                "Images per minute at the plan's pace",
                "Plan row",
                "Images per minute",
                new Charts.Data(series, categories),
                tierMarkers(w, series.keySet(), top));
        return new Page.Section(
                "pace",
                "Pace against the rate limits",
                "Each row's expected images spread evenly over the plan's hours, per model, against the rate-limit"
                        + " card's tiers (images and tokens per minute, the card in force on "
                        + w.asOf().plusDays(1)
                        + "). An even pace is the least a row needs: bursts need more.",
                List.of(svg),
                new Page.Table(
                        "Pace per plan row and model",
                        List.of("Plan row", "Hours", "Model", "Images/min", "Tokens/min", "Tier needed"),
                        rows));
    }

    /** The IPM of the card's tiers up to the first above the highest pace, for the charted models. */
    private static List<Charts.Marker> tierMarkers(Worksheet w, java.util.Set<String> models, BigDecimal top) {
        Instant at = w.asOf().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Charts.Marker> markers = new ArrayList<>();
        for (String m : models) {
            for (RateLimitCard.Limit x : PlanCheck.limitsFor(w.card(), m, at)) {
                markers.add(new Charts.Marker(
                        BigDecimal.valueOf(x.imagesPerMinute()),
                        "Tier " + x.tier() + ": " + x.imagesPerMinute() + " IPM (" + m + ")"));
                if (BigDecimal.valueOf(x.imagesPerMinute()).compareTo(top) >= 0) {
                    break;
                }
            }
        }
        return markers;
    }

    private static String category(Forecast.Line l) {
        return "#" + l.plan().line() + " " + l.plan().workflowId();
    }
}
