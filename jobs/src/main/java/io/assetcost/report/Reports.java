package io.assetcost.report;

import static io.assetcost.outcome.Outcomes.ASSET_STATUS;
import static io.assetcost.outcome.Outcomes.IS_WINNING;
import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.RequestPricing;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The asset table and the two headline reports (README, "Outcomes" and "Outputs"), each conformed to its contract in
 * {@code schemas/}. Money is decimal(38,12) USD, summed exactly.
 */
public final class Reports {

    private static final Column ZERO = lit(BigDecimal.ZERO).cast(RequestPricing.USD);

    private Reports() {}

    /**
     * {@code asset_costs}: one row per asset. total = direct + waste + pending, to the last decimal:
     * direct is the winning request's cost, waste the cost of every request with a waste reason, pending
     * the whole cost of a pending asset.
     *
     * @param requestOutcomes rows of {@link io.assetcost.outcome.Outcomes#requestOutcomes}
     * @return rows of contract asset_costs
     */
    public static Dataset<Row> assetCosts(Dataset<Row> requestOutcomes) {
        Dataset<Row> assets = requestOutcomes
                .groupBy(WORKFLOW_ID, ASSET_ID)
                .agg(
                        min(COHORT_DATE).as(COHORT_DATE),
                        min(FIRST_REQUEST_AT).as(FIRST_REQUEST_AT),
                        max(ASSET_STATUS).as(ASSET_STATUS),
                        max(APPROVED_AT).as(APPROVED_AT),
                        max(WINNING_REQUEST_ID).as(WINNING_REQUEST_ID),
                        count(lit(1)).as(REQUESTS),
                        sum(col(IMAGES_GENERATED).cast("long")).as(IMAGES_GENERATED),
                        max(IMAGES_REVIEWED).as(IMAGES_REVIEWED),
                        max(IMAGES_APPROVED).as(IMAGES_APPROVED),
                        sum(COST_USD).as(TOTAL_COST_USD),
                        sum(when(col(IS_WINNING), col(COST_USD)).otherwise(ZERO))
                                .as(DIRECT_COST_USD),
                        sum(when(col(WASTE_REASON).isNotNull(), col(COST_USD)).otherwise(ZERO))
                                .as(WASTE_COST_USD),
                        sum(when(col(ASSET_STATUS).equalTo(PENDING), col(COST_USD))
                                        .otherwise(ZERO))
                                .as(PENDING_COST_USD),
                        sum(CACHE_SAVINGS_USD).as(CACHE_SAVINGS_USD))
                .withColumnRenamed(ASSET_STATUS, STATUS);
        return OutputTable.ASSET_COSTS.conform(assets);
    }

    /**
     * {@code cost_per_approved_asset}: grain cohort_date x workflow_id. Counts and costs cover every asset
     * of the cohort, pending ones too; cost_per_approved_asset_usd = resolved_cost_usd / assets_approved
     * (every retry, failure and abandoned asset is loaded onto the approved ones); iteration_factor = images
     * generated for resolved assets / assets_approved (the seeds plan with 1.2, 1.8 and 2.5); waste_share =
     * waste_cost_usd / resolved_cost_usd. Ratios per {@link Ratios}.
     *
     * @param assetCosts rows of {@link #assetCosts}
     * @return rows of contract cost_per_approved_asset
     */
    public static Dataset<Row> costPerApprovedAsset(Dataset<Row> assetCosts) {
        Column resolved = col(STATUS).notEqual(PENDING);
        Dataset<Row> cohorts = assetCosts
                .groupBy(COHORT_DATE, WORKFLOW_ID)
                .agg(
                        count(lit(1)).as(ASSETS),
                        count(when(col(STATUS).equalTo(APPROVED), lit(1))).as(ASSETS_APPROVED),
                        count(when(col(STATUS).equalTo(REJECTED), lit(1))).as(ASSETS_REJECTED),
                        count(when(col(STATUS).equalTo(PENDING), lit(1))).as(ASSETS_PENDING),
                        sum(REQUESTS).as(REQUESTS),
                        sum(IMAGES_GENERATED).as(IMAGES_GENERATED),
                        sum(when(resolved, col(IMAGES_GENERATED)).otherwise(lit(0L)))
                                .as("_resolved_images"),
                        sum(TOTAL_COST_USD).as(TOTAL_COST_USD),
                        sum(when(resolved, col(TOTAL_COST_USD)).otherwise(ZERO)).as(RESOLVED_COST_USD),
                        sum(PENDING_COST_USD).as(PENDING_COST_USD),
                        sum(DIRECT_COST_USD).as(DIRECT_COST_USD),
                        sum(WASTE_COST_USD).as(WASTE_COST_USD),
                        sum(CACHE_SAVINGS_USD).as(CACHE_SAVINGS_USD));
        Dataset<Row> withRatios = cohorts.withColumn(
                        COST_PER_APPROVED_ASSET_USD, Ratios.divide(col(RESOLVED_COST_USD), col(ASSETS_APPROVED)))
                .withColumn(
                        DIRECT_COST_PER_APPROVED_ASSET_USD, Ratios.divide(col(DIRECT_COST_USD), col(ASSETS_APPROVED)))
                .withColumn(ITERATION_FACTOR, Ratios.divide(col("_resolved_images"), col(ASSETS_APPROVED)))
                .withColumn(WASTE_SHARE, Ratios.divide(col(WASTE_COST_USD), col(RESOLVED_COST_USD)));
        return OutputTable.COST_PER_APPROVED_ASSET.conform(withRatios);
    }

