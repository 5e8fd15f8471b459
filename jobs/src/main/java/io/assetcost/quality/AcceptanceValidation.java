package io.assetcost.quality;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Types and validates acceptance records (README, "Inputs") and ties each to a priced request.
 *
 * <p>Record rules, first broken wins: a reader's parse reason; {@code missing_field} (request_id,
 * image_index, decision, decided_at); {@code malformed_record} (image_index not a whole number);
 * {@code invalid_decision} (not approved / rejected, case and spaces ignored); {@code invalid_timestamp}
 * (decided_at not ISO-8601). Exact duplicates (every field equal) count once. Then against the requests:
 * {@code request_quarantined} (its usage record is in quarantine), {@code unknown_request},
 * {@code image_index_out_of_range} (outside [0, n)), {@code asset_mismatch} (the record names another
 * asset or workflow than the request's). A decision keeps the request's workflow_id and asset_id.
 */
public final class AcceptanceValidation {

    private AcceptanceValidation() {}

    /**
     * Outcome of validation: one dataset with every record, flagged, and the three views of it.
     *
     * @param flagged every record once: parse_reason / parse_detail set for a rejected record,
     *     {@link #DUPLICATE} true for an exact duplicate beyond the first; raw_record only on quarantined
     *     records (null on the others: nothing else reads it). Partitioned by request_id. Worth persisting:
     *     the other three are filters of it
     * @param decisions trusted decisions: request_id, image_index (int), workflow_id, asset_id (the
     *     request's), decision (approved/rejected), decided_at (timestamp, UTC), reviewer_id
     * @param quarantined rejected records with parse_reason / parse_detail, raw_record, source_file
     * @param duplicatesDropped exact duplicates beyond the first
     */
    public record Result(
            Dataset<Row> flagged, Dataset<Row> decisions, Dataset<Row> quarantined, Dataset<Row> duplicatesDropped) {}

    /**
     * Validates acceptance records.
     *
     * @param records string rows from {@link io.assetcost.io.CsvSource#read} with the contract's columns
     * @param requests priced requests: request_id, n, workflow_id, asset_id
     * @param quarantinedRequestIds request_id of every usage record in quarantine
     * @return decisions + quarantined + duplicatesDropped, which together hold every record exactly once
     */
    public static Result validate(Dataset<Row> records, Dataset<Row> requests, Dataset<Row> quarantinedRequestIds) {
        Dataset<Row> typed = UsageValidation.byRequestId(
                        records.withColumn(REQUEST_ID, nullif(trim(col(REQUEST_ID)), lit(""))))
                .withColumn(ASSET_ID, nullif(trim(col(ASSET_ID)), lit("")))
                .withColumn(WORKFLOW_ID, nullif(trim(col(WORKFLOW_ID)), lit("")))
                .withColumn("_index_text", col(IMAGE_INDEX))
                .withColumn(IMAGE_INDEX, col(IMAGE_INDEX).try_cast(DataTypes.IntegerType))
                .withColumn("_decision_text", col(DECISION))
                .withColumn(DECISION, lower(trim(col(DECISION))))
                .withColumn("_decided_text", col(DECIDED_AT))
                .withColumn(DECIDED_AT, col(DECIDED_AT).try_cast(DataTypes.TimestampType));
        Dataset<Row> checked = Check.apply(
                        typed,
                        List.of(
                                missing(col(REQUEST_ID), "request_id"),
                                missing(col("_index_text"), "image_index"),
                                new Check(
                                        col(IMAGE_INDEX).isNull(),
                                        QuarantineReason.MALFORMED_RECORD,
                                        concat(
                                                lit("image_index '"),
                                                col("_index_text"),
                                                lit("' is not a whole number"))),
                                missing(col("_decision_text"), "decision"),
                                new Check(
                                        col(DECISION).isin(APPROVED, REJECTED).unary_$bang(),
                                        QuarantineReason.INVALID_DECISION,
                                        concat(
                                                lit("decision '"),
                                                col("_decision_text"),
                                                lit("' is neither approved nor rejected"))),
                                missing(col("_decided_text"), "decided_at"),
                                new Check(
                                        col(DECIDED_AT).isNull(),
                                        QuarantineReason.INVALID_TIMESTAMP,
                                        concat(
                                                lit("decided_at '"),
                                                col("_decided_text"),
                                                lit(
                                                        "' is not an ISO-8601 time such as 2026-11-03T10:15:00Z or ...+01:00")))))
                .drop("_index_text", "_decision_text", "_decided_text");

        // Exact duplicates: valid records equal in every field; the first by source file and text is kept.
        Column valid = col(PARSE_REASON).isNull();
        Dataset<Row> ranked = checked.withColumn("_valid", valid)
                .withColumn(
                        DUPLICATE,
                        valid.and(row_number()
                                .over(Window.partitionBy(
                                                col(REQUEST_ID),
                                                col(IMAGE_INDEX),
                                                col(ASSET_ID),
                                                col(WORKFLOW_ID),
                                                col(DECISION),
                                                col(DECIDED_AT),
                                                col(REVIEWER_ID),
                                                col(REVIEW_REASON),
                                                col("_valid"))
                                        .orderBy(col(SOURCE_FILE), col(RAW_RECORD)))
                                .gt(1)))
                .drop("_valid");

        Dataset<Row> req = requests.select(
                col(REQUEST_ID).as("_req_id"),
                col(N).as("_n"),
                col(WORKFLOW_ID).as("_req_workflow"),
                col(ASSET_ID).as("_req_asset"));
        Dataset<Row> held =
                quarantinedRequestIds.select(col(REQUEST_ID).as("_held_id")).distinct();
        Dataset<Row> joined = ranked.join(req, ranked.col(REQUEST_ID).equalTo(req.col("_req_id")), "left")
                .join(held, ranked.col(REQUEST_ID).equalTo(held.col("_held_id")), "left");
        // Duplicates are dropped, not checked against the requests.
        Column unique = col(DUPLICATE).unary_$bang();
        Dataset<Row> linked = Check.apply(
                        joined,
                        List.of(
                                new Check(
                                        unique.and(col("_req_id").isNull())
                                                .and(col("_held_id").isNotNull()),
                                        QuarantineReason.REQUEST_QUARANTINED,
                                        concat(
                                                lit("request "),
                                                col(REQUEST_ID),
                                                lit(" is in quarantine (see its usage record)"))),
                                new Check(
                                        unique.and(col("_req_id").isNull()),
                                        QuarantineReason.UNKNOWN_REQUEST,
                                        concat(lit("no usage record for request "), col(REQUEST_ID))),
                                new Check(
                                        unique.and(col(IMAGE_INDEX)
                                                .lt(0)
                                                .or(col(IMAGE_INDEX).geq(col("_n")))),
                                        QuarantineReason.IMAGE_INDEX_OUT_OF_RANGE,
                                        concat(
                                                lit("image_index "),
                                                col(IMAGE_INDEX).cast("string"),
                                                lit(" is outside [0, "),
                                                col("_n").cast("string"),
                                                lit(") of request "),
                                                col(REQUEST_ID))),
                                new Check(
                                        unique.and(col(ASSET_ID).isNotNull())
                                                .and(col(ASSET_ID).notEqual(col("_req_asset"))),
                                        QuarantineReason.ASSET_MISMATCH,
                                        concat(
                                                lit("asset_id "),
                                                col(ASSET_ID),
                                                lit(" differs from the request's asset "),
                                                col("_req_asset"))),
                                new Check(
                                        unique.and(col(WORKFLOW_ID).isNotNull())
                                                .and(col(WORKFLOW_ID).notEqual(col("_req_workflow"))),
                                        QuarantineReason.ASSET_MISMATCH,
                                        concat(
                                                lit("workflow_id "),
                                                col(WORKFLOW_ID),
                                                lit(" differs from the request's workflow "),
                                                col("_req_workflow")))))
                .drop("_req_id", "_held_id")
                // The raw text is kept only where the record goes to quarantine: nothing else reads it.
                .withColumn(RAW_RECORD, when(col(PARSE_REASON).isNotNull(), col(RAW_RECORD)));
        String[] helpers = {"_n", "_req_workflow", "_req_asset", DUPLICATE};
        Dataset<Row> decisions = linked.filter(col(PARSE_REASON).isNull().and(unique))
                .select(
                        col(REQUEST_ID),
                        col(IMAGE_INDEX),
                        col("_req_workflow").as(WORKFLOW_ID),
                        col("_req_asset").as(ASSET_ID),
                        col(DECISION),
                        col(DECIDED_AT),
                        col(REVIEWER_ID));
        return new Result(
                linked,
                decisions,
                linked.filter(col(PARSE_REASON).isNotNull()).drop(helpers),
                linked.filter(col(DUPLICATE)).drop(helpers));
    }

    private static Check missing(Column c, String field) {
        return new Check(c.isNull(), QuarantineReason.MISSING_FIELD, lit(field + " is missing or empty"));
    }
}
