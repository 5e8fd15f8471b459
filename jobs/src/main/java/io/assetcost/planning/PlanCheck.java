package io.assetcost.planning;

import io.assetcost.report.Ratios;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a reader of the forecast must be warned about, per plan row (README, "The forecast worksheet"): a budget
 * below the worksheet's own P90, a workflow with no history (priced with the seeds' 1.8x planning factor), a
 * window the data covers only in part, and the usage tier the row's pace needs on the rate-limit card. Plain Java
 * over figures already summed from the published tables; no clock.
 *
 * <p>The pace: a row's images are spread evenly over its plan's {@code hours}, so it asks for, on each model
 * the workflow used in the window, {@code expected_images x (images requested on the model / images generated)}
 * images and the matching share of tokens (every meter, input and output: what the TPM limit counts) a minute.
 * Images requested count {@code n} whatever the status, as {@code rate_limit_headroom} does: the limit counts
 * what was asked for. The tier a model needs is the smallest whose IPM and TPM both hold its pace, from the card's
 * rows in force on the day after {@code as_of} (the first day the plan can run); a dated snapshot without rows
 * takes its base name's, as in {@link Headroom}. The row needs the highest of its models' tiers. An even pace is
 * the least the row needs: bursts need more.
 */
public final class PlanCheck {

    /** Flag: the budget is below the P90 cost ({@code high_usd}). */
    public static final String BUDGET_BELOW_P90 = "budget_below_p90";
    /** Flag: the workflow has no asset in the tables; priced with the 1.8x planning factor. */
    public static final String UNKNOWN_WORKFLOW = "unknown_workflow";
    /** Flag: the workflow is known but has fewer approvals in the window than {@code --min-approvals}. */
    public static final String FEW_APPROVALS = "few_approvals";
    /** Flag: the data behind the row covers fewer cohort days than the window asked for. */
    public static final String SHORT_WINDOW = "short_window";
    /** Flag: the plan gives no {@code hours}, so the rate limits are not checked. */
    public static final String NO_PACE = "no_pace";
    /** Flag: a model the row uses has no row on the rate-limit card. */
    public static final String NO_RATE_LIMIT_CARD = "no_rate_limit_card";
    /** Flag: no tier on the card holds the row's pace. */
    public static final String ABOVE_TOP_TIER = "above_top_tier";
    /** Flag: the row needs a higher tier than {@code --account-tier}. */
    public static final String ABOVE_ACCOUNT_TIER = "above_account_tier";

    private static final BigDecimal MINUTES_PER_HOUR = BigDecimal.valueOf(60);

    private PlanCheck() {}

    /**
     * What a workflow's resolved assets of the window asked of one model.
     *
     * @param model the rate model (as priced: a base name or a dated snapshot)
     * @param imagesRequested {@code n} summed over every request, whatever its status
     * @param imagesGenerated images generated (succeeded requests' {@code n})
     * @param tokens tokens of every meter, input and output
     */
    public record ModelUse(String model, long imagesRequested, long imagesGenerated, long tokens) {}

    /**
     * The cohort days a population's assets (every status) occupy in the window.
     *
     * @param from the first cohort date with an asset, or null when none
     * @param to the last, or null
     */
    public record Coverage(LocalDate from, LocalDate to) {

        /** Days from {@code from} to {@code to}, both included; 0 when there is no asset. */
        public long days() {
            return from == null ? 0 : ChronoUnit.DAYS.between(from, to) + 1;
        }
    }

    /**
     * What the checks measured over the tables, for every row.
     *
     * @param knownWorkflows every workflow with an asset in asset_costs, any date
     * @param coverage per workflow, its cohort days in the window
     * @param all the cohort days in the window of every workflow
     * @param use per workflow, what its resolved assets of the window asked of each model
     * @param card the rate-limit card
     * @param accountTier the organization's tier ({@code --account-tier}), or null
     * @param minApprovals {@code --min-approvals}, for the message
     */
    public record Context(
            Set<String> knownWorkflows,
            Map<String, Coverage> coverage,
            Coverage all,
            Map<String, List<ModelUse>> use,
            RateLimitCard card,
            Integer accountTier,
            int minApprovals) {}

