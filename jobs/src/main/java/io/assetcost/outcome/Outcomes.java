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
import static org.apache.spark.sql.functions.sum;
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
 * equivalent form that needs no order among an image's decisions: an image stands approved exactly when some
 * approval comes strictly after its last rejection, and it has stood approved since the earliest such approval
 * ({@code approved_since}).
 *
 * <p>The plan (docs/DESIGN.md, "The plan of a night"): images, then requests, are aggregated where the decisions
 * are partitioned, by request_id ({@link #imageOutcomes}, {@link #requestDecisions}); each request row meets its
 * own review by request_id ({@link #reviewed}); the request rows then cross one shuffle, by asset, and one sort,
 * and one Window operator gives every figure of the asset ({@link #requestOutcomes}).
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

    /** Internal column of {@link #requestDecisions}: images of the request reviewed (long). */
    public static final String REQUEST_REVIEWED = "_request_reviewed";
    /** Internal column of {@link #requestDecisions}: images of the request that stand approved (long). */
    public static final String REQUEST_APPROVED = "_request_approved";
    /** Internal column of {@link #requestDecisions}: the earliest approved_since of the request's images. */
    public static final String REQUEST_APPROVED_SINCE = "_request_approved_since";

    /** Internal column: the asset's earliest approval and its request_id, as a struct. */
    private static final String WINNER = "_winner";

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
     * One row per reviewed request: its images' outcomes summed. An aggregate per request_id, so over
     * decisions partitioned by request_id (as the cost job keeps them) it shuffles nothing, and every buffer is
     * fixed-width, so Spark hashes it (an aggregate of a string or struct, such as the winning request_id, would
     * be a sort-based aggregate: two sorts of every image row). The asset's figures and its winner come from
     * these in {@link #requestOutcomes}, in the window that numbers the attempts.
     *
     * @param images rows of {@link #imageOutcomes}
     * @return request_id, {@link #REQUEST_REVIEWED} and {@link #REQUEST_APPROVED} (images, long),
     *     {@link #REQUEST_APPROVED_SINCE} (timestamp: the earliest approved_since of its images, null if none
     *     stands approved)
     */
    public static Dataset<Row> requestDecisions(Dataset<Row> images) {
        Column approved = col(APPROVED_SINCE).isNotNull();
        return images.groupBy(REQUEST_ID)
                .agg(
                        count(lit(1)).as(REQUEST_REVIEWED),
                        count(when(approved, lit(1))).as(REQUEST_APPROVED),
                        min(col(APPROVED_SINCE)).as(REQUEST_APPROVED_SINCE));
    }

    /**
     * Request costs with their own review ({@link #requestDecisions}; null on a request nobody reviewed), joined
     * by request_id. The cost job's request rows and decisions are both partitioned by request_id, so the join
     * shuffles neither; the decisions, one row per request, are hashed rather than both sides sorted.
     *
     * @param requestCosts priced requests (request_costs columns)
     * @param requestDecisions rows of {@link #requestDecisions}
     * @return requestCosts' rows, one each, with the three review columns
     */
    public static Dataset<Row> reviewed(Dataset<Row> requestCosts, Dataset<Row> requestDecisions) {
        return requestCosts.join(requestDecisions.hint("shuffle_hash"), new String[] {REQUEST_ID}, "left");
    }

    /**
     * {@link #requestOutcomes} of request costs and trusted decisions, in one call.
     *
     * @param requestCosts priced requests (request_costs columns)
     * @param decisions trusted decisions: workflow_id, asset_id, request_id, image_index, decision, decided_at
     * @return one row per request, as many as requestCosts has
     */
    public static Dataset<Row> requestOutcomes(Dataset<Row> requestCosts, Dataset<Row> decisions) {
        return requestOutcomes(reviewed(requestCosts, requestDecisions(imageOutcomes(decisions))));
    }

    /**
     * Request costs with the outcome of their asset: first_request_at and cohort_date (UTC date of the
     * asset's first request), attempt_number (1 = the asset's first request by created_at, ties by
     * request_id), images_reviewed and images_approved (long, summed over the asset's requests), approved_at
     * (the earliest time since which one of its images stands approved), winning_request_id (the request of
     * that image; a tie goes to the least request_id), asset_status (approved: some image stands approved;
     * rejected: images reviewed, none approved; pending: none reviewed), is_winning, and waste_reason (README,
     * "Outcomes"; null for the winning request and for pending assets).
     *
     * <p>Every figure of the asset comes from one Window operator over one sort of the request rows, by asset
     * and attempt order: the only shuffle of the request rows (by asset) and their only sort.
     *
     * @param reviewed rows of {@link #reviewed}
     * @return one row per request, without the review columns of {@link #reviewed}
     */
    public static Dataset<Row> requestOutcomes(Dataset<Row> reviewed) {
        // All window functions share partitioning and order and sit in one select: one Window operator, one sort.
        WindowSpec attempts = Window.partitionBy(WORKFLOW_ID, ASSET_ID).orderBy(col(CREATED_AT), col(REQUEST_ID));
        WindowSpec asset = attempts.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column approvedSince = col(REQUEST_APPROVED_SINCE);
        Column resolved = col(ASSET_STATUS).notEqual(PENDING);
        return reviewed.select(
                        col("*"),
                        min(col(CREATED_AT)).over(asset).as(FIRST_REQUEST_AT),
                        row_number().over(attempts).as(ATTEMPT_NUMBER),
                        sum(col(REQUEST_REVIEWED)).over(asset).as(IMAGES_REVIEWED),
                        sum(col(REQUEST_APPROVED)).over(asset).as(IMAGES_APPROVED),
                        min(approvedSince).over(asset).as(APPROVED_AT),
                        min(when(approvedSince.isNotNull(), struct(approvedSince, col(REQUEST_ID))))
                                .over(asset)
                                .as(WINNER))
                .withColumn(COHORT_DATE, to_date(col(FIRST_REQUEST_AT)))
                .withColumn(IMAGES_REVIEWED, coalesce(col(IMAGES_REVIEWED), lit(0L)))
                .withColumn(IMAGES_APPROVED, coalesce(col(IMAGES_APPROVED), lit(0L)))
                .withColumn(
                        ASSET_STATUS,
                        when(col(IMAGES_APPROVED).gt(0), lit(APPROVED))
                                .when(col(IMAGES_REVIEWED).gt(0), lit(REJECTED))
                                .otherwise(lit(PENDING)))
                .withColumn(WINNING_REQUEST_ID, col(WINNER + "." + REQUEST_ID))
                .withColumn(IS_WINNING, coalesce(col(REQUEST_ID).equalTo(col(WINNING_REQUEST_ID)), lit(false)))
                .withColumn(
                        WASTE_REASON,
                        when(
                                resolved.and(col(IS_WINNING).unary_$bang()),
                                when(col(STATUS).notEqual(SUCCEEDED), lit(FAILED_REQUEST))
                                        .when(col(ASSET_STATUS).equalTo(APPROVED), lit(SUPERSEDED_ATTEMPT))
                                        .otherwise(lit(ABANDONED_ASSET))))
                .drop(WINNER, REQUEST_REVIEWED, REQUEST_APPROVED, REQUEST_APPROVED_SINCE);
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
