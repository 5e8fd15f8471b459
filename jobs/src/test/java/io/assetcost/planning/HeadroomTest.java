package io.assetcost.planning;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.pricing.Priced;
import io.assetcost.pricing.RateCard;
import io.assetcost.quality.Bounds;
import io.assetcost.quality.UsageValidation;
import io.assetcost.schema.Cols;
import io.assetcost.schema.OutputTable;
import java.io.StringReader;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Rate-limit headroom against minutes computed by hand. */
class HeadroomTest extends SparkTestBase {

    private static final RateLimitCard LIMITS = RateLimitCard.load(new Configuration(false), null);
    /** Bounds wide enough for the bursts below (hundreds of images a minute). */
    private static final Bounds WIDE = new Bounds(10_000_000L, 1_000, new java.math.BigDecimal("1000000"));

    /** A request of n images with the given output tokens (500 text input tokens each). */
    private static String request(String id, String created, String model, int n, long outTokens) {
        return line(id, created, model, "default", 500, 0, 0, 0, outTokens, 0).replace("\"n\":1", "\"n\":" + n);
    }

    private static Map<String, Row> headroom(RateCard card, Integer accountTier, String... lines) {
        Dataset<Row> costs = OutputTable.REQUEST_COSTS.conform(
                Priced.of(UsageValidation.validate(usageLines(lines), WIDE).accepted(), card)
                        .priced());
        List<String> models = LIMITS.limits().stream()
                .map(RateLimitCard.Limit::model)
                .distinct()
                .toList();
        Map<String, Row> out = new HashMap<>();
        for (Row r :
                Headroom.of(costs, LIMITS.dataset(spark), models, accountTier).collectAsList()) {
            out.put(r.getAs(Cols.USAGE_DATE).toString() + "/" + r.getAs(Cols.RATE_MODEL), r);
        }
        return out;
    }

    @Test
    void peaksPerUtcMinuteWithABurstAcrossAMinuteBoundary() {
        RateCard card = RateCard.load(new Configuration(false), null);
        // 10:00:50 (3 images) and 10:00:59 (3 images) fall in 10:00; 10:01:05 (4 images) in 10:01.
        Map<String, Row> h = headroom(
                card,
                1,
                request("a", "2026-11-02T10:00:50Z", "gpt-image-2", 3, 60_000),
                request("b", "2026-11-02T10:00:59Z", "gpt-image-2", 3, 60_000),
                request("c", "2026-11-02T10:01:05Z", "gpt-image-2", 4, 8_000),
                request("d", "2026-11-02T23:59:59Z", "gpt-image-2", 1, 4_160));
        Row day = h.get("2026-11-02/gpt-image-2");
        assertThat((long) day.getAs("requests")).isEqualTo(4);
        assertThat((long) day.getAs("images_requested")).isEqualTo(11);
        assertThat((long) day.getAs("peak_images_per_minute"))
                .as("3 + 3 in 10:00")
                .isEqualTo(6);
        assertThat((Instant) day.getAs("peak_ipm_minute")).isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
        assertThat((long) day.getAs("peak_tokens_per_minute"))
                .as("2 x (500 + 60,000)")
                .isEqualTo(121_000);
        assertThat((Instant) day.getAs("peak_tpm_minute")).isEqualTo(Instant.parse("2026-11-02T10:00:00Z"));
        assertThat((long) day.getAs("active_minutes")).isEqualTo(3);
        assertThat((int) day.getAs("smallest_fitting_tier"))
                .as("6 IPM and 121,000 TPM: over Tier 1 (5 / 100,000), within Tier 2 (20 / 250,000)")
                .isEqualTo(2);
        assertThat((long) day.getAs("minutes_over_account_tier"))
                .as("only 10:00 is over Tier 1")
                .isEqualTo(1);
    }

