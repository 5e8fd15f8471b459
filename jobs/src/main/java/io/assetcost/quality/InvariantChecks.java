package io.assetcost.quality;

import static io.assetcost.schema.Cols.ASSETS;
import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIRECT_COST_USD;
import static io.assetcost.schema.Cols.PENDING_COST_USD;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.RESOLVED_COST_USD;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.WASTE_COST_USD;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.pricing.Meter;
import io.assetcost.run.Invariant;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The cost job's invariants (docs/DESIGN.md, "Invariants"), checked on every run against the tables as
 * written. A failed check makes the run exit 1; each result, with its figures, goes into the run summary.
 */
public final class InvariantChecks {

    private InvariantChecks() {}

    /**
     * Conservation: the sum of request_costs.cost_usd equals the total of asset_costs, the total of
     * cost_per_approved_asset, the total of attempts, and direct + waste + pending of both reports, exactly; no
     * join fanned out (the assets' request counts add up to the requests priced, one row per asset); the attempts
     * buckets hold every asset; request_outcomes has one row per request of the reported assets.
     *
     * @param requestOutcomes the requests of the assets reported: cost_usd (decimal(38,12), USD), one row each
     * @param assetCosts rows of asset_costs
     * @param costPerApprovedAsset rows of cost_per_approved_asset
     * @param attempts rows of attempts
     * @return the results, one per comparison
     */
    public static List<Invariant> conservation(
            Dataset<Row> requestOutcomes,
            Dataset<Row> assetCosts,
            Dataset<Row> costPerApprovedAsset,
            Dataset<Row> attempts) {
        Column directWastePending =
                col(DIRECT_COST_USD).plus(col(WASTE_COST_USD)).plus(col(PENDING_COST_USD));
        Row r = requestOutcomes.agg(sum(COST_USD), count(lit(1))).first();
        BigDecimal requests = r.isNullAt(0) ? BigDecimal.ZERO : r.getDecimal(0);
        long requestRows = r.getLong(1);
        Row a = assetCosts
                .agg(
                        sum(TOTAL_COST_USD),
                        sum(directWastePending),
                        sum(REQUESTS),
                        count(lit(1)),
                        countDistinct(col(WORKFLOW_ID), col(ASSET_ID)))
                .first();
        Row c = costPerApprovedAsset
                .agg(
                        sum(TOTAL_COST_USD),
                        sum(directWastePending),
                        sum(col(RESOLVED_COST_USD).plus(col(PENDING_COST_USD))),
                        sum(REQUESTS),
                        sum(ASSETS))
                .first();
        Row t = attempts.agg(sum(TOTAL_COST_USD), sum(ASSETS)).first();
        List<Invariant> out = new ArrayList<>();
        out.add(Invariant.equal("conservation: request_costs = asset_costs.total_cost_usd", requests, a.getDecimal(0)));
        out.add(Invariant.equal(
                "conservation: request_costs = asset_costs direct + waste + pending", requests, a.getDecimal(1)));
        out.add(Invariant.equal(
                "conservation: request_costs = cost_per_approved_asset.total_cost_usd", requests, c.getDecimal(0)));
        out.add(Invariant.equal(
                "conservation: request_costs = cost_per_approved_asset direct + waste + pending",
                requests,
                c.getDecimal(1)));
        out.add(Invariant.equal(
                "conservation: request_costs = cost_per_approved_asset resolved + pending", requests, c.getDecimal(2)));
        long assetRequests = longOrZero(a, 2);
        long cohortRequests = longOrZero(c, 3);
        out.add(new Invariant(
                "no fan-out: requests priced = requests over assets = requests over cohorts",
                requestRows == assetRequests && assetRequests == cohortRequests,
                requestRows + " = " + assetRequests + " = " + cohortRequests));
        out.add(new Invariant(
                "no fan-out: one asset_costs row per asset",
                a.getLong(3) == a.getLong(4),
                a.getLong(3) + " rows, " + a.getLong(4) + " distinct assets"));
        BigDecimal cohorts = c.isNullAt(0) ? BigDecimal.ZERO : c.getDecimal(0);
        out.add(Invariant.equal(
                "attempts: total_cost_usd = cost_per_approved_asset.total_cost_usd", cohorts, t.getDecimal(0)));
        long assetsBucketed = longOrZero(t, 1);
        long assets = longOrZero(c, 4);
        out.add(new Invariant(
                "attempts: every asset in one bucket", assetsBucketed == assets, assetsBucketed + " = " + assets));
        out.add(new Invariant(
                "request_outcomes: one row per request of the reported assets",
                requestRows == assetRequests,
                requestRows + " = " + assetRequests));
        return out;
    }

    private static long longOrZero(Row row, int i) {
        return row.isNullAt(i) ? 0 : row.getLong(i);
    }

    /**
     * Nothing unpriced became $0: every priced request has a rate model, and every meter with tokens has a
     * rate.
     *
     * @param requestCosts rows of request_costs
     * @return the result
     */
    public static Invariant nothingUnpriced(Dataset<Row> requestCosts) {
        Column bad = col(RATE_MODEL).isNull();
        for (Meter m : Meter.values()) {
            bad = bad.or(col(m.tokensColumn()).gt(0).and(col(m.rateColumn()).isNull()));
        }
        long n = requestCosts.filter(bad).count();
        return new Invariant(
                "nothing unpriced: every meter with tokens has a rate",
                n == 0,
                n + " priced requests with tokens on a meter without a rate");
    }
}
