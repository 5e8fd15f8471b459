package io.assetcost.page;

import io.assetcost.planning.Forecast;
import io.assetcost.planning.PlanCheck;
import io.assetcost.planning.RateLimitCard;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The forecast for people: the worksheet printed on stdout and written as {@code forecast.txt} beside
 * {@code forecast.csv}, and the model of {@code forecast.html} ({@link ForecastPage}); what it says per plan row
 * is in README, "The forecast worksheet". Money is USD, rounded half-even to the cent for reading; the exact
 * figures are in the table.
 *
 * @param plan the plan's file name (no directory: the worksheet travels)
 * @param windowFrom first cohort date asked for
 * @param asOf last cohort date asked for
 * @param buffer the budget buffer, e.g. 0.2
 * @param covered the cohort days every workflow's data occupies in the window
 * @param card the rate-limit card the paces were checked against
 * @param lines the forecast, in plan order
 * @param checks each line's checks, in the same order
 */
public record Worksheet(
        String plan,
        LocalDate windowFrom,
        LocalDate asOf,
        BigDecimal buffer,
        PlanCheck.Coverage covered,
        RateLimitCard card,
        List<Forecast.Line> lines,
        List<PlanCheck.Result> checks) {

    /** Days asked for. */
    long daysAsked() {
        return ChronoUnit.DAYS.between(windowFrom, asOf) + 1;
    }

    /** Whether the data covers fewer days than asked for. */
    public boolean shortWindow() {
        return covered.days() < daysAsked();
    }

    /** The window in a sentence: asked for, and covered when that is shorter. */
    String windowSentence() {
        String asked = "Cohort window " + windowFrom + " to " + asOf + " (" + daysAsked() + " days asked for)";
        if (covered.from() == null) {
            return asked + ": the tables hold no asset in it.";
        }
        return shortWindow()
                ? asked + ": the data covers only " + covered.from() + " to " + covered.to() + " (" + covered.days()
                        + " cohort days), and every measured figure is over those days."
                : asked + ": the data covers all of it.";
    }

    /** The period the figures are measured over, for a section's lead: the days the data covers of the window. */
    String period() {
        if (covered.from() == null || !shortWindow()) {
            return "cohorts " + windowFrom + " to " + asOf;
        }
        return "cohorts " + covered.from() + " to " + covered.to() + " (the " + covered.days() + " days the data"
                + " covers of the " + daysAsked() + " asked for)";
    }

    /** Sum of a figure over the lines, nulls left out. */
    BigDecimal total(java.util.function.Function<Forecast.Line, BigDecimal> figure) {
        return lines.stream().map(figure).filter(java.util.Objects::nonNull).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** Finals over the plan. */
    long finals() {
        return lines.stream().mapToLong(l -> l.plan().finals()).sum();
    }

    /** Rows with at least one flag. */
    long rowsFlagged() {
        return checks.stream().filter(c -> !c.flags().isEmpty()).count();
    }

    /**
     * Every warning once, prefixed with the rows it concerns ({@code row 2 (ugc-hooks): ...}, {@code rows 1, 2
     * (ecommerce-pdp, ugc-hooks): ...}): a window the data covers in part is said once, not per row.
     */
    public List<String> warnings() {
        Map<String, List<Forecast.Line>> rows = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            for (String w : checks.get(i).warnings()) {
                rows.computeIfAbsent(w, k -> new ArrayList<>()).add(lines.get(i));
            }
        }
        List<String> out = new ArrayList<>();
        rows.forEach((w, ls) -> out.add(rowNames(ls) + ": " + w));
        return out;
    }

    private static String rowNames(List<Forecast.Line> ls) {
        String numbers = String.join(
                ", ", ls.stream().map(l -> Integer.toString(l.plan().line())).toList());
        String workflows = String.join(
                ", ", ls.stream().map(l -> l.plan().workflowId()).distinct().toList());
        return (ls.size() == 1 ? "row " : "rows ") + numbers + " (" + workflows + ")";
    }

    /** Why the row's iteration factor is what it is, in one sentence. */
    static String factorWhy(Forecast.Line l, PlanCheck.Result c) {
        if (Forecast.MEASURED.equals(l.basis())) {
            String span = c.dataFrom() == null ? "" : ", cohorts " + c.dataFrom() + " to " + c.dataTo();
            return String.format(
                    Locale.ROOT,
                    "measured: %,d images for %,d approvals%s; the guides' nearest factor is %sx",
                    l.imagesGenerated(),
                    l.assetsApproved(),
                    span,
                    nearestFactor(l.iterationFactor()).toPlainString());
        }
        return c.workflowKnown()
                ? "the seeds' 1.8x planning factor: only " + l.assetsApproved() + " approvals in the window"
                : "the seeds' 1.8x planning factor: the workflow has no history in the tables";
    }

    /** The row's pace in words: per model, images and tokens a minute, and the tier. */
    String paceText(Forecast.Line l, PlanCheck.Result c) {
        if (c.hours() == null) {
            return "no hours in the plan: not checked";
        }
        Instant at = asOf.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<String> parts = new ArrayList<>();
        for (PlanCheck.Pace p : c.paces()) {
            String tier;
            if (!p.limited()) {
                tier = "no rate-limit card for this model";
            } else if (p.tier() == null) {
                tier = "above every tier on the card";
            } else {
                RateLimitCard.Limit x = PlanCheck.limitsFor(card, p.model(), at).stream()
                        .filter(y -> y.tier() == p.tier())
                        .findFirst()
                        .orElseThrow();
                tier = String.format(
                        Locale.ROOT, "Tier %d (%,d IPM, %,d TPM)", x.tier(), x.imagesPerMinute(), x.tokensPerMinute());
            }
            parts.add(String.format(
                    Locale.ROOT,
                    "%s %s images/min, %s tokens/min -> %s",
                    p.model(),
                    figure(p.imagesPerMinute()),
                    figure(p.tokensPerMinute()),
                    tier));
        }
        String over = "over " + c.hours().stripTrailingZeros().toPlainString() + " h";
        return parts.isEmpty() ? over + ": no usage measured to pace" : over + ": " + String.join("; ", parts);
    }

    /** The row's tier in a few words, for tables. */
    static String tierText(PlanCheck.Result c) {
        if (c.tierNeeded() != null) {
            return "Tier " + c.tierNeeded();
        } else if (c.hours() == null) {
            return "no pace given";
        } else if (c.flags().contains(PlanCheck.ABOVE_TOP_TIER)) {
            return "above the top tier";
        } else if (c.flags().contains(PlanCheck.NO_RATE_LIMIT_CARD)) {
            return "no rate-limit card for this model";
        }
        return "no usage to pace";
    }

    /** The worksheet as plain text: the window, one block per plan row, the totals and every warning once. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("assetcost forecast worksheet: ")
                .append(plan)
                .append(", ")
                .append(lines.size())
                .append(" plan rows\n");
        b.append(windowSentence()).append('\n');
        b.append("Money in USD, rounded to the cent here; forecast.csv has the exact figures. Budget = expected x (1 +"
                + " buffer); P90 = finals x the 90th percentile of the daily cost per final.\n");
        for (int i = 0; i < lines.size(); i++) {
            row(b, lines.get(i), checks.get(i));
        }
        b.append("\nTotal: ")
                .append(String.format(Locale.ROOT, "%,d", finals()))
                .append(" finals, expected ")
                .append(usd(total(Forecast.Line::expectedCost)))
                .append(", budget ")
                .append(usd(total(Forecast.Line::budget)))
                .append('\n');
        List<String> warnings = warnings();
        b.append(warnings.isEmpty() ? "No warnings.\n" : "Warnings (" + warnings.size() + "):\n");
        warnings.forEach(w -> b.append("  - ").append(w).append('\n'));
        return b.toString();
    }

    private void row(StringBuilder b, Forecast.Line l, PlanCheck.Result c) {
        String label =
                l.plan().label() == null ? l.plan().workflowId() : l.plan().label();
        b.append("\n#")
                .append(l.plan().line())
                .append("  ")
                .append(label)
                .append("  [")
                .append(l.plan().workflowId());
        b.append(l.plan().period() == null ? "" : ", " + l.plan().period()).append("]\n");
        field(b, "finals planned", String.format(Locale.ROOT, "%,d", l.plan().finals()));
        field(b, "iteration factor", factor(l.iterationFactor()) + ", " + factorWhy(l, c));
        field(b, "expected images", figure(l.expectedImages()));
        field(
                b,
                "cost per final",
                usd(l.costPerApprovedAsset())
                        + (Forecast.MEASURED.equals(l.basis())
                                ? " (resolved cost " + usd(l.resolvedCost()) + " / " + l.assetsApproved()
                                        + " approvals)"
                                : " (1.8 x all workflows' cost per image " + usd(l.costPerImage()) + ")"));
        field(b, "expected cost", usd(l.expectedCost()));
        field(
                b,
                "P90 cost",
                l.high() == null ? "none: no measured spread" : usd(l.high()) + " (P10 " + usd(l.low()) + ")");
        field(
                b,
                "budget",
                usd(l.budget()) + " = expected + " + percent(l.buffer()) + " buffer"
                        + (Boolean.TRUE.equals(c.budgetBelowP90()) ? "  ** below the P90 **" : ""));
        field(b, "pace", paceText(l, c));
        field(b, "flags", c.flags().isEmpty() ? "none" : String.join("; ", c.flags()) + " (see the warnings below)");
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "    %-18s%s\n", name, value));
    }

    /** The planning factor (1.2, 1.8, 2.5) nearest to a measured one. */
    static BigDecimal nearestFactor(BigDecimal f) {
        BigDecimal best = Forecast.LOW_FACTOR;
        for (BigDecimal p : List.of(Forecast.MID_FACTOR, Forecast.HIGH_FACTOR)) {
            if (p.subtract(f).abs().compareTo(best.subtract(f).abs()) < 0) {
                best = p;
            }
        }
        return best;
    }

    static String factor(BigDecimal f) {
        return f == null ? "none" : f.setScale(2, RoundingMode.HALF_EVEN).toPlainString() + "x";
    }

    static String usd(BigDecimal v) {
        return v == null ? "none" : io.assetcost.view.Page.dollars(v);
    }

    static String percent(BigDecimal share) {
        return share.movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    static String figure(BigDecimal v) {
        return v == null ? "none" : String.format(Locale.ROOT, "%,.2f", v.setScale(2, RoundingMode.HALF_EVEN));
    }
}
