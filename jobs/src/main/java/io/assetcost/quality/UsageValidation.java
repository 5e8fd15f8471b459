package io.assetcost.quality;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.Meter;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Splits canonical usage into records to price, records to quarantine and exact duplicates to drop.
 *
 * <p>Record rules, first broken wins: a reader's parse reason; {@code missing_field} (request_id,
 * created, workflow_id, model, status, n); {@code invalid_value} (n below 1, created outside 2000-2100);
 * {@code negative_tokens}; {@code cached_exceeds_total} (cached tokens are a subset of their input and can
 * never exceed it). Then among valid records of one request_id: all equal in every canonical field, one is
 * kept (the one from the first source file) and the rest are counted as exact duplicates; any difference
 * sends every one of them to quarantine as {@code conflicting_duplicate}, since no one of them can be
 * trusted over the others.
 */
public final class UsageValidation {

    /**
     * The canonical fields that identify a record's content: every field of the canonical usage contract
     * but the lineage columns.
     */
    public static final List<String> CONTENT = Schemas.fieldNames(Schemas.CANONICAL_USAGE).stream()
            .filter(c -> !LINEAGE.contains(c))
            .toList();

    private UsageValidation() {}

    /**
     * Outcome of validation: one dataset with every input row, flagged, and the three views of it.
     *
     * @param flagged every input row once: canonical columns, parse_reason / parse_detail set for a rejected
     *     record, {@link #DUPLICATE} true for an exact duplicate beyond the first. Worth persisting: the
     *     other three are filters of it
     * @param accepted one row per trusted request: canonical columns, asset_id filled with request_id where
     *     absent
     * @param quarantined rejected records with parse_reason / parse_detail set (canonical columns kept)
     * @param duplicatesDropped exact duplicates beyond the first (counted, never priced)
     */
    public record Result(
            Dataset<Row> flagged, Dataset<Row> accepted, Dataset<Row> quarantined, Dataset<Row> duplicatesDropped) {}

    /**
     * Validates canonical usage. One window over request_id (one shuffle) finds the copies of each request;
     * their content is compared as a struct of the canonical fields (exact, no text rendering). Of identical
     * copies the one from the first source file (then the smallest raw record) is kept.
     *
     * @param canonical rows from {@link io.assetcost.io.UsageReader}
     * @return accepted + quarantined + duplicatesDropped, which together hold every input row exactly once
     */
    public static Result validate(Dataset<Row> canonical) {
        Dataset<Row> checked = Check.apply(canonical, rules())
                .withColumn("_valid", col(PARSE_REASON).isNull());
        List<Column> content = new ArrayList<>();
        for (String c : CONTENT) {
            content.add(col(c));
        }
        Column record = struct(content.toArray(new Column[0]));
        // Valid and invalid rows of one request_id are separate groups: only valid copies are compared.
        // One partitioning and one order for all three window functions, so that they share one sort; the
        // aggregates still see every copy (a whole-partition frame).
        WindowSpec ordered =
                Window.partitionBy(col(REQUEST_ID), col("_valid")).orderBy(col(SOURCE_FILE), col(RAW_RECORD));
        WindowSpec copies = ordered.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column conflict = col("_valid")
                .and(min(record)
                        .over(copies)
                        .eqNullSafe(max(record).over(copies))
                        .unary_$bang());
        Dataset<Row> flagged = checked.withColumn("_copies", count(lit(1)).over(copies))
                .withColumn("_conflict", conflict)
                .withColumn(
                        DUPLICATE,
                        col("_valid")
                                .and(col("_conflict").unary_$bang())
                                .and(row_number().over(ordered).gt(1)))
                .withColumn(
                        PARSE_DETAIL,
                        when(
                                        col("_conflict"),
                                        concat(
                                                lit("request_id "),
                                                col(REQUEST_ID),
                                                lit(" has "),
                                                col("_copies").cast("string"),
                                                lit(" records that differ; none is priced")))
                                .otherwise(col(PARSE_DETAIL)))
                .withColumn(
                        PARSE_REASON,
                        when(col("_conflict"), lit(QuarantineReason.CONFLICTING_DUPLICATE.code()))
                                .otherwise(col(PARSE_REASON)))
                .drop("_valid", "_copies", "_conflict");
        return views(flagged);
    }

