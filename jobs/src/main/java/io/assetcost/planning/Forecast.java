package io.assetcost.planning;

import io.assetcost.report.Ratios;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The forecast worksheet's arithmetic (README, "Planning"), in plain Java on figures already summed from
 * the published tables: what a plan will take, from the workflow's own measured iteration factor and cost per
 * approved asset over a trailing window, beside the seed guides' planning factors (1.2x with a baseline per
 * SKU, 1.8x, 2.5x when every attempt is re-prompted) and with a buffer (the guides advise 10-30%).
 *
 * <p>Money and ratios are exact: every figure is one quotient of exact sums rounded half-even to 12 places
 * ({@link Ratios#divide}), never a product of rounded figures. A workflow with fewer approvals in the window
 * than the minimum has no measurement to trust: it is priced on the {@code planning_factor} basis, the seeds'
 * 1.8x with the all-workflow cost per image, and says so.
 */
public final class Forecast {

    /** The seed guides' planning factors. */
    public static final BigDecimal LOW_FACTOR = new BigDecimal("1.2");
    /** The middle planning factor, also the fallback iteration factor. */
    public static final BigDecimal MID_FACTOR = new BigDecimal("1.8");
    /** The high planning factor. */
    public static final BigDecimal HIGH_FACTOR = new BigDecimal("2.5");
    /** Default of {@code --min-approvals}: fewer approvals in the window and the workflow is not measured. */
    public static final int DEFAULT_MIN_APPROVALS = 10;
    /** Basis of a row priced from the workflow's own figures. */
    public static final String MEASURED = "measured";
    /** Basis of a row priced with the 1.8x planning factor. */
    public static final String PLANNING_FACTOR = "planning_factor";

    private Forecast() {}

    /**
     * One cohort day of a workflow, summed from asset_costs over its resolved assets.
     *
     * @param resolvedImages images generated for resolved assets
     * @param resolvedCost cost of resolved assets, USD
     */
    public record Day(LocalDate cohortDate, long approved, long resolvedImages, BigDecimal resolvedCost) {}

    /**
     * The forecast of one plan row: the contract's columns (schemas/forecast.avsc), nulls where a figure has
     * no denominator.
     */
    public record Line(
            Plan.Row plan,
            LocalDate asOf,
            LocalDate windowFrom,
            String basis,
            long assetsApproved,
            long imagesGenerated,
            BigDecimal resolvedCost,
            BigDecimal iterationFactor,
            BigDecimal costPerApprovedAsset,
            BigDecimal costPerImage,
            BigDecimal expectedImages,
            BigDecimal expectedCost,
            BigDecimal costAt12,
            BigDecimal costAt18,
            BigDecimal costAt25,
            BigDecimal low,
            BigDecimal high,
            BigDecimal buffer,
            BigDecimal budget) {}

    /**
     * Forecasts every plan row.
     *
     * @param days cohort days in the window, per workflow
     * @param asOf last day of the window
     * @param windowFrom first day of the window
     * @param buffer the buffer, e.g. 0.2
     * @param minApprovals fewest approvals for a measured basis
     * @return one line per plan row, in plan order
     */
    public static List<Line> of(
            Plan plan,
            Map<String, List<Day>> days,
            LocalDate asOf,
            LocalDate windowFrom,
            BigDecimal buffer,
            int minApprovals) {
        Day all = total(days.values().stream().flatMap(List::stream).toList());
        List<Line> out = new ArrayList<>();
        for (Plan.Row row : plan.rows()) {
            List<Day> mine = days.getOrDefault(row.workflowId(), List.of());
            Day sum = total(mine);
            out.add(
                    sum.approved() >= minApprovals
                            ? measured(row, sum, mine, asOf, windowFrom, buffer)
                            : planningFactor(row, sum, all, asOf, windowFrom, buffer));
        }
        return out;
    }

    private static Line measured(
            Plan.Row row, Day sum, List<Day> days, LocalDate asOf, LocalDate windowFrom, BigDecimal buffer) {
        BigDecimal finals = BigDecimal.valueOf(row.finals());
        BigDecimal approvals = BigDecimal.valueOf(sum.approved());
        BigDecimal images = BigDecimal.valueOf(sum.resolvedImages());
        BigDecimal cost = sum.resolvedCost();
        return new Line(
                row,
                asOf,
                windowFrom,
                MEASURED,
                sum.approved(),
                sum.resolvedImages(),
                cost,
                Ratios.divide(images, approvals),
                Ratios.divide(cost, approvals),
                Ratios.divide(cost, images),
                Ratios.divide(finals.multiply(images), approvals),
                Ratios.divide(finals.multiply(cost), approvals),
                Ratios.divide(finals.multiply(LOW_FACTOR).multiply(cost), images),
                Ratios.divide(finals.multiply(MID_FACTOR).multiply(cost), images),
                Ratios.divide(finals.multiply(HIGH_FACTOR).multiply(cost), images),
                times(finals, weightedPercentile(days, 10)),
                times(finals, weightedPercentile(days, 90)),
                buffer,
                Ratios.divide(finals.multiply(cost).multiply(BigDecimal.ONE.add(buffer)), approvals));
    }

    private static Line planningFactor(
            Plan.Row row, Day sum, Day all, LocalDate asOf, LocalDate windowFrom, BigDecimal buffer) {
        BigDecimal finals = BigDecimal.valueOf(row.finals());
        BigDecimal images = BigDecimal.valueOf(all.resolvedImages());
        BigDecimal cost = all.resolvedCost();
        BigDecimal expectedImages = finals.multiply(MID_FACTOR).setScale(Ratios.SCALE);
        return new Line(
                row,
                asOf,
                windowFrom,
                PLANNING_FACTOR,
                sum.approved(),
                sum.resolvedImages(),
                sum.resolvedCost(),
                MID_FACTOR.setScale(Ratios.SCALE),
                Ratios.divide(MID_FACTOR.multiply(cost), images),
                Ratios.divide(cost, images),
                expectedImages,
                Ratios.divide(finals.multiply(MID_FACTOR).multiply(cost), images),
                Ratios.divide(finals.multiply(LOW_FACTOR).multiply(cost), images),
                Ratios.divide(finals.multiply(MID_FACTOR).multiply(cost), images),
                Ratios.divide(finals.multiply(HIGH_FACTOR).multiply(cost), images),
                null,
                null,
                buffer,
                Ratios.divide(finals.multiply(MID_FACTOR).multiply(cost).multiply(BigDecimal.ONE.add(buffer)), images));
    }

    /**
     * The approval-weighted percentile of the daily cost per approved asset: days with an approval sorted by
     * their cost per approved asset, each weighing its approvals; the p-th percentile is the first day at
     * which the cumulative weight reaches p% of the total (nearest rank, so a figure that occurred).
     *
     * @param days the cohort days
     * @param p the percentile, 0 to 100
     * @return the daily cost per approved asset at that rank (scale 12), or null when no day has an approval
     */
    public static BigDecimal weightedPercentile(List<Day> days, int p) {
        List<Day> approved =
                new ArrayList<>(days.stream().filter(d -> d.approved() > 0).toList());
        if (approved.isEmpty()) {
            return null;
        }
        approved.sort(
                Comparator.comparing((Day d) -> Ratios.divide(d.resolvedCost(), BigDecimal.valueOf(d.approved()))));
        long total = approved.stream().mapToLong(Day::approved).sum();
        BigDecimal threshold =
                BigDecimal.valueOf(total).multiply(BigDecimal.valueOf(p)).divide(BigDecimal.valueOf(100));
        long cumulative = 0;
        for (Day d : approved) {
            cumulative += d.approved();
            if (BigDecimal.valueOf(cumulative).compareTo(threshold) >= 0) {
                return Ratios.divide(d.resolvedCost(), BigDecimal.valueOf(d.approved()));
            }
        }
        Day last = approved.get(approved.size() - 1);
        return Ratios.divide(last.resolvedCost(), BigDecimal.valueOf(last.approved()));
    }

    private static BigDecimal times(BigDecimal finals, BigDecimal value) {
        return value == null ? null : finals.multiply(value);
    }

    private static Day total(List<Day> days) {
        long approved = 0;
        long images = 0;
        BigDecimal cost = BigDecimal.ZERO.setScale(Ratios.SCALE);
        for (Day d : days) {
            approved += d.approved();
            images += d.resolvedImages();
            cost = cost.add(d.resolvedCost());
        }
        return new Day(null, approved, images, cost);
    }
}