    /**
     * The pace of one model and the tier that holds it.
     *
     * @param imagesPerMinute images a minute, exact to 12 places
     * @param tokensPerMinute tokens a minute, exact to 12 places
     * @param tier the smallest tier holding both, null when none does or the card has no row for the model
     * @param limited whether the card has rows for the model
     */
    public record Pace(
            String model, BigDecimal imagesPerMinute, BigDecimal tokensPerMinute, Integer tier, boolean limited) {}

    /**
     * The checks of one plan row (the forecast's columns after {@code budget_usd}).
     *
     * @param dataFrom first cohort date in the window with an asset of the row's population, or null
     * @param dataTo the last, or null
     * @param workflowKnown whether the workflow has any asset in the tables
     * @param budgetBelowP90 whether the budget is below the P90 cost; null when there is no P90
     * @param hours the plan's pace, or null
     * @param limitModel the model whose limits decide the tier, or null
     * @param imagesPerMinute its images a minute at the pace, or null
     * @param tokensPerMinute its tokens a minute at the pace, or null
     * @param tierNeeded the smallest tier holding the pace on every limited model, or null (no pace, no card
     *     row, or above the top tier: see the flags)
     * @param paces every model's pace, highest tier first
     * @param flags the flag codes (constants of this class), in a fixed order
     * @param warnings one sentence per flag, for people
     */
    public record Result(
            LocalDate dataFrom,
            LocalDate dataTo,
            boolean workflowKnown,
            Boolean budgetBelowP90,
            BigDecimal hours,
            String limitModel,
            BigDecimal imagesPerMinute,
            BigDecimal tokensPerMinute,
            Integer tierNeeded,
            List<Pace> paces,
            List<String> flags,
            List<String> warnings) {

        /** The flags as one cell: codes joined by {@code ;}, or null when there is none. */
        public String flagsCell() {
            return flags.isEmpty() ? null : String.join(";", flags);
        }
    }

    /**
     * Checks every forecast line.
     *
     * @param lines the forecast ({@link Forecast#of})
     * @param context what the checks measured
     * @return one result per line, in the same order
     */
    public static List<Result> of(List<Forecast.Line> lines, Context context) {
        return lines.stream().map(l -> check(l, context)).toList();
    }