    /**
     * The three views of a flagged dataset: of {@link Result#flagged} itself, or of a dataset derived from
     * it row for row (more columns, the same flags), such as the one the cost job prices and keeps on disk,
     * so that the views read what was kept.
     *
     * @param flagged rows with parse_reason, parse_detail and {@link #DUPLICATE}
     * @return the result whose flagged dataset is {@code flagged}
     */
    public static Result views(Dataset<Row> flagged) {
        Dataset<Row> accepted = flagged.filter(trusted())
                .withColumn(ASSET_ID, coalesce(col(ASSET_ID), col(REQUEST_ID)))
                .drop(PARSE_REASON, PARSE_DETAIL, DUPLICATE);
        return new Result(
                flagged,
                accepted,
                flagged.filter(col(PARSE_REASON).isNotNull()).drop(DUPLICATE),
                flagged.filter(col(DUPLICATE)).drop(DUPLICATE));
    }

    /** True for a row of {@link Result#flagged} that is priced: no parse reason, not a duplicate. */
    public static Column trusted() {
        return col(PARSE_REASON).isNull().and(col(DUPLICATE).unary_$bang());
    }

    /**
     * Hash-partitions rows by request_id into {@code spark.sql.shuffle.partitions} partitions (a fixed
     * number, so adaptive execution keeps it). Usage and acceptance records both pass through it once, right
     * after they are read: then the usage window, the acceptance window, the join of decisions to their
     * requests and the per-image aggregate all find their input partitioned already and shuffle nothing
     * more (README, "Performance").
     *
     * @param df rows with a request_id column
     * @return the same rows, partitioned by request_id
     */
    public static Dataset<Row> byRequestId(Dataset<Row> df) {
        int partitions = df.sparkSession().sessionState().conf().numShufflePartitions();
        return df.repartition(partitions, col(REQUEST_ID));
    }

    /** The record rules in order of precedence. */
    static List<Check> rules() {
        List<Check> rules = new ArrayList<>();
        rules.add(missing(REQUEST_ID, "request_id"));
        rules.add(missing(CREATED_AT, "created"));
        rules.add(missing(WORKFLOW_ID, "workflow_id"));
        rules.add(missing(MODEL, "model"));
        rules.add(missing(STATUS, "status"));
        rules.add(missing(N, "n"));
        rules.add(new Check(
                col(N).lt(1),
                QuarantineReason.INVALID_VALUE,
                concat(lit("n is "), col(N).cast("string"), lit("; a request asks for at least 1 image"))));
        rules.add(new Check(
                col(CREATED_AT)
                        .lt(lit("2000-01-01T00:00:00Z").cast("timestamp"))
                        .or(col(CREATED_AT).geq(lit("2100-01-01T00:00:00Z").cast("timestamp"))),
                QuarantineReason.INVALID_VALUE,
                concat(
                        lit("created "),
                        col(CREATED_AT).cast("string"),
                        lit(" is outside 2000-2100; is it in milliseconds?"))));
        List<Column> negatives = new ArrayList<>();
        Column anyNegative = lit(false);
        for (Meter m : Meter.values()) {
            String t = m.canonicalColumn();
            negatives.add(when(col(t).lt(0), concat(lit(t + " = "), col(t).cast("string"))));
            anyNegative = anyNegative.or(col(t).lt(0));
        }
        rules.add(new Check(
                anyNegative,
                QuarantineReason.NEGATIVE_TOKENS,
                concat(lit("negative token count: "), concat_ws(", ", negatives.toArray(new Column[0])))));
        for (Meter cached : Meter.cached()) {
            Column part = col(cached.canonicalColumn());
            Column whole = col(cached.uncached().canonicalColumn());
            rules.add(new Check(
                    part.gt(whole),
                    QuarantineReason.CACHED_EXCEEDS_TOTAL,
                    concat(
                            lit(cached.sourceField() + " "),
                            part.cast("string"),
                            lit(" exceeds the " + cached.uncached().label() + " tokens "),
                            whole.cast("string"),
                            lit(" they are part of"))));
        }
        return rules;
    }

    private static Check missing(String column, String field) {
        return new Check(col(column).isNull(), QuarantineReason.MISSING_FIELD, lit(field + " is missing or empty"));
    }
}
