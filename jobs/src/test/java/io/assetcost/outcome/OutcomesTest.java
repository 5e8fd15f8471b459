package io.assetcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.pricing.Priced;
import io.assetcost.pricing.RateCard;
import io.assetcost.quality.UsageValidation;
import io.assetcost.report.Reports;
import io.assetcost.schema.Cols;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Decisions, assets, winning requests and waste, on small in-memory inputs. */
class OutcomesTest extends SparkTestBase {

    private static final StructType DECISIONS = new StructType()
            .add(Cols.WORKFLOW_ID, DataTypes.StringType)
            .add(Cols.ASSET_ID, DataTypes.StringType)
            .add(Cols.REQUEST_ID, DataTypes.StringType)
            .add(Cols.IMAGE_INDEX, DataTypes.IntegerType)
            .add(Cols.DECISION, DataTypes.StringType)
            .add(Cols.DECIDED_AT, DataTypes.TimestampType);

    /** A request of the given asset whose output costs exactly {@code dollars} (one token = $1 on CARD). */
    private static String request(String id, String asset, String status, int n, long dollars, String at) {
        return String.format(
                Locale.ROOT,
                "{\"request_id\":\"%s\",\"created\":%d,\"workflow_id\":\"wf\",\"asset_id\":\"%s\",\"model\":\"m\","
                        + "\"status\":\"%s\",\"n\":%d,\"usage\":{\"input_tokens\":0,\"total_tokens\":%d,\"output_token"
                        + "s\":%d,"
                        + "\"input_tokens_details\":{\"text_tokens\":0,\"image_tokens\":0}}}",
                id,
                epoch(at),
                asset,
                status,
                n,
                dollars,
                dollars);
    }

    private static Row decision(String asset, String request, int index, String verdict, String isoWithOffset) {
        return RowFactory.create(
                "wf",
                asset,
                request,
                index,
                verdict,
                java.time.OffsetDateTime.parse(isoWithOffset).toInstant());
    }

    private record Out(
            Map<String, Row> requests,
            Map<String, Row> assets,
            Dataset<Row> cohorts,
            Dataset<Row> waste,
            Dataset<Row> requestOutcomes,
            Dataset<Row> assetCosts) {}

    private static Out run(List<String> usage, List<Row> decisions) {
        RateCard card = RateCard.fromCsv(
                new java.io.StringReader("model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to\n"
                        + "m,default,image_output,1000000,2026-01-01,\n"),
                "one-dollar-per-token.csv");
        Dataset<Row> costs = Schemas.conform(
                Priced.of(
                                UsageValidation.validate(usageLines(usage.toArray(new String[0])))
                                        .accepted(),
                                card)
                        .priced(),
                OutputTable.REQUEST_COSTS.tableName());
        Dataset<Row> d = spark.createDataFrame(decisions, DECISIONS);
        Dataset<Row> requestOutcomes = Outcomes.requestOutcomes(costs, d);
        Dataset<Row> assets = Reports.assetCosts(requestOutcomes);
        Dataset<Row> cohorts = Reports.costPerApprovedAsset(assets);
        Map<String, Row> req = new HashMap<>();
        for (Row r : requestOutcomes.collectAsList()) {
            req.put(r.getAs(Cols.REQUEST_ID), r);
        }
        Map<String, Row> a = new HashMap<>();
        for (Row r : assets.collectAsList()) {
            a.put(r.getAs(Cols.ASSET_ID), r);
        }
        return new Out(req, a, cohorts, Reports.retryWaste(requestOutcomes, cohorts), requestOutcomes, assets);
    }

    private static BigDecimal money(Row r, String column) {
        return r.getAs(column);
    }

