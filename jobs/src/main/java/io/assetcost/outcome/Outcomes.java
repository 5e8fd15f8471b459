package io.assetcost.outcome;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.assetcost.schema.OutputTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Review outcomes of images, assets and requests, by the rules of README, "Outcomes".
 *
 * <p>The image rule (the decision in force is the latest; a tie that disagrees is rejected) is computed in an
 * equivalent form that needs one aggregate per image and no sort: an image stands approved exactly when some
 * approval comes strictly after its last rejection, and it has stood approved since the earliest such approval
 * ({@code approved_since}).
 */
public final class Outcomes {

    /** Internal column: the asset's status on request rows (the request has its own status). */
    public static final String ASSET_STATUS = "asset_status";
    /** Column: the request's place among its asset's attempts, 1 = first by created_at (ties: request_id). */
    public static final String ATTEMPT_NUMBER = "attempt_number";
    /** Internal column: the request produced the asset's winning image. */
    public static final String IS_WINNING = "is_winning";
    /** Image column: earliest time since which the image stands approved (timestamp; null if not). */
    public static final String APPROVED_SINCE = "approved_since";

    /** Waste reason: the request's status is not succeeded. */
    public static final String FAILED_REQUEST = "failed_request";
    /** Waste reason: a succeeded request of an approved asset that did not produce the winning image. */
    public static final String SUPERSEDED_ATTEMPT = "superseded_attempt";
    /** Waste reason: a succeeded request of a rejected asset. */
    public static final String ABANDONED_ASSET = "abandoned_asset";

    private Outcomes() {}

    /**
     * One row per reviewed image.
     *
     * @param decisions trusted decisions: workflow_id, asset_id, request_id, image_index, decision,
     *     decided_at
     * @return workflow_id, asset_id, request_id, image_index, approved_since (timestamp, null unless the
     *     decision in force is approved)
     */
    public static Dataset<Row> imageOutcomes(Dataset<Row> decisions) {
        WindowSpec image = Window.partitionBy(REQUEST_ID, IMAGE_INDEX);
        Column lastRejected =
                max(when(col(DECISION).equalTo(REJECTED), col(DECIDED_AT))).over(image);
        Column standsAfter = col(DECISION)
                .equalTo(APPROVED)
                .and(col("_last_rejected").isNull().or(col(DECIDED_AT).gt(col("_last_rejected"))));
        return decisions
                .withColumn("_last_rejected", lastRejected)
                .groupBy(WORKFLOW_ID, ASSET_ID, REQUEST_ID, IMAGE_INDEX)
                .agg(min(when(standsAfter, col(DECIDED_AT))).as(APPROVED_SINCE));
    }

    /**
     * One row per asset with at least one reviewed image.
     *
     * @param images rows of {@link #imageOutcomes}
     * @return workflow_id, asset_id, asset_status (approved/rejected), approved_at, winning_request_id,
     *     images_reviewed, images_approved (long)
     */
    public static Dataset<Row> assetDecisions(Dataset<Row> images) {
        Column approved = col(APPROVED_SINCE).isNotNull();
        return images.groupBy(WORKFLOW_ID, ASSET_ID)
                .agg(
                        count(lit(1)).as(IMAGES_REVIEWED),
                        count(when(approved, lit(1))).as(IMAGES_APPROVED),
                        min(col(APPROVED_SINCE)).as(APPROVED_AT),
                        min(when(approved, struct(col(APPROVED_SINCE), col(REQUEST_ID))))
                                .as("_winner"))
                .withColumn(
                        ASSET_STATUS,
                        when(col(IMAGES_APPROVED).gt(0), lit(APPROVED)).otherwise(lit(REJECTED)))
                .withColumn(WINNING_REQUEST_ID, col("_winner." + REQUEST_ID))
                .drop("_winner");
    }

    /**
     * Request costs with the outcome of their asset: first_request_at and cohort_date (UTC date of the
     * asset's first request), attempt_number (1 = the asset's first request by created_at, ties by
     * request_id), asset_status (approved/rejected/pending), approved_at, winning_request_id,
     * images_reviewed, images_approved, is_winning, and waste_reason (README, "Outcomes"; null for the
     * winning request and for pending assets).
     *
     * @param requestCosts priced requests (request_costs columns)
     * @param assetDecisions rows of {@link #assetDecisions}, one per asset
     * @return one row per request, as many as requestCosts has
     */
    public static Dataset<Row> requestOutcomes(Dataset<Row> requestCosts, Dataset<Row> assetDecisions) {
        // Both window functions share partitioning and order: one Window operator over one sort, the only sort
        // of the request rows. The join hashes the asset decisions (one row per asset) rather than sorting both
        // sides, so its exchange by asset is the request rows' only shuffle.
        WindowSpec attempts = Window.partitionBy(WORKFLOW_ID, ASSET_ID).orderBy(col(CREATED_AT), col(REQUEST_ID));
        WindowSpec asset = attempts.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column resolved = col(ASSET_STATUS).notEqual(PENDING);
        return requestCosts
                .join(assetDecisions.hint("shuffle_hash"), new String[] {WORKFLOW_ID, ASSET_ID}, "left")
                .select(
                        col("*"),
                        min(col(CREATED_AT)).over(asset).as(FIRST_REQUEST_AT),
                        row_number().over(attempts).as(ATTEMPT_NUMBER))
                .withColumn(COHORT_DATE, to_date(col(FIRST_REQUEST_AT)))
                .withColumn(ASSET_STATUS, coalesce(col(ASSET_STATUS), lit(PENDING)))
                .withColumn(IMAGES_REVIEWED, coalesce(col(IMAGES_REVIEWED), lit(0L)))
                .withColumn(IMAGES_APPROVED, coalesce(col(IMAGES_APPROVED), lit(0L)))
                .withColumn(IS_WINNING, coalesce(col(REQUEST_ID).equalTo(col(WINNING_REQUEST_ID)), lit(false)))
                .withColumn(
                        WASTE_REASON,
                        when(
                                resolved.and(col(IS_WINNING).unary_$bang()),
                                when(col(STATUS).notEqual(SUCCEEDED), lit(FAILED_REQUEST))
                                        .when(col(ASSET_STATUS).equalTo(APPROVED), lit(SUPERSEDED_ATTEMPT))
                                        .otherwise(lit(ABANDONED_ASSET))));
    }

    /**
     * {@code request_outcomes}: one row per request of the reported assets, with its project (request_costs'
     * {@code project_id}, null where the usage record names none, so a join to billing by project sees the same
     * nulls as request_costs), its lane (model, quality, size, endpoint, service tier), its attempt number
     * within its asset (1 = first by created, ties by request_id), its asset's status, whether it won, and its
     * waste reason.
     *
     * @param requestOutcomes rows of {@link #requestOutcomes} with the lane columns
     * @return rows of contract request_outcomes
     */
    public static Dataset<Row> requestOutcomesTable(Dataset<Row> requestOutcomes) {
        return OutputTable.REQUEST_OUTCOMES.conform(requestOutcomes.withColumn(IS_WINNING_REQUEST, col(IS_WINNING)));
    }
}