    private static Result check(Forecast.Line l, Context c) {
        String wf = l.plan().workflowId();
        boolean known = c.knownWorkflows().contains(wf);
        boolean measured = Forecast.MEASURED.equals(l.basis());
        List<String> flags = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Boolean belowP90 =
                l.high() == null || l.budget() == null ? null : l.budget().compareTo(l.high()) < 0;
        if (Boolean.TRUE.equals(belowP90)) {
            flags.add(BUDGET_BELOW_P90);
            warnings.add(String.format(
                    Locale.ROOT,
                    "budget %s is below this worksheet's P90 %s: a buffer of %s would" + " cover it",
                    usd(l.budget()),
                    usd(l.high()),
                    neededBuffer(l)));
        }
        if (!known) {
            flags.add(UNKNOWN_WORKFLOW);
            warnings.add("workflow '" + wf + "' has no history in asset_costs (known: "
                    + String.join(", ", c.knownWorkflows().stream().sorted().toList())
                    + "), so the seeds' 1.8x planning factor and all workflows' cost per image are used");
        } else if (!measured) {
            flags.add(FEW_APPROVALS);
            warnings.add("workflow '" + wf + "' has " + l.assetsApproved() + " approvals in the window, fewer than"
                    + " --min-approvals " + c.minApprovals() + ", so the seeds' 1.8x planning factor and all"
                    + " workflows' cost per image are used");
        }
        Coverage cov = measured ? c.coverage().getOrDefault(wf, new Coverage(null, null)) : c.all();
        long asked = ChronoUnit.DAYS.between(l.windowFrom(), l.asOf()) + 1;
        if (cov.days() < asked) {
            flags.add(SHORT_WINDOW);
            warnings.add(
                    cov.from() == null
                            ? "no asset in the window " + l.windowFrom() + " to " + l.asOf()
                            : "the data covers " + cov.from() + " to " + cov.to() + " (" + cov.days()
                                    + " cohort days), not" + " the " + asked + " days asked for (" + l.windowFrom()
                                    + " to " + l.asOf() + ")");
        }
        List<ModelUse> use = measured ? c.use().getOrDefault(wf, List.of()) : allUse(c.use());
        List<Pace> paces = paces(l, use, c.card());
        Pace binding = paces.isEmpty() || !paces.get(0).limited() ? null : paces.get(0);
        Integer tier = tierNeeded(l, paces, flags, warnings, c.accountTier());
        return new Result(
                cov.from(),
                cov.to(),
                known,
                belowP90,
                l.plan().hours(),
                binding == null ? null : binding.model(),
                binding == null ? null : binding.imagesPerMinute(),
                binding == null ? null : binding.tokensPerMinute(),
                tier,
                paces,
                List.copyOf(flags),
                List.copyOf(warnings));
    }

    /** The tier the row needs, adding the flags about the pace. */
    private static Integer tierNeeded(
            Forecast.Line l, List<Pace> paces, List<String> flags, List<String> warnings, Integer accountTier) {
        if (l.plan().hours() == null) {
            flags.add(NO_PACE);
            warnings.add("the plan gives no hours for this row, so its pace is not checked against the rate limits");
            return null;
        }
        List<String> unlimited =
                paces.stream().filter(p -> !p.limited()).map(Pace::model).toList();
        if (!unlimited.isEmpty()) {
            flags.add(NO_RATE_LIMIT_CARD);
            warnings.add("no rate-limit card for " + String.join(", ", unlimited) + ": its pace is not checked");
        }
        List<Pace> limited = paces.stream().filter(Pace::limited).toList();
        if (limited.isEmpty()) {
            return null;
        }
        if (limited.stream().anyMatch(p -> p.tier() == null)) {
            Pace p = limited.stream().filter(x -> x.tier() == null).findFirst().orElseThrow();
            flags.add(ABOVE_TOP_TIER);
            warnings.add(String.format(
                    Locale.ROOT,
                    "%s at %s images and %s tokens a minute is above every tier on"
                            + " the card: spread it over more hours",
                    p.model(),
                    figure(p.imagesPerMinute()),
                    figure(p.tokensPerMinute())));
            return null;
        }
        int tier = limited.get(0).tier();
        if (accountTier != null && tier > accountTier) {
            flags.add(ABOVE_ACCOUNT_TIER);
            warnings.add("its pace needs Tier " + tier + ", above your Tier " + accountTier + " (--account-tier):"
                    + " spread it over more hours or raise the tier before it runs");
        }
        return tier;
    }