    @Test
    void attemptsAreNumberedBucketedAndCappedAsAWhatIf() {
        List<String> usage = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            usage.add(request("r" + i, "long", "succeeded", 1, 1, "2026-05-01T0" + i + ":00:00Z"));
        }
        usage.add(request("s1", "short", "succeeded", 1, 1, "2026-05-01T01:00:00Z"));
        usage.add(request("s3", "short", "succeeded", 1, 1, "2026-05-01T02:00:00Z"));
        usage.add(request("s2", "short", "succeeded", 1, 1, "2026-05-01T02:00:00Z"));
        for (int i = 1; i <= 6; i++) {
            usage.add(request("p" + i, "pend", "succeeded", 1, 1, "2026-05-01T0" + i + ":30:00Z"));
        }
        Out o = run(
                usage,
                List.of(
                        decision("long", "r7", 0, "approved", "2026-05-01T09:00:00Z"),
                        decision("short", "s1", 0, "rejected", "2026-05-01T09:00:00Z"),
                        decision("short", "s3", 0, "rejected", "2026-05-01T09:00:00Z")));
        assertThat((int) o.requests().get("r7").getAs(Outcomes.ATTEMPT_NUMBER)).isEqualTo(7);
        assertThat((int) o.requests().get("s2").getAs(Outcomes.ATTEMPT_NUMBER))
                .as("a tie on created_at goes to the smaller request_id")
                .isEqualTo(2);
        assertThat((int) o.requests().get("s3").getAs(Outcomes.ATTEMPT_NUMBER)).isEqualTo(3);

        Map<String, Row> buckets = new HashMap<>();
        for (Row r : io.assetcost.planning.Attempts.byAttempts(o.assetCosts()).collectAsList()) {
            buckets.put(r.getAs(io.assetcost.planning.Attempts.ATTEMPTS), r);
        }
        assertThat(buckets.keySet()).containsExactlyInAnyOrder("3", "6-10");
        Row many = buckets.get("6-10");
        assertThat((long) many.getAs(Cols.ASSETS)).isEqualTo(2);
        assertThat((long) many.getAs(Cols.ASSETS_APPROVED)).isEqualTo(1);
        assertThat((long) many.getAs(Cols.ASSETS_PENDING)).isEqualTo(1);
        assertThat(money(many, Cols.TOTAL_COST_USD)).isEqualByComparingTo("13");
        assertThat(money(many, Cols.WASTE_COST_USD)).isEqualByComparingTo("6");
        assertThat(money(buckets.get("3"), Cols.WASTE_COST_USD)).isEqualByComparingTo("3");

