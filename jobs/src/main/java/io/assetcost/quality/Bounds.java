package io.assetcost.quality;

import java.math.BigDecimal;

/**
 * Plausibility bounds (README, "Plausibility bounds"): a usage record beyond one of them is quarantined as
 * {@code implausible_value} with the bound in its detail, so that one bad export cannot put a fortune into a
 * report. Each has an option of the cost job.
 *
 * @param maxTokensPerMeter most tokens one request may have on one meter (default 5,000,000: the largest
 *     request the image models take, ten 4K images of the highest quality, has a few hundred thousand)
 * @param maxImagesPerRequest most images one request may ask for ({@code n}; default 10, the Images API's
 *     own maximum)
 * @param maxRequestCostUsd most one request may cost, USD (default 100)
 */
public record Bounds(long maxTokensPerMeter, int maxImagesPerRequest, BigDecimal maxRequestCostUsd) {

    /** The largest maxTokensPerMeter allowed: sums of priced tokens then fit every column exactly. */
    public static final long TOKENS_LIMIT = 1_000_000_000_000_000L;
    /** The largest maxImagesPerRequest allowed. */
    public static final int IMAGES_LIMIT = 1_000_000;
    /** The largest maxRequestCostUsd allowed: sums of 10^9 requests then fit decimal(38,12). */
    public static final BigDecimal COST_LIMIT = new BigDecimal("1000000000000");

    /** The defaults. */
    public static final Bounds DEFAULT = new Bounds(5_000_000L, 10, new BigDecimal("100"));

    /**
     * @throws IllegalArgumentException when a bound is not positive or beyond its limit
     */
    public Bounds {
        if (maxTokensPerMeter < 1 || maxTokensPerMeter > TOKENS_LIMIT) {
            throw new IllegalArgumentException("the tokens bound must be between 1 and " + TOKENS_LIMIT);
        }
        if (maxImagesPerRequest < 1 || maxImagesPerRequest > IMAGES_LIMIT) {
            throw new IllegalArgumentException("the images bound must be between 1 and " + IMAGES_LIMIT);
        }
        if (maxRequestCostUsd.signum() <= 0 || maxRequestCostUsd.compareTo(COST_LIMIT) > 0) {
            throw new IllegalArgumentException(
                    "the cost bound must be above 0 and at most " + COST_LIMIT.toPlainString());
        }
    }
}