    /**
     * {@code retry_waste}: grain cohort_date x workflow_id x waste_reason, over the non-winning requests of
     * resolved assets; share_of_resolved_cost = waste_cost_usd / the cohort and workflow's resolved cost.
     *
     * @param requestOutcomes rows of {@link io.assetcost.outcome.Outcomes#requestOutcomes}
     * @param costPerApprovedAsset rows of {@link #costPerApprovedAsset} (for the resolved cost)
     * @return rows of contract retry_waste
     */
    public static Dataset<Row> retryWaste(Dataset<Row> requestOutcomes, Dataset<Row> costPerApprovedAsset) {
        Dataset<Row> waste = requestOutcomes
                .filter(col(WASTE_REASON).isNotNull())
                .groupBy(COHORT_DATE, WORKFLOW_ID, WASTE_REASON)
                .agg(
                        count(lit(1)).as(REQUESTS),
                        sum(col(IMAGES_GENERATED).cast("long")).as(IMAGES_GENERATED),
                        sum(COST_USD).as(WASTE_COST_USD));
        Dataset<Row> resolved = costPerApprovedAsset.select(COHORT_DATE, WORKFLOW_ID, RESOLVED_COST_USD);
        Dataset<Row> joined = waste.join(resolved, new String[] {COHORT_DATE, WORKFLOW_ID}, "left")
                .withColumn(SHARE_OF_RESOLVED_COST, Ratios.divide(col(WASTE_COST_USD), col(RESOLVED_COST_USD)));
        return OutputTable.RETRY_WASTE.conform(joined);
    }

    /**
     * The second opinion on money: per usage_date x model, the requests whose input carried the gateway's own
     * computed cost (LiteLLM {@code spend}, Langfuse's total cost: README, "Usage formats"), our cost_usd and the
     * gateway's summed over them, difference_usd = gateway - ours, and requests_differing: those whose two costs
     * differ once both are rounded to the micro-dollar (gateways keep their cost as a binary float, so a
     * smaller difference is their rounding, not a price). Gateways have priced image models wrongly for months
     * (LiteLLM issues #26863 and #31142): a day where they differ is where to look. Requests without a gateway
     * cost are left out. Columns: usage_date (date), model (string), requests (long), cost_usd,
     * gateway_cost_usd, difference_usd (decimal(38,12) USD), requests_differing (long); ordered by date, model.
     *
     * @param requestCosts rows of request_costs
     * @return the comparison rows (none when no request carried a gateway cost)
     */
    public static Dataset<Row> gatewayCosts(Dataset<Row> requestCosts) {
        Column differs = functions.round(col(GATEWAY_COST_USD), 6).notEqual(functions.round(col(COST_USD), 6));
        return requestCosts
                .filter(col(GATEWAY_COST_USD).isNotNull())
                .groupBy(USAGE_DATE, MODEL)
                .agg(
                        count(lit(1)).as(REQUESTS),
                        sum(COST_USD).cast(RequestPricing.USD).as(COST_USD),
                        sum(GATEWAY_COST_USD).cast(RequestPricing.USD).as(GATEWAY_COST_USD),
                        count(when(differs, lit(1))).as(REQUESTS_DIFFERING))
                .withColumn(
                        DIFFERENCE_USD,
                        col(GATEWAY_COST_USD).minus(col(COST_USD)).cast(RequestPricing.USD))
                .select(USAGE_DATE, MODEL, REQUESTS, COST_USD, GATEWAY_COST_USD, DIFFERENCE_USD, REQUESTS_DIFFERING)
                .orderBy(USAGE_DATE, MODEL);
    }
}