        Row cap = io.assetcost.planning.Attempts.cap(Outcomes.requestOutcomesTable(o.requestOutcomes()), 5)
                .first();
        assertThat((int) cap.getAs("attempt_cap")).isEqualTo(5);
        assertThat(money(cap, Cols.RESOLVED_COST_USD))
                .as("long and short, not pending")
                .isEqualByComparingTo("10");
        assertThat(money(cap, "cost_beyond_cap_usd"))
                .as("attempts 6 and 7 of long")
                .isEqualByComparingTo("2");
        assertThat((long) cap.getAs("approvals_beyond_cap"))
                .as("long was approved on its 7th attempt")
                .isEqualTo(1);
        assertThat(money(cap, "share_beyond_cap")).isEqualByComparingTo("0.2");
    }

    @Test
    void theLatestDecisionWinsComparingInstantsNotLocalTimes() {
        // 10:00+01:00 is 09:00Z, before the rejection at 09:30Z: the rejection is the decision in force.
        Out o = run(
                List.of(request("r1", "a1", "succeeded", 1, 1, "2026-05-01T08:00:00Z")),
                List.of(
                        decision("a1", "r1", 0, "approved", "2026-05-01T10:00:00+01:00"),
                        decision("a1", "r1", 0, "rejected", "2026-05-01T09:30:00Z")));
        assertThat((String) o.assets().get("a1").getAs(Cols.STATUS)).isEqualTo("rejected");
    }

    @Test
    void aReReviewTurnsARejectionIntoAnApprovalAndATieGoesToRejected() {
        Out o = run(
                List.of(
                        request("r1", "flip", "succeeded", 1, 1, "2026-05-01T08:00:00Z"),
                        request("r2", "tie", "succeeded", 1, 1, "2026-05-01T08:00:00Z")),
                List.of(
                        decision("flip", "r1", 0, "rejected", "2026-05-01T09:00:00Z"),
                        decision("flip", "r1", 0, "approved", "2026-05-01T05:00:00-05:00"),
                        decision("tie", "r2", 0, "approved", "2026-05-01T09:00:00Z"),
                        decision("tie", "r2", 0, "rejected", "2026-05-01T10:00:00+01:00")));
        assertThat((String) o.assets().get("flip").getAs(Cols.STATUS)).isEqualTo("approved");
        assertThat((Instant) o.assets().get("flip").getAs(Cols.APPROVED_AT))
                .isEqualTo(Instant.parse("2026-05-01T10:00:00Z"));
        assertThat((String) o.assets().get("tie").getAs(Cols.STATUS)).isEqualTo("rejected");
    }

    @Test
    void severalApprovalsAndDecisionsNeverMultiplyACost() {
        List<Row> decisions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            decisions.add(decision("a1", "r1", 0, "approved", "2026-05-01T1" + i + ":00:00Z"));
            decisions.add(decision("a1", "r1", 1, "approved", "2026-05-01T1" + i + ":30:00Z"));
        }
        decisions.add(decision("a1", "r2", 0, "rejected", "2026-05-01T12:00:00Z"));
        Out o = run(
                List.of(
                        request("r1", "a1", "succeeded", 2, 3, "2026-05-01T08:00:00Z"),
                        request("r2", "a1", "succeeded", 1, 2, "2026-05-01T08:30:00Z")),
                decisions);
        Row a = o.assets().get("a1");
        assertThat(money(a, "total_cost_usd")).isEqualByComparingTo("5");
        assertThat(money(a, "direct_cost_usd")).isEqualByComparingTo("3");
        assertThat(money(a, "waste_cost_usd")).isEqualByComparingTo("2");
        assertThat((Long) a.getAs("requests")).isEqualTo(2L);
        assertThat((Long) a.getAs("images_approved")).isEqualTo(2L);
        Row c = o.cohorts().first();
        assertThat(money(c, "total_cost_usd")).isEqualByComparingTo("5");
        assertThat((Long) c.getAs("assets_approved")).isEqualTo(1L);
    }

    @Test
    void theWinningRequestProducedTheEarliestApprovedImageWithTiesToTheSmallerId() {
        Out o = run(
                List.of(
                        request("r_b", "tie", "succeeded", 1, 1, "2026-05-01T08:00:00Z"),
                        request("r_a", "tie", "succeeded", 1, 2, "2026-05-01T08:10:00Z"),
                        request("early", "order", "succeeded", 1, 1, "2026-05-01T08:00:00Z"),
                        request("late", "order", "succeeded", 1, 4, "2026-05-01T09:00:00Z")),
                List.of(
                        decision("tie", "r_b", 0, "approved", "2026-05-01T12:00:00Z"),
                        decision("tie", "r_a", 0, "approved", "2026-05-01T13:00:00+01:00"),
                        decision("order", "late", 0, "approved", "2026-05-01T10:00:00Z"),
                        decision("order", "early", 0, "approved", "2026-05-01T11:00:00Z")));
        assertThat((String) o.assets().get("tie").getAs(Cols.WINNING_REQUEST_ID))
                .isEqualTo("r_a");
        assertThat(money(o.assets().get("tie"), "direct_cost_usd")).isEqualByComparingTo("2");
        // The later attempt was approved first: it wins, the earlier one is superseded.
        assertThat((String) o.assets().get("order").getAs(Cols.WINNING_REQUEST_ID))
                .isEqualTo("late");
        assertThat((String) o.requests().get("early").getAs(Cols.WASTE_REASON)).isEqualTo("superseded_attempt");
    }

    @Test
    void everyWasteReasonAndPendingCostAreReportedAndAddUp() {
        Out o = run(
                List.of(
                        request("win", "ok", "succeeded", 1, 3, "2026-05-01T08:00:00Z"),
                        request("fail", "ok", "failed", 1, 1, "2026-05-01T07:00:00Z"),
                        request("old", "ok", "succeeded", 1, 2, "2026-05-01T07:30:00Z"),
                        request("gone", "nope", "succeeded", 2, 4, "2026-05-01T08:00:00Z"),
                        request("gone_fail", "nope", "failed", 1, 1, "2026-05-01T08:05:00Z"),
                        request("wait", "later", "succeeded", 1, 5, "2026-05-01T08:00:00Z")),
                List.of(
                        decision("ok", "win", 0, "approved", "2026-05-01T09:00:00Z"),
                        decision("ok", "old", 0, "rejected", "2026-05-01T09:00:00Z"),
                        decision("nope", "gone", 0, "rejected", "2026-05-01T09:00:00Z")));
        assertThat((String) o.requests().get("win").getAs(Cols.WASTE_REASON)).isNull();
        assertThat((String) o.requests().get("fail").getAs(Cols.WASTE_REASON)).isEqualTo("failed_request");
        assertThat((String) o.requests().get("old").getAs(Cols.WASTE_REASON)).isEqualTo("superseded_attempt");
        assertThat((String) o.requests().get("gone").getAs(Cols.WASTE_REASON)).isEqualTo("abandoned_asset");
        assertThat((String) o.requests().get("gone_fail").getAs(Cols.WASTE_REASON))
                .isEqualTo("failed_request");
        assertThat((String) o.requests().get("wait").getAs(Cols.WASTE_REASON)).isNull();
        assertThat((String) o.assets().get("later").getAs(Cols.STATUS)).isEqualTo("pending");
        assertThat(money(o.assets().get("later"), "pending_cost_usd")).isEqualByComparingTo("5");
        assertThat(money(o.assets().get("nope"), "waste_cost_usd")).isEqualByComparingTo("5");
        // The asset's cohort is the UTC date of its first request (07:00Z), whatever the JVM's zone.
        assertThat(o.assets().get("ok").getAs(Cols.COHORT_DATE).toString()).isEqualTo("2026-05-01");

        Row c = o.cohorts().first();
        assertThat((Long) c.getAs("assets")).isEqualTo(3L);
        assertThat((Long) c.getAs("assets_pending")).isEqualTo(1L);
        // Costs: win 3, fail 1, old 2 (approved asset); gone 4, gone_fail 1 (rejected); wait 5 (pending).
        assertThat(money(c, "total_cost_usd")).isEqualByComparingTo("16");
        assertThat(money(c, "resolved_cost_usd")).isEqualByComparingTo("11");
        assertThat(money(c, "pending_cost_usd")).isEqualByComparingTo("5");
        assertThat(money(c, "direct_cost_usd")).isEqualByComparingTo("3");
        assertThat(money(c, "waste_cost_usd")).isEqualByComparingTo("8");
        // 11 resolved dollars over 1 approved asset; images of resolved assets: win 1, old 1, gone 2.
        assertThat(money(c, "cost_per_approved_asset_usd")).isEqualByComparingTo("11");
        assertThat(money(c, "iteration_factor")).isEqualByComparingTo("4");
        // 8 / 11 = 0.727272727272|72..., half-even at 12 places.
        assertThat(money(c, "waste_share")).isEqualTo(new BigDecimal("0.727272727273"));

        Map<String, BigDecimal> waste = new HashMap<>();
        for (Row r : o.waste().collectAsList()) {
            waste.put(r.getAs(Cols.WASTE_REASON), r.getAs("waste_cost_usd"));
        }
        assertThat(waste).containsOnlyKeys("failed_request", "superseded_attempt", "abandoned_asset");
        assertThat(waste.get("failed_request")).isEqualByComparingTo("2");
        assertThat(waste.get("superseded_attempt")).isEqualByComparingTo("2");
        assertThat(waste.get("abandoned_asset")).isEqualByComparingTo("4");
    }

    @Test
    void aCohortWithNoApprovalHasNullRatiosNotZeroOrAnError() {
        Out o = run(
                List.of(request("x", "no", "succeeded", 1, 1, "2026-05-01T08:00:00Z")),
                List.of(decision("no", "x", 0, "rejected", "2026-05-01T09:00:00Z")));
        Row c = o.cohorts().first();
        assertThat((Object) c.getAs("cost_per_approved_asset_usd")).isNull();
        assertThat((Object) c.getAs("iteration_factor")).isNull();
        assertThat(money(c, "waste_share")).isEqualByComparingTo("1");
    }
}
