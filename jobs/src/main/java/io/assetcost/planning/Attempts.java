package io.assetcost.planning;

import static io.assetcost.outcome.Outcomes.ASSET_STATUS;
import static io.assetcost.outcome.Outcomes.ATTEMPT_NUMBER;
import static io.assetcost.schema.Cols.APPROVED;
import static io.assetcost.schema.Cols.ASSETS;
import static io.assetcost.schema.Cols.ASSETS_APPROVED;
import static io.assetcost.schema.Cols.ASSETS_PENDING;
import static io.assetcost.schema.Cols.ASSETS_REJECTED;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.IS_WINNING_REQUEST;
import static io.assetcost.schema.Cols.PENDING;
import static io.assetcost.schema.Cols.REJECTED;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.RESOLVED_COST_USD;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.WASTE_COST_USD;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.RequestPricing;
import io.assetcost.report.Ratios;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where the attempts go (README, "Planning"): the assets bucketed by how many attempts they took, and what
 * capping attempts per asset would have saved and lost (the seed guides' "stop after N failed generations and
 * send to human review"). Each request's place among its asset's attempts is in request_outcomes
 * ({@link io.assetcost.outcome.Outcomes#requestOutcomesTable}).
 */
public final class Attempts {

    /** Column of attempts and attempt_cap: the attempts bucket ({@code 1} ... {@code 5}, {@code 6-10}, {@code 11+}). */
    public static final String ATTEMPTS = "attempts";
    /** Default of {@code --attempt-cap}. */
    public static final int DEFAULT_CAP = 5;

    private static final Column ZERO = lit(BigDecimal.ZERO).cast(RequestPricing.USD);

    private Attempts() {}

    /**
     * {@code attempts}: grain cohort_date x workflow_id x attempts bucket, over asset_costs.
     *
     * @param assetCosts rows of asset_costs
     * @return rows of contract attempts
     */
    public static Dataset<Row> byAttempts(Dataset<Row> assetCosts) {
        Column n = col(REQUESTS);
        Column bucket =
                when(n.leq(5), n.cast("string")).when(n.leq(10), lit("6-10")).otherwise(lit("11+"));
        Column from = when(n.leq(5), n.cast("int")).when(n.leq(10), lit(6)).otherwise(lit(11));
        Dataset<Row> out = assetCosts
                .withColumn(ATTEMPTS, bucket)
                .withColumn("attempts_from", from)
                .groupBy(COHORT_DATE, WORKFLOW_ID, ATTEMPTS, "attempts_from")
                .agg(
                        count(lit(1)).as(ASSETS),
                        count_if(col(STATUS).equalTo(APPROVED)).as(ASSETS_APPROVED),
                        count_if(col(STATUS).equalTo(REJECTED)).as(ASSETS_REJECTED),
                        count_if(col(STATUS).equalTo(PENDING)).as(ASSETS_PENDING),
                        sum(TOTAL_COST_USD).as(TOTAL_COST_USD),
                        sum(WASTE_COST_USD).as(WASTE_COST_USD));
        return OutputTable.ATTEMPTS.conform(out);
    }

    /**
     * {@code attempt_cap}: grain cohort_date x workflow_id. For a cap of N attempts per asset: the spend on
     * attempts after the N-th of resolved assets (what the cap would have saved), and the approved assets
     * whose winning request came after the N-th (what it would have cost in approvals), with the resolved
     * cost and the saved share of it.
     *
     * @param requestOutcomes rows of contract request_outcomes
     * @param cap N, at least 1
     * @return rows of contract attempt_cap
     */
    public static Dataset<Row> cap(Dataset<Row> requestOutcomes, int cap) {
        Column resolved = col(ASSET_STATUS).notEqual(PENDING);
        Column beyond = col(ATTEMPT_NUMBER).gt(cap);
        Dataset<Row> out = requestOutcomes
                .groupBy(COHORT_DATE, WORKFLOW_ID)
                .agg(
                        sum(when(resolved, col(COST_USD)).otherwise(ZERO)).as(RESOLVED_COST_USD),
                        sum(when(resolved.and(beyond), col(COST_USD)).otherwise(ZERO))
                                .as("cost_beyond_cap_usd"),
                        count_if(col(IS_WINNING_REQUEST).and(beyond)).as("approvals_beyond_cap"),
                        count_if(col(IS_WINNING_REQUEST)).as(ASSETS_APPROVED))
                .withColumn("attempt_cap", lit(cap))
                .withColumn("share_beyond_cap", Ratios.divide(col("cost_beyond_cap_usd"), col(RESOLVED_COST_USD)));
        return OutputTable.ATTEMPT_CAP.conform(out);
    }
}
