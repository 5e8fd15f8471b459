package io.assetcost.pricing;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.quality.Bounds;
import io.assetcost.quality.UsageValidation;
import io.assetcost.schema.Cols;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DecimalType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pricing through the real reader, validation and pricing code. */
class RequestPricingTest extends SparkTestBase {

    private static RateCard defaults;

    @BeforeAll
    static void loadCard() {
        defaults = RateCard.load(new Configuration(false), null);
    }

    private static Priced price(RateCard card, String... lines) {
        UsageValidation.Result v = UsageValidation.validate(usageLines(lines));
        assertThat(v.quarantined().count()).as("fixture records are valid").isZero();
        return Priced.of(v.accepted(), card);
    }

    private static Map<String, Row> byId(Dataset<Row> df) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : df.collectAsList()) {
            out.put(r.getAs(Cols.REQUEST_ID), r);
        }
        return out;
    }

    private static BigDecimal cost(Row r, String column) {
        return r.getAs(column);
    }

    @Test
    void sixWorkedScenariosOfTheSeedPricingGuideToTheLastDecimal() {
        // shared/seeds 001, "Scenario cost tables": gpt-image-2 at the default rates.
        String at = "2026-05-01T12:00:00Z";
        Map<String, Row> priced = byId(price(
                        defaults,
                        line("icon", at, "gpt-image-2", "default", 500, 0, 0, 0, 2_000, 0),
                        line("hero", at, "gpt-image-2", "default", 1_500, 0, 0, 0, 5_000, 0),
                        line("editorial", at, "gpt-image-2", "default", 3_000, 0, 0, 0, 10_000, 0),
                        line("background", at, "gpt-image-2", "default", 700, 0, 2_500, 0, 3_000, 0),
                        line("colorway", at, "gpt-image-2", "default", 1_200, 0, 5_000, 0, 5_000, 0),
                        line("layout", at, "gpt-image-2", "default", 2_000, 0, 10_000, 0, 9_000, 0))
                .priced());
        assertThat(cost(priced.get("icon"), Cols.COST_USD)).isEqualByComparingTo("0.0625");
        assertThat(cost(priced.get("hero"), Cols.COST_USD)).isEqualByComparingTo("0.1575");
        assertThat(cost(priced.get("editorial"), Cols.COST_USD)).isEqualByComparingTo("0.3150");
        assertThat(cost(priced.get("background"), Cols.COST_USD)).isEqualByComparingTo("0.1135");
        assertThat(cost(priced.get("colorway"), Cols.COST_USD)).isEqualByComparingTo("0.1960");
        assertThat(cost(priced.get("layout"), Cols.COST_USD)).isEqualByComparingTo("0.3600");
        // "In the high-detail example, text input is only $0.015. The image output is $0.30."
        assertThat(cost(priced.get("editorial"), Meter.TEXT_INPUT.costColumn())).isEqualByComparingTo("0.015");
        assertThat(cost(priced.get("editorial"), Meter.IMAGE_OUTPUT.costColumn()))
                .isEqualByComparingTo("0.30");
    }

    /**
     * The compact path (whole picodollars in 64-bit integers, typed decimal(18,12)) gives every cost column the
     * same value as the decimal(38,12) path, to the last decimal, on the seed scenarios, cached tokens, a meter
     * with one token and the largest token count the default bound lets through; and it is taken only where
     * the bound and the dearest rate keep every sum below 10^6 USD.
     */
    @Test
    void theCompactPathGivesTheSameCostsAsTheWidePath() {
        String at = "2026-05-01T12:00:00Z";
        Dataset<Row> requests = UsageValidation.validate(usageLines(
                        line("hero", at, "gpt-image-2", "default", 1_500, 0, 0, 0, 5_000, 0),
                        line("cached", at, "gpt-image-2", "default", 1_200, 700, 5_000, 2_500, 5_000, 10),
                        line("one", at, "gpt-image-2", "default", 1, 1, 0, 0, 1, 0),
                        line("largest", at, "gpt-image-2", "default", 5_000_000, 4_999_999, 5_000_000, 1, 5_000_000, 0),
                        line("no-rate", at, "gpt-image-99", "default", 10, 0, 0, 0, 10, 0)))
                .accepted();
        long bound = Bounds.DEFAULT.maxTokensPerMeter();
        assertThat(RequestPricing.compact(defaults, bound)).isTrue();
        assertThat(RequestPricing.compact(defaults, Long.MAX_VALUE)).isFalse();
        Dataset<Row> compact = RequestPricing.rate(requests, defaults, lit(true), bound);
        Dataset<Row> wide = RequestPricing.rate(requests, defaults, lit(true));
        assertThat(compact.schema().apply(Cols.COST_USD).dataType()).isEqualTo(RequestPricing.USD_COMPACT);
        assertThat(wide.schema().apply(Cols.COST_USD).dataType()).isEqualTo(RequestPricing.USD);
        List<String> money = new ArrayList<>(List.of(Cols.COST_USD, Cols.CACHE_SAVINGS_USD));
        for (Meter m : Meter.values()) {
            money.add(m.costColumn());
        }
        Map<String, Row> c = byId(compact);
        Map<String, Row> w = byId(wide);
        assertThat(c.keySet()).containsExactlyInAnyOrderElementsOf(w.keySet()).hasSize(5);
        for (String id : w.keySet()) {
            for (String column : money) {
                BigDecimal fast = c.get(id).getAs(column);
                BigDecimal exact = w.get(id).getAs(column);
                assertThat(fast).as("%s %s", id, column).isEqualTo(exact == null ? null : exact.setScale(12));
            }
        }
        assertThat((BigDecimal) c.get("hero").getAs(Cols.COST_USD)).isEqualByComparingTo("0.1575");
        assertThat((BigDecimal) c.get("no-rate").getAs(Cols.COST_USD)).isNull();
    }

    @Test
    void moneyIsDecimal38Scale12AndNeverRounded() {
        Dataset<Row> priced = price(
                        defaults, line("one", "2026-05-01T12:00:00Z", "gpt-image-2", "default", 1, 1, 0, 0, 1, 0))
                .priced();
        assertThat(priced.schema().apply(Cols.COST_USD).dataType()).isEqualTo(new DecimalType(38, 12));
        Row r = priced.first();
        // One cached text token at $1.25/1M and one output token at $30/1M: 0.00000125 + 0.00003.
        assertThat(cost(r, Cols.COST_USD)).isEqualTo(new BigDecimal("0.000031250000"));
        assertThat(cost(r, Cols.COST_USD).scale()).isEqualTo(12);
    }

    @Test
    void cachedTokensAreASubsetAndAreNeverCountedTwice() {
        // 1,200 text tokens of which 800 cached; 5,000 image tokens of which 4,000 cached.
        Row r = price(
                        defaults,
                        line("c", "2026-05-01T12:00:00Z", "gpt-image-2", "default", 1_200, 800, 5_000, 4_000, 0, 0))
                .priced()
                .first();
        assertThat((Long) r.getAs(Meter.TEXT_INPUT.tokensColumn())).isEqualTo(400L);
        assertThat((Long) r.getAs(Meter.CACHED_TEXT_INPUT.tokensColumn())).isEqualTo(800L);
        assertThat((Long) r.getAs(Meter.IMAGE_INPUT.tokensColumn())).isEqualTo(1_000L);
        assertThat((Long) r.getAs(Meter.CACHED_IMAGE_INPUT.tokensColumn())).isEqualTo(4_000L);
        // 400 x 5 + 800 x 1.25 + 1,000 x 8 + 4,000 x 2 = 2,000 + 1,000 + 8,000 + 8,000 = 19,000 / 1M.
        assertThat(cost(r, Cols.COST_USD)).isEqualByComparingTo("0.019");
        // Savings: 800 x (5 - 1.25) + 4,000 x (8 - 2) = 3,000 + 24,000 = 27,000 / 1M.
        assertThat(cost(r, Cols.CACHE_SAVINGS_USD)).isEqualByComparingTo("0.027");
    }

    @Test
    void outputDetailsAbsentMeansEveryOutputTokenIsAnImageToken() {
        String noDetails = "{\"request_id\":\"nd\",\"created\":" + epoch("2026-05-01T00:00:00Z")
                + ",\"workflow_id\":\"wf\",\"model\":\"gpt-image-2\",\"status\":\"succeeded\",\"n\":1,"
                + "\"usage\":{\"input_tokens\":500,\"total_tokens\":2500,\"output_tokens\":2000,"
                + "\"input_tokens_details\":{\"text_tokens\":500,\"image_tokens\":0}}}";
        Row r = price(defaults, noDetails).priced().first();
        assertThat((Long) r.getAs(Meter.IMAGE_OUTPUT.tokensColumn())).isEqualTo(2_000L);
        assertThat((Long) r.getAs(Meter.TEXT_OUTPUT.tokensColumn())).isZero();
        assertThat(cost(r, Cols.COST_USD)).isEqualByComparingTo("0.0625");
    }

    @Test
    void aFailedCallWithoutUsageCostsNothingButOneWithUsageIsBilled() {
        long t = epoch("2026-05-01T00:00:00Z");
        String noUsage =
                "{\"request_id\":\"f1\",\"created\":" + t + ",\"workflow_id\":\"wf\",\"model\":\"gpt-image-2\","
                        + "\"status\":\"failed\",\"error_code\":\"rate_limit_exceeded\",\"n\":1}";
        String withUsage =
                "{\"request_id\":\"f2\",\"created\":" + t + ",\"workflow_id\":\"wf\",\"model\":\"gpt-image-2\","
                        + "\"status\":\"failed\",\"error_code\":\"server_error\",\"n\":1,\"usage\":{\"input_tokens\":5"
                        + "00,"
                        + "\"total_tokens\":500,\"output_tokens\":0,\"input_tokens_details\":{\"text_tokens\":500,\"im"
                        + "age_tokens\":0}}}";
        Map<String, Row> p = byId(price(defaults, noUsage, withUsage).priced());
        assertThat(cost(p.get("f1"), Cols.COST_USD)).isEqualByComparingTo("0");
        assertThat(cost(p.get("f2"), Cols.COST_USD)).isEqualByComparingTo("0.0025");
        assertThat((Integer) p.get("f2").getAs(Cols.IMAGES_GENERATED)).isZero();
    }

    @Test
    void aDatedSnapshotTakesItsOwnRowWhenTheCardHasOneElseItsBaseName() {
        RateCard card = RateCard.fromCsv(new StringReader("""
        model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to
        gpt-image-2,default,image_output,30,2026-04-21,
        gpt-image-2-2026-09-01,default,image_output,24,2026-09-01,
        """), "snapshots.csv");
        Map<String, Row> p = byId(price(
                        card,
                        line(
                                "base",
                                "2026-10-01T00:00:00Z",
                                "gpt-image-2-2026-04-21",
                                "default",
                                0,
                                0,
                                0,
                                0,
                                1_000_000,
                                0),
                        line(
                                "own",
                                "2026-10-01T00:00:00Z",
                                "gpt-image-2-2026-09-01",
                                "default",
                                0,
                                0,
                                0,
                                0,
                                1_000_000,
                                0))
                .priced());
        assertThat((String) p.get("base").getAs(Cols.RATE_MODEL)).isEqualTo("gpt-image-2");
        assertThat(cost(p.get("base"), Cols.COST_USD)).isEqualByComparingTo("30");
        assertThat((String) p.get("own").getAs(Cols.RATE_MODEL)).isEqualTo("gpt-image-2-2026-09-01");
        assertThat(cost(p.get("own"), Cols.COST_USD)).isEqualByComparingTo("24");
    }

    @Test
    void usageExactlyAtEffectiveFromTakesTheNewRate() {
        RateCard card = RateCard.fromCsv(new StringReader("""
        model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to
        m,default,image_output,30,2026-01-01,2026-07-01T00:00:00Z
        m,default,image_output,20,2026-07-01T00:00:00Z,
        """), "change.csv");
        Map<String, Row> p = byId(price(
                        card,
                        line("before", "2026-06-30T23:59:59Z", "m", "default", 0, 0, 0, 0, 1_000_000, 0),
                        line("at", "2026-07-01T00:00:00Z", "m", "default", 0, 0, 0, 0, 1_000_000, 0))
                .priced());
        assertThat(cost(p.get("before"), Cols.COST_USD)).isEqualByComparingTo("30");
        assertThat(cost(p.get("at"), Cols.COST_USD)).isEqualByComparingTo("20");
        assertThat((BigDecimal) p.get("at").getAs(Meter.IMAGE_OUTPUT.rateColumn()))
                .isEqualByComparingTo("20");
    }

    @Test
    void batchRequestsPayTheBatchRates() {
        Row r = price(defaults, line("b", "2026-05-01T12:00:00Z", "gpt-image-2", "batch", 500, 0, 0, 0, 2_000, 0))
                .priced()
                .first();
        assertThat(cost(r, Cols.COST_USD)).isEqualByComparingTo("0.03125");
    }

    @Test
    void noRateForAMeterWithTokensIsQuarantinedNeverZero() {
        Priced p = price(
                defaults,
                // gpt-image-1 has no text output meter: text output tokens cannot be priced.
                line("textout", "2026-05-01T12:00:00Z", "gpt-image-1", "default", 100, 0, 0, 0, 1_000, 50),
                // The same model with no text output is fine: a meter with zero tokens needs no rate.
                line("fine", "2026-05-01T12:00:00Z", "gpt-image-1", "default", 100, 0, 0, 0, 1_000, 0),
                // Before gpt-image-2 launched there is no rate at all.
                line("early", "2026-01-01T00:00:00Z", "gpt-image-2", "default", 100, 0, 0, 0, 1_000, 0),
                // A model the card does not know, even with zero tokens, is not priced at $0.
                "{\"request_id\":\"unknown\",\"created\":" + epoch("2026-05-01T00:00:00Z")
                        + ",\"workflow_id\":\"wf\",\"model\":\"dall-e-3\",\"status\":\"succeeded\",\"n\":1}");
        Map<String, Row> unpriced = byId(p.unpriced());
        assertThat(unpriced).containsOnlyKeys("textout", "early", "unknown");
        assertThat((String) unpriced.get("textout").getAs(RequestPricing.NO_RATE_DETAIL))
                .contains("gpt-image-1")
                .contains("text_output (50 tokens)");
        assertThat((String) unpriced.get("early").getAs(RequestPricing.NO_RATE_DETAIL))
                .contains("2026-01-01T00:00:00Z");
        assertThat(byId(p.priced())).containsOnlyKeys("fine");
        assertThat(cost(byId(p.priced()).get("fine"), Cols.COST_USD)).isEqualByComparingTo("0.0405");
    }

    @Test
    void pricingNeverAddsOrDropsARow() {
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add(line(
                    "r" + i,
                    "2026-0" + (1 + i % 9) + "-15T00:00:00Z",
                    i % 2 == 0 ? "gpt-image-2" : "gpt-image-1",
                    i % 3 == 0 ? "batch" : "default",
                    100,
                    0,
                    0,
                    0,
                    100,
                    0));
        }
        Priced p = price(defaults, lines.toArray(new String[0]));
        assertThat(p.priced().count() + p.unpriced().count()).isEqualTo(40);
    }
}