    @Test
    void aDatedSnapshotTakesItsBaseNamesLimitsAndAModelWithoutLimitsHasNoTier() throws Exception {
        RateCard withSnapshot = RateCard.fromCsv(
                new StringReader("model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to\n"
                        + "gpt-image-2-2026-04-21,default,text_input,5,2026-04-21,\n"
                        + "gpt-image-2-2026-04-21,default,image_output,30,2026-04-21,\n"
                        + "gpt-image-1,default,text_input,5,2025-04-23,\n"
                        + "gpt-image-1,default,image_output,40,2025-04-23,\n"),
                "test");
        Map<String, Row> h = headroom(
                withSnapshot,
                null,
                request("s1", "2026-11-03T09:30:10Z", "gpt-image-2-2026-04-21", 150, 2_000_000),
                request("s2", "2026-11-03T09:30:20Z", "gpt-image-2-2026-04-21", 100, 1_000_000),
                request("o1", "2026-11-03T09:30:30Z", "gpt-image-1", 1, 4_160));
        Row snapshot = h.get("2026-11-03/gpt-image-2-2026-04-21");
        assertThat((long) snapshot.getAs("peak_images_per_minute")).isEqualTo(250);
        assertThat((int) snapshot.getAs("smallest_fitting_tier"))
                .as("250 IPM, 3,001,000 TPM: Tier 5 (250 / 8,000,000), priced as the snapshot, limited as gpt-image-2")
                .isEqualTo(5);
        assertThat((Object) snapshot.getAs("minutes_over_account_tier"))
                .as("no --account-tier")
                .isNull();
        assertThat((Object) h.get("2026-11-03/gpt-image-1").getAs("smallest_fitting_tier"))
                .as("the card has no row for gpt-image-1")
                .isNull();
    }

    @Test
    void aPeakBeyondEveryTierFitsNone() {
        RateCard card = RateCard.load(new Configuration(false), null);
        Map<String, Row> h = headroom(
                card,
                5,
                request("x1", "2026-11-04T12:00:01Z", "gpt-image-2", 10, 4_000_000),
                request("x2", "2026-11-04T12:00:02Z", "gpt-image-2", 10, 4_000_000),
                request("x3", "2026-11-04T12:00:03Z", "gpt-image-2", 10, 1_000));
        Row day = h.get("2026-11-04/gpt-image-2");
        assertThat((long) day.getAs("peak_tokens_per_minute")).isEqualTo(8_002_500L);
        assertThat((Object) day.getAs("smallest_fitting_tier"))
                .as("8,002,500 TPM is over Tier 5's 8,000,000")
                .isNull();
        assertThat((long) day.getAs("minutes_over_account_tier")).isEqualTo(1);
    }

    /**
     * With an account tier, a model the card has a row for gets a count of minutes over it (0 when none was), and
     * a model without a row (priced, but not on the rate-limit card) gets none (null), on the same day.
     */
    @Test
    void minutesOverTheAccountTierAreCountedOnlyWhereTheCardHasARow() {
        RateCard card = RateCard.load(new Configuration(false), null);
        Map<String, Row> h = headroom(
                card,
                1,
                request("u1", "2026-11-05T08:00:01Z", "gpt-image-2", 2, 4_160),
                request("u2", "2026-11-05T08:01:01Z", "gpt-image-2", 2, 4_160),
                request("g1", "2026-11-05T08:00:02Z", "gpt-image-1.5", 9, 4_160));
        Row limited = h.get("2026-11-05/gpt-image-2");
        assertThat((long) limited.getAs("active_minutes")).isEqualTo(2);
        assertThat((long) limited.getAs("minutes_over_account_tier"))
                .as("2 images and 4,660 tokens a minute are within Tier 1 (5 / 100,000)")
                .isEqualTo(0);
        assertThat((Object) h.get("2026-11-05/gpt-image-1.5").getAs("minutes_over_account_tier"))
                .as("the rate-limit card has no row for gpt-image-1.5")
                .isNull();
        assertThat(h).hasSize(2);
    }

    @Test
    void theCardIsValidatedLikeTheRateCard() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RateLimitCard.fromCsv(
                        new StringReader("model,tier,images_per_minute,tokens_per_minute,effective_from,effective_to\n"
                                + "gpt-image-2,1,5,100000,2026-01-01,\n"
                                + "gpt-image-2,1,6,100000,2026-06-01,\n"),
                        "limits.csv"))
                .hasMessageContaining("overlapping");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RateLimitCard.fromCsv(
                        new StringReader("model,tier,images_per_minute,tokens_per_minute,effective_from,effective_to\n"
                                + "gpt-image-2,1,five,100000,2026-01-01,\n"),
                        "limits.csv"))
                .hasMessageContaining("limits.csv line 2")
                .hasMessageContaining("images_per_minute 'five'");
        assertThat(LIMITS.limits())
                .hasSize(5)
                .extracting(RateLimitCard.Limit::imagesPerMinute)
                .containsExactly(5L, 20L, 50L, 150L, 250L);
    }
}