    /** Every model's pace, the binding one first: highest tier (none fits = highest), then most images. */
    private static List<Pace> paces(Forecast.Line l, List<ModelUse> use, RateLimitCard card) {
        BigDecimal hours = l.plan().hours();
        long generated = use.stream().mapToLong(ModelUse::imagesGenerated).sum();
        if (hours == null || generated == 0 || l.expectedImages() == null) {
            return List.of();
        }
        // expected_images / generated, exact: measured, finals x images / approvals over images is finals /
        // approvals; on the planning factor, finals x 1.8 / all workflows' images.
        boolean measured = Forecast.MEASURED.equals(l.basis());
        BigDecimal scaleUp =
                BigDecimal.valueOf(l.plan().finals()).multiply(measured ? BigDecimal.ONE : Forecast.MID_FACTOR);
        BigDecimal per = measured ? BigDecimal.valueOf(l.assetsApproved()) : BigDecimal.valueOf(generated);
        BigDecimal minutes = per.multiply(hours).multiply(MINUTES_PER_HOUR);
        Instant at = l.asOf().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Pace> out = new ArrayList<>();
        for (ModelUse u : use) {
            BigDecimal ipm = Ratios.divide(scaleUp.multiply(BigDecimal.valueOf(u.imagesRequested())), minutes);
            BigDecimal tpm = Ratios.divide(scaleUp.multiply(BigDecimal.valueOf(u.tokens())), minutes);
            List<RateLimitCard.Limit> limits = limitsFor(card, u.model(), at);
            Integer tier = limits.stream()
                    .filter(x -> BigDecimal.valueOf(x.imagesPerMinute()).compareTo(ipm) >= 0
                            && BigDecimal.valueOf(x.tokensPerMinute()).compareTo(tpm) >= 0)
                    .map(RateLimitCard.Limit::tier)
                    .min(Integer::compare)
                    .orElse(null);
            out.add(new Pace(u.model(), ipm, tpm, tier, !limits.isEmpty()));
        }
        out.sort(Comparator.comparing((Pace p) -> !p.limited())
                .thenComparing(p -> p.tier() == null ? Integer.MAX_VALUE : p.tier(), Comparator.reverseOrder())
                .thenComparing(Pace::imagesPerMinute, Comparator.reverseOrder())
                .thenComparing(Pace::model));
        return out;
    }

    /** The card's rows for a model (or, for a dated snapshot without rows, its base name) in force at an instant. */
    public static List<RateLimitCard.Limit> limitsFor(RateLimitCard card, String model, Instant at) {
        List<RateLimitCard.Limit> own = inForce(card, model, at);
        if (!own.isEmpty() || card.limits().stream().anyMatch(x -> x.model().equals(model))) {
            return own;
        }
        return inForce(card, model.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", ""), at);
    }

    private static List<RateLimitCard.Limit> inForce(RateLimitCard card, String model, Instant at) {
        return card.limits().stream()
                .filter(x ->
                        x.model().equals(model) && !x.from().isAfter(at) && (x.to() == null || at.isBefore(x.to())))
                .sorted(Comparator.comparingInt(RateLimitCard.Limit::tier))
                .toList();
    }

    /** Every workflow's use, summed per model, for a row priced on all workflows' figures. */
    private static List<ModelUse> allUse(Map<String, List<ModelUse>> use) {
        Map<String, ModelUse> sum = new java.util.TreeMap<>();
        use.values().stream()
                .flatMap(List::stream)
                .forEach(u -> sum.merge(
                        u.model(),
                        u,
                        (a, b) -> new ModelUse(
                                a.model(),
                                a.imagesRequested() + b.imagesRequested(),
                                a.imagesGenerated() + b.imagesGenerated(),
                                a.tokens() + b.tokens())));
        return List.copyOf(sum.values());
    }

    /** The buffer over the expected cost that reaches the P90, as a percentage rounded up to a whole point. */
    private static String neededBuffer(Forecast.Line l) {
        BigDecimal share = Ratios.divide(l.high().subtract(l.expectedCost()), l.expectedCost());
        return share == null
                ? "?"
                : share.movePointRight(2).setScale(0, RoundingMode.CEILING).toPlainString() + "%";
    }

    private static String usd(BigDecimal v) {
        BigDecimal cents = v.setScale(2, RoundingMode.HALF_EVEN);
        return "$" + String.format(Locale.ROOT, "%,.2f", cents);
    }

    /** A pace figure for a sentence: two decimals, with a thousands separator. */
    static String figure(BigDecimal v) {
        return String.format(Locale.ROOT, "%,.2f", v.setScale(2, RoundingMode.HALF_EVEN));
    }
}
