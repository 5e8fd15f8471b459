package io.assetcost.page;

import io.assetcost.report.Ratios;
import io.assetcost.view.Page;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The headline of {@code report.html}: the period's figures over every cohort, and their comparison with the
 * week before over mature cohort days only, so that review lag never reads as a regression (README, "The
 * report"). Pure: it works on the cohort days already collected from {@code asset_costs}.
 *
 * <p>A cohort day is <em>mature</em> when less than {@link CostPage.Options#maturePendingShare} of its
 * assets are pending, or when it lies {@link CostPage.Options#matureAfterDays} days or more before the latest
 * cohort day. The comparison takes each mature day of the period whose day a week before is mature too (or has
 * no asset), and compares the sums over those days with the sums over the same days a week before: the same
 * number of days and the same weekdays. Ratios are sums divided (resolved cost / approved assets), never means
 * of daily ratios.
 */
final class CostHeadline {

    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(Ratios.SCALE);

    private CostHeadline() {}

    /**
     * One cohort day's figures from {@code asset_costs}; money USD, exact.
     *
     * @param date the cohort date (UTC)
     * @param assets assets of the day, every status
     * @param pending pending assets (no reviewed image)
     * @param spend total cost of every asset
     * @param resolvedCost total cost of approved and rejected assets
     * @param pendingCost total cost of pending assets
     * @param waste retry waste (waste_cost_usd)
     */
    record Day(
            LocalDate date,
            long assets,
            long approved,
            long pending,
            BigDecimal spend,
            BigDecimal resolvedCost,
            BigDecimal pendingCost,
            BigDecimal waste,
            BigDecimal cacheSavings) {

        static final Day NONE = new Day(null, 0, 0, 0, ZERO, ZERO, ZERO, ZERO, ZERO);

        Day plus(Day o) {
            return new Day(
                    null,
                    assets + o.assets,
                    approved + o.approved,
                    pending + o.pending,
                    spend.add(o.spend),
                    resolvedCost.add(o.resolvedCost),
                    pendingCost.add(o.pendingCost),
                    waste.add(o.waste),
                    cacheSavings.add(o.cacheSavings));
        }

        /** Resolved cost / approved assets, USD; null when none approved. */
        BigDecimal costPerApproved() {
            return Ratios.divide(resolvedCost, BigDecimal.valueOf(approved));
        }

        /** Retry waste / resolved cost; null when the resolved cost is 0. */
        BigDecimal wasteShare() {
            return Ratios.divide(waste, resolvedCost);
        }
    }

    /**
     * One headline figure: its value over the whole period, what it includes, and (when the period has mature
     * days) its value over the mature days and over the same days a week before.
     *
     * @param metric its id ({@code data-metric}; the mature values are {@code mature_<id>} and
     *     {@code previous_mature_<id>})
     * @param value shown
     * @param exact exact, for the page check
     * @param definition what it is and includes, one sentence
     * @param mature over the mature days, shown (empty without a comparison)
     * @param matureExact over the mature days, exact
     * @param previous over the same days a week before, shown
     * @param previousExact the same, exact
     * @param change the change, shown: relative for money and counts ({@code +2.0%}), in points for a share
     *     ({@code +1.9 points})
     * @param direction up, down or flat, and good when up is good (a CSS class)
     */
    record Figure(
            String metric,
            String label,
            String value,
            String exact,
            String definition,
            String mature,
            String matureExact,
            String previous,
            String previousExact,
            String change,
            String direction) {}

    /**
     * The headline.
     *
     * @param period the sums over every cohort of the period
     * @param compared the mature days compared (empty: no comparison)
     * @param notCompared the period's days left out of the comparison, each with why
     * @param comparison one paragraph saying what is compared with what, and the maturity rule
     */
    record Headline(
            Day period, List<LocalDate> compared, List<String> notCompared, List<Figure> figures, String comparison) {}

    /**
     * Builds the headline of the cohorts [from, to] from the cohort days [from - 7, to].
     *
     * @param days cohort days with at least one asset, any order
     * @param from first cohort day of the period
     * @param to last cohort day of the period (the latest in the tables: the age of a cohort is counted to it)
     * @param options the maturity rule
     */
    static Headline of(List<Day> days, LocalDate from, LocalDate to, CostPage.Options options) {
        Map<LocalDate, Day> byDate = new TreeMap<>();
        days.forEach(d -> byDate.put(d.date(), d));
        Day period = Day.NONE;
        Day now = Day.NONE;
        Day before = Day.NONE;
        List<LocalDate> compared = new ArrayList<>();
        List<String> notCompared = new ArrayList<>();
        boolean previousData = false;
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            Day day = byDate.get(d);
            Day weekBefore = byDate.get(d.minusDays(7));
            previousData |= weekBefore != null;
            if (day == null) {
                continue;
            }
            period = period.plus(day);
            if (!mature(day, to, options)) {
                notCompared.add(d + " (" + day.pending() + " of " + plural(day.assets(), "asset") + " pending)");
            } else if (weekBefore != null && !mature(weekBefore, to, options)) {
                notCompared.add(d + " (" + d.minusDays(7) + ", a week before, is not mature)");
            } else {
                compared.add(d);
                now = now.plus(day);
                before = before.plus(weekBefore == null ? Day.NONE : weekBefore);
            }
        }
        if (!previousData) {
            compared.clear();
        }
        List<Figure> figures = figures(period, now, before, !compared.isEmpty());
        return new Headline(
                period, compared, notCompared, figures, comparison(compared, notCompared, previousData, to, options));
    }

    /** Whether a cohort day's figures can be compared: few enough pending, or old enough. */
    static boolean mature(Day day, LocalDate latest, CostPage.Options options) {
        boolean fewPending = BigDecimal.valueOf(day.pending())
                        .compareTo(options.maturePendingShare().multiply(BigDecimal.valueOf(day.assets())))
                < 0;
        return fewPending || ChronoUnit.DAYS.between(day.date(), latest) >= options.matureAfterDays();
    }

    private static List<Figure> figures(Day period, Day now, Day before, boolean compare) {
        String pending = Page.dollars(period.pendingCost());
        List<Figure> out = new ArrayList<>();
        out.add(figure(
                "spend_usd",
                "Spend",
                "usd",
                false,
                period.spend(),
                "Every request of the period's cohorts, pending assets included.",
                compare ? now.spend() : null,
                before.spend()));
        out.add(figure(
                "assets_approved",
                "Approved assets",
                "count",
                true,
                BigDecimal.valueOf(period.approved()),
                "Assets with an approved image; " + plural(period.pending(), "more asset") + " await review.",
                compare ? BigDecimal.valueOf(now.approved()) : null,
                BigDecimal.valueOf(before.approved())));
        out.add(figure(
                "cost_per_approved_asset_usd",
                "Cost per approved asset",
                "usd",
                false,
                period.costPerApproved(),
                "Resolved cost / approved assets: " + Page.dollars(period.resolvedCost()) + " / " + period.approved()
                        + ". The " + pending + " of pending assets is not in it.",
                compare ? now.costPerApproved() : null,
                before.costPerApproved()));
        out.add(figure(
                "waste_share",
                "Waste share",
                "share",
                false,
                period.wasteShare(),
                "Retry waste / resolved cost. Retry waste is the spend on resolved assets that did not produce the"
                        + " approved image: failed requests, superseded attempts, abandoned assets.",
                compare ? now.wasteShare() : null,
                before.wasteShare()));
        out.add(figure(
                "cache_savings_usd",
                "Cache savings",
                "usd",
                true,
                period.cacheSavings(),
                "What the cached input tokens would have cost more at the uncached rates.",
                compare ? now.cacheSavings() : null,
                before.cacheSavings()));
        return out;
    }

    private static Figure figure(
            String metric,
            String label,
            String kind,
            boolean upIsGood,
            BigDecimal value,
            String definition,
            BigDecimal now,
            BigDecimal before) {
        if (now == null) {
            return new Figure(metric, label, shown(value, kind), plain(value), definition, "", "", "", "", "", "flat");
        }
        return new Figure(
                metric,
                label,
                shown(value, kind),
                plain(value),
                definition,
                shown(now, kind),
                plain(now),
                shown(before, kind),
                plain(before),
                kind.equals("share") ? points(now, before) : change(now, before),
                direction(now, before, upIsGood));
    }

    private static String comparison(
            List<LocalDate> compared,
            List<String> notCompared,
            boolean previousData,
            LocalDate to,
            CostPage.Options options) {
        String rule = "A cohort day is mature when less than " + Page.percent(options.maturePendingShare())
                + " of its assets await review, or when it is " + plural(options.matureAfterDays(), "day")
                + " or more before " + to + ".";
        String left = notCompared.isEmpty() ? "" : " Not compared yet: " + String.join(", ", notCompared) + ".";
        if (!previousData) {
            return "No comparison: the tables hold no cohort in the 7 days before the period. " + rule;
        }
        if (compared.isEmpty()) {
            return "No comparison: no cohort day of the period is mature yet, and comparing a day still under review"
                    + " with a reviewed one would show review lag as a change. " + rule + left;
        }
        List<LocalDate> weekBefore = compared.stream().map(d -> d.minusDays(7)).toList();
        return "Compared like with like: the " + plural(compared.size(), "mature cohort day") + " of the period ("
                + ranges(compared) + ") against the same days a week before (" + ranges(weekBefore) + "). " + rule
                + left;
    }

    /** Dates as ranges of consecutive days: {@code 2026-11-09 to 2026-11-13, 2026-11-15}. */
    static String ranges(List<LocalDate> dates) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < dates.size()) {
            int j = i;
            while (j + 1 < dates.size() && dates.get(j + 1).equals(dates.get(j).plusDays(1))) {
                j++;
            }
            out.add(i == j ? dates.get(i).toString() : dates.get(i) + " to " + dates.get(j));
            i = j + 1;
        }
        return String.join(", ", out);
    }

    /** {@code 1 asset}, {@code 2 assets}; the noun's last word takes the plural. */
    static String plural(long n, String noun) {
        return String.format(Locale.ROOT, "%,d", n) + " " + noun + (n == 1 ? "" : "s");
    }

    static String shown(BigDecimal v, String kind) {
        if (v == null) {
            return "n/a";
        }
        return switch (kind) {
            case "usd" -> Page.dollars(v);
            case "share" -> Page.percent(v);
            default -> String.format(Locale.ROOT, "%,d", v.longValueExact());
        };
    }

    private static String plain(BigDecimal v) {
        return v == null ? "" : v.toPlainString();
    }

    /** The relative change of money or a count: {@code +2.0%}; empty when there is nothing to compare with. */
    static String change(BigDecimal now, BigDecimal before) {
        if (now == null || before == null || before.signum() == 0) {
            return "";
        }
        BigDecimal pct = Ratios.divide(now.subtract(before), before);
        return (pct.signum() > 0 ? "+" : "") + Page.percent(pct);
    }

    /** The change of a share in percentage points: 32.2% to 34.1% is {@code +1.9 points}. */
    static String points(BigDecimal now, BigDecimal before) {
        if (now == null || before == null) {
            return "";
        }
        BigDecimal p = now.subtract(before).movePointRight(2).setScale(1, RoundingMode.HALF_EVEN);
        String unit = p.abs().compareTo(BigDecimal.ONE) == 0 ? " point" : " points";
        return (p.signum() > 0 ? "+" : "") + p.toPlainString() + unit;
    }

    private static String direction(BigDecimal now, BigDecimal before, boolean upIsGood) {
        if (now == null || before == null) {
            return "flat";
        }
        int c = now.compareTo(before);
        String d = c > 0 ? "up" : c < 0 ? "down" : "flat";
        return upIsGood && c != 0 ? d + " good" : d;
    }
}
