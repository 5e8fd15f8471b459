package io.assetcost.quality;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
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
 * {@code invalid_decision} (not approved / rejected, case and whitespace of any kind ignored);
 * {@code invalid_timestamp} (decided_at not a date and time, {@link Times}); {@code invalid_value}
 * (decided_at outside 2000-2100). Exact duplicates (every field equal) count once. Then against the
 * requests: {@code request_quarantined} (its usage record is in quarantine), {@code unknown_request},
 * {@code image_index_out_of_range} (outside [0, n)), {@code decided_before_request} (decided before the
 * request was created), {@code asset_mismatch} (the record names another asset or workflow than the
 * request's). A decision keeps the request's workflow_id and asset_id.
 */
public final class AcceptanceValidation {

    private static final String INDEX_TEXT = "_index_text";
    private static final String DECISION_TEXT = "_decision_text";
    private static final String DECIDED_TEXT = "_decided_text";
    private static final String[] TEXT_COLUMNS = {INDEX_TEXT, DECISION_TEXT, DECIDED_TEXT};
    private static final String REQ_ID = "_req_id";
    private static final String REQ_N = "_n";
    private static final String REQ_WORKFLOW = "_req_workflow";
    private static final String REQ_ASSET = "_req_asset";
    private static final String HELD_ID = "_held_id";
    private static final String REQ_CREATED = "_req_created";
    /** True for a record that passes the record rules. */
    private static final String VALID = "_valid";

    private AcceptanceValidation() {}

    /**
     * Outcome of validation: one dataset with every record, flagged, and the three views of it.
     *
     * @param flagged every record once: parse_reason / parse_detail set for a rejected record,
     *     {@link #DUPLICATE} true for an exact duplicate beyond the first; raw_record and source_file only on
     *     quarantined records (null on the others: nothing else reads them). Partitioned by request_id. Worth
     *     persisting: the other three are filters of it
     * @param decisions trusted decisions: request_id, image_index (int), workflow_id, asset_id (the
     *     request's), decision (approved/rejected), decided_at (timestamp, UTC), reviewer_id
     * @param quarantined rejected records with parse_reason / parse_detail, raw_record, source_file
     * @param duplicatesDropped exact duplicates beyond the first (their raw_record and source_file null)
     */
    public record Result(
            Dataset<Row> flagged, Dataset<Row> decisions, Dataset<Row> quarantined, Dataset<Row> duplicatesDropped) {}

    /**
     * Validates acceptance records.
     *
     * @param records string rows from {@link io.assetcost.io.CsvSource#read} with the contract's columns
     * @param requests priced requests: request_id, n, workflow_id, asset_id, created_at
     * @param quarantinedRequestIds request_id of every usage record in quarantine
     * @return decisions + quarantined + duplicatesDropped, which together hold every record exactly once
     */
    public static Result validate(Dataset<Row> records, Dataset<Row> requests, Dataset<Row> quarantinedRequestIds) {
        Dataset<Row> checked = Check.apply(typed(records), recordRules())
                .drop(TEXT_COLUMNS)
                .withColumn(VALID, col(PARSE_REASON).isNull());
        // The request rules run before the copies are compared, as if every record were the first of its copies,
        // so that a record's text and file travel on only where it may go to quarantine: the window below then
        // sorts narrow rows. Copies that are the same record (every field equal) break the same request rules,
        // so among copies either all keep their text and file, which order them as received, or none do, and
        // then which of them is kept cannot be seen (the decision kept has the same fields whichever it is).
        Dataset<Row> linked = Check.apply(joinRequests(checked, requests, quarantinedRequestIds), requestRules())
                .drop(REQ_ID, HELD_ID)
                .withColumn(RAW_RECORD, when(col(PARSE_REASON).isNotNull(), col(RAW_RECORD)))
                .withColumn(SOURCE_FILE, when(col(PARSE_REASON).isNotNull(), col(SOURCE_FILE)));
        return views(flagDuplicates(linked));
    }

    /**
     * The three views of a flagged dataset (the one {@link #validate} returns, or a kept copy of it).
     *
     * @param linked every record once, flagged, with the request's columns
     * @return the flagged dataset and its views
     */
    public static Result views(Dataset<Row> linked) {
        Column unique = col(DUPLICATE).unary_$bang();
        String[] helpers = {REQ_N, REQ_WORKFLOW, REQ_ASSET, REQ_CREATED, DUPLICATE};
        Dataset<Row> decisions = linked.filter(col(PARSE_REASON).isNull().and(unique))
                .select(
                        col(REQUEST_ID),
                        col(IMAGE_INDEX),
                        col(REQ_WORKFLOW).as(WORKFLOW_ID),
                        col(REQ_ASSET).as(ASSET_ID),
                        col(DECISION),
                        col(DECIDED_AT),
                        col(REVIEWER_ID));
        return new Result(
                linked,
                decisions,
                linked.filter(col(PARSE_REASON).isNotNull()).drop(helpers),
                linked.filter(col(DUPLICATE)).drop(helpers));
    }

    /** Records typed: ids trimmed (blank = null), image_index, decision and decided_at parsed, text kept. */
    private static Dataset<Row> typed(Dataset<Row> records) {
        return UsageValidation.byRequestId(records.withColumn(REQUEST_ID, Text.clean(col(REQUEST_ID))))
                .withColumn(ASSET_ID, Text.clean(col(ASSET_ID)))
                .withColumn(WORKFLOW_ID, Text.clean(col(WORKFLOW_ID)))
                .withColumn(INDEX_TEXT, col(IMAGE_INDEX))
                .withColumn(IMAGE_INDEX, Text.clean(col(IMAGE_INDEX)).try_cast(DataTypes.IntegerType))
                .withColumn(DECISION_TEXT, col(DECISION))
                .withColumn(DECISION, Text.code(col(DECISION)))
                .withColumn(DECIDED_TEXT, col(DECIDED_AT))
                .withColumn(DECIDED_AT, Times.iso(col(DECIDED_AT)));
    }

    /** The rules of a record on its own, in order of precedence. */
    private static List<Check> recordRules() {
        return List.of(
                missing(col(REQUEST_ID), "request_id"),
                missing(col(INDEX_TEXT), "image_index"),
                new Check(
                        col(IMAGE_INDEX).isNull(),
                        QuarantineReason.MALFORMED_RECORD,
                        concat(lit("image_index '"), col(INDEX_TEXT), lit("' is not a whole number"))),
                missing(col(DECISION_TEXT), "decision"),
                new Check(
                        col(DECISION).isin(APPROVED, REJECTED).unary_$bang(),
                        QuarantineReason.INVALID_DECISION,
                        concat(lit("decision '"), col(DECISION_TEXT), lit("' is neither approved nor rejected"))),
                missing(col(DECIDED_TEXT), "decided_at"),
                new Check(
                        col(DECIDED_AT).isNull(),
                        QuarantineReason.INVALID_TIMESTAMP,
                        concat(lit("decided_at '"), col(DECIDED_TEXT), lit("' is not " + Times.ISO_EXAMPLE))),
                new Check(
                        Times.outOfRange(col(DECIDED_AT)),
                        QuarantineReason.INVALID_VALUE,
                        concat(lit("decided_at '"), col(DECIDED_TEXT), lit("' is outside 2000-2100"))));
    }

    /**
     * Exact duplicates: records that pass the record rules and are equal in every field; the first by source file
     * and text is kept, and a duplicate beyond it loses the request rule it broke (duplicates are counted, not
     * checked), its text and its file.
     */
    private static Dataset<Row> flagDuplicates(Dataset<Row> linked) {
        Column[] fields = {
            col(REQUEST_ID),
            col(IMAGE_INDEX),
            col(ASSET_ID),
            col(WORKFLOW_ID),
            col(DECISION),
            col(DECIDED_AT),
            col(REVIEWER_ID),
            col(REVIEW_REASON),
            col(VALID)
        };
        Column rank = row_number().over(Window.partitionBy(fields).orderBy(col(SOURCE_FILE), col(RAW_RECORD)));
        Column duplicate = col(DUPLICATE);
        return linked.withColumn(DUPLICATE, col(VALID).and(rank.gt(1)))
                .withColumn(PARSE_REASON, when(duplicate.unary_$bang(), col(PARSE_REASON)))
                .withColumn(PARSE_DETAIL, when(duplicate.unary_$bang(), col(PARSE_DETAIL)))
                .withColumn(RAW_RECORD, when(duplicate.unary_$bang(), col(RAW_RECORD)))
                .withColumn(SOURCE_FILE, when(duplicate.unary_$bang(), col(SOURCE_FILE)))
                .drop(VALID);
    }

    /** Each record with its request's n, workflow and asset, and whether its request is held in quarantine. */
    private static Dataset<Row> joinRequests(Dataset<Row> checked, Dataset<Row> requests, Dataset<Row> heldIds) {
        Dataset<Row> req = requests.select(
                col(REQUEST_ID).as(REQ_ID),
                col(N).as(REQ_N),
                col(WORKFLOW_ID).as(REQ_WORKFLOW),
                col(ASSET_ID).as(REQ_ASSET),
                col(CREATED_AT).as(REQ_CREATED));
        Dataset<Row> held = heldIds.select(col(REQUEST_ID).as(HELD_ID)).distinct();
        // Both sides are partitioned by request_id already: hashing the requests (one row each) joins them
        // without sorting the priced usage, which is the larger side and nothing else needs sorted.
        return checked.join(req.hint("shuffle_hash"), checked.col(REQUEST_ID).equalTo(req.col(REQ_ID)), "left")
                .join(held.hint("shuffle_hash"), checked.col(REQUEST_ID).equalTo(held.col(HELD_ID)), "left");
    }

    /**
     * The rules of a record against its request, for a record that passes the record rules (a duplicate loses the
     * one it broke, {@link #flagDuplicates}). A request with a usage record in quarantine holds its decisions
     * whether or not it is also among the priced requests: usage validation never prices a request beside a copy in
     * quarantine, and this rule does not lean on that.
     */
    private static List<Check> requestRules() {
        return List.of(
                new Check(
                        col(HELD_ID).isNotNull(),
                        QuarantineReason.REQUEST_QUARANTINED,
                        concat(lit("request "), col(REQUEST_ID), lit(" is in quarantine (see its usage record)"))),
                new Check(
                        col(REQ_ID).isNull(),
                        QuarantineReason.UNKNOWN_REQUEST,
                        concat(lit("no usage record for request "), col(REQUEST_ID))),
                new Check(
                        col(IMAGE_INDEX).lt(0).or(col(IMAGE_INDEX).geq(col(REQ_N))),
                        QuarantineReason.IMAGE_INDEX_OUT_OF_RANGE,
                        concat(
                                lit("image_index "),
                                col(IMAGE_INDEX).cast("string"),
                                lit(" is outside [0, "),
                                col(REQ_N).cast("string"),
                                lit(") of request "),
                                col(REQUEST_ID))),
                new Check(
                        col(DECIDED_AT).lt(col(REQ_CREATED)),
                        QuarantineReason.DECIDED_BEFORE_REQUEST,
                        concat(
                                lit("decided_at "),
                                col(DECIDED_AT).cast("string"),
                                lit(" is before request "),
                                col(REQUEST_ID),
                                lit(" was created at "),
                                col(REQ_CREATED).cast("string"))),
                new Check(
                        col(ASSET_ID).isNotNull().and(col(ASSET_ID).notEqual(col(REQ_ASSET))),
                        QuarantineReason.ASSET_MISMATCH,
                        concat(
                                lit("asset_id "),
                                col(ASSET_ID),
                                lit(" differs from the request's asset "),
                                col(REQ_ASSET))),
                new Check(
                        col(WORKFLOW_ID).isNotNull().and(col(WORKFLOW_ID).notEqual(col(REQ_WORKFLOW))),
                        QuarantineReason.ASSET_MISMATCH,
                        concat(
                                lit("workflow_id "),
                                col(WORKFLOW_ID),
                                lit(" differs from the request's workflow "),
                                col(REQ_WORKFLOW))));
    }

    private static Check missing(Column c, String field) {
        return new Check(c.isNull(), QuarantineReason.MISSING_FIELD, lit(field + " is missing or empty"));
    }
}
