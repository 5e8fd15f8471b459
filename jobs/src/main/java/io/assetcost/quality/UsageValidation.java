package io.assetcost.quality;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.Meter;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

/**
 * Splits canonical usage into records to price, records to quarantine, exact duplicates to drop and blank
 * lines to skip (README, "Quarantine reasons").
 *
 * <p>Record rules, first broken wins: a reader's parse reason; {@code missing_field} (request_id,
 * created, workflow_id, model, status, n); {@code invalid_value} (n below 1, created outside 2000-2100);
 * {@code negative_tokens}; {@code implausible_value} (n or a meter's tokens beyond its {@link Bounds});
 * {@code cached_exceeds_total} (cached tokens are a subset of their input and can never exceed it).
 *
 * <p>Then the copies: every record of one request_id, valid or not (a record without a request_id is a copy of
 * nothing). They are the same record when they agree in every canonical field and, within one format, as
 * received (every field: a log line's or CSV record's {@code record_text}, a Parquet row's
 * {@code export_row}; copies in different formats, a log line and an export row of one request, can only be
 * compared by canonical field, since their fields differ by design), and when none or all of them break a
 * record rule. Then:
 *
 * <ul>
 *   <li>copies that are all the same record and valid count once: the first by format and source file is
 *       priced (copies of one file that are the same record have the same text), the rest are exact
 *       duplicates;
 *   <li>copies that are all the same record and all break a rule are each quarantined with their reason;
 *   <li>copies that are not all the same record are all quarantined, since no one of them can be trusted over
 *       the others: a copy that breaks a rule keeps its reason and detail, every valid copy becomes
 *       {@code conflicting_duplicate}, whose detail gives the number of copies and the rules its siblings
 *       broke. No copy is an exact duplicate then, even two that agree: each record is counted once, as
 *       quarantined.
 * </ul>
 *
 * <p>The plan compares in full only the records of request_ids with copies, fewer than one in a thousand
 * (docs/DESIGN.md, "The plan of a night"): {@link #copies}, {@link #check}, {@link #narrow}, {@link #resolve}.
 * No hash decides that two records are equal: the aggregate counts records, it does not compare them.
 *
 * <p>After pricing, {@link #checkPrice} quarantines what has no rate ({@code no_rate}) or costs more than the
 * bound ({@code implausible_value}).
 */
public final class UsageValidation {

    /**
     * The canonical fields that identify a record's content: every field of the canonical usage contract
     * but the lineage columns.
     */
    public static final List<String> CONTENT = Schemas.fieldNames(Schemas.CANONICAL_USAGE).stream()
            .filter(c -> !LINEAGE.contains(c))
            .toList();

    /** Marker parse_reason of a blank or whitespace-only line: skipped and counted, never quarantined. */
    public static final String BLANK_LINE = "blank_line";

    /** Internal column: why a priced request is quarantined after all ({@code no_rate}, {@code implausible_value}). */
    public static final String PRICE_REASON = "_price_reason";
    /** Internal column: the detail of {@link #PRICE_REASON}. */
    public static final String PRICE_DETAIL = "_price_detail";

    /** How {@link #rawRecord} writes a time: ISO-8601 to the microsecond, in the session zone (UTC: Z). */
    private static final Map<String, String> RAW_TIMES = Map.of("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

    /** Internal columns of {@link #validate}. */
    private static final String VALID = "_valid";

    private static final String COPIES = "_copies";
    private static final String BROKEN_COPIES = "_broken_copies";
    private static final String BROKEN_REASONS = "_broken_reasons";
    private static final String DISAGREE = "_disagree";
    private static final String RANK = "_rank";
    private static final String CONFLICT = "_conflict";
    private static final String V_ROW = "_v_row";
    private static final String V_DUPLICATE = "_v_duplicate";
    private static final String V_REASON = "_v_reason";
    private static final String V_DETAIL = "_v_detail";

    /** Internal column of {@link #check}: true on a record whose request_id has other records (boolean). */
    public static final String HAS_COPIES = "_has_copies";
    /** Internal column of {@link #check}: the row's id within the run (long), fixed where the rows are kept. */
    public static final String ROW_ID = "_row_id";
    /**
     * Most request_ids with copies whose records are compared apart from the rest ({@link #copies}): the ids are a
     * set in the plan and their records' verdicts are collected on the driver, a few hundred bytes a record (the
     * benchmark's data has about 300 such ids per million requests). Above it every record goes through the
     * comparison.
     */
    public static final int MAX_COPIED_IDS = 20_000;

    private UsageValidation() {}

    /**
     * Outcome of validation: one dataset with every input row, flagged, and the three views of it.
     *
     * @param flagged every input row once: canonical columns, parse_reason / parse_detail set for a rejected
     *     record (or {@link #BLANK_LINE}), {@code _duplicate} true for an exact duplicate beyond the first;
     *     a rejected Parquet row's raw_record rendered ({@link #rawRecord}), the other Parquet rows' null.
     *     Worth persisting: the other three are filters of it
     * @param accepted one row per trusted request: canonical columns, asset_id filled with request_id where
     *     absent
     * @param quarantined rejected records with parse_reason / parse_detail set (canonical columns kept)
     * @param duplicatesDropped exact duplicates beyond the first (counted, never priced)
     */
    public record Result(
            Dataset<Row> flagged, Dataset<Row> accepted, Dataset<Row> quarantined, Dataset<Row> duplicatesDropped) {}

    /** {@link #validate(Dataset, Bounds)} with the default bounds. */
    public static Result validate(Dataset<Row> canonical) {
        return validate(canonical, Bounds.DEFAULT);
    }

    /**
     * Validates canonical usage, without pricing, as the cost job does around its pricing. Unlike the job, which keeps
     * a record's text only where it goes to quarantine ({@link #narrow}), this keeps every raw_record as read (a
     * Parquet row's null but where rendered for quarantine), for the callers that match records by their text.
     *
     * @param canonical rows from {@link io.assetcost.io.UsageReader}
     * @param bounds the plausibility bounds
     * @return accepted + quarantined + duplicatesDropped + blank lines, which together hold every input row
     *     exactly once
     */
    public static Result validate(Dataset<Row> canonical, Bounds bounds) {
        Copies copies = copies(canonical);
        Dataset<Row> checked = byRequestId(check(canonical, bounds, copies));
        return views(resolve(checked, copies, rejected(), true));
    }

    /**
     * The request_ids that have more than one record among the rows (a copy is any other record of the same
     * request_id, valid or not), found by one narrow aggregate: request_id and a count per row cross the
     * shuffle, not the records. Collected on the driver when there are at most {@link #MAX_COPIED_IDS}; more,
     * and every record is compared as a copy ({@link Copies#all}).
     *
     * @param canonical the rows to validate (one Spark job reads the request_id column of them)
     * @return the request_ids with copies, or all
     */
    public static Copies copies(Dataset<Row> canonical) {
        List<Row> ids = canonical
                .filter(col(REQUEST_ID).isNotNull())
                .groupBy(REQUEST_ID)
                .agg(count(lit(1)).as(COPIES))
                .filter(col(COPIES).gt(1))
                .select(REQUEST_ID)
                .limit(MAX_COPIED_IDS + 1)
                .collectAsList();
        if (ids.size() > MAX_COPIED_IDS) {
            return new Copies(null);
        }
        return new Copies(ids.stream().map(r -> r.getString(0)).toList());
    }

    /**
     * Request_ids with copies, from {@link #copies}.
     *
     * @param idList the request_ids, as a set lookup in {@link #check} (Spark's {@code InSet}); null when every
     *     record is compared as a copy (more request_ids with copies than {@link #MAX_COPIED_IDS})
     */
    public record Copies(List<String> idList) {

        /** True when every record with a request_id goes through the comparison of copies. */
        public boolean all() {
            return idList == null;
        }
    }

    /**
     * The record rules, row by row (no shuffle), and {@link #HAS_COPIES} and {@link #ROW_ID} on every row.
     *
     * @param canonical rows from {@link io.assetcost.io.UsageReader}
     * @param bounds the plausibility bounds
     * @param copies the request_ids with copies, from {@link #copies} over the same rows
     * @return the rows with parse_reason / parse_detail set by the first rule broken, {@link #HAS_COPIES}
     *     (boolean) and {@link #ROW_ID} (long, unique among the rows)
     */
    public static Dataset<Row> check(Dataset<Row> canonical, Bounds bounds, Copies copies) {
        // A set lookup in the rows' own projection, not a join: a join would copy every row, text and all, before
        // narrow() could leave the text out.
        Column copied = copies.all()
                ? col(REQUEST_ID).isNotNull()
                : coalesce(col(REQUEST_ID).isin(copies.idList().toArray()), lit(false));
        return Check.apply(canonical, rules(bounds))
                .withColumn(HAS_COPIES, copied)
                .withColumn(ROW_ID, monotonically_increasing_id());
    }

    /**
     * The rows as they cross the shuffle and are kept, partitioned by request_id ({@link #byRequestId}): a
     * record's text (raw_record, record_text, export_row) travels only where a later step reads it, on a row
     * with copies (compared as received) or one that goes to quarantine (its raw_record rendered here,
     * {@link #rawRecord}). Every other row loses its text here, so that the shuffle moves its fields only.
     *
     * @param checked rows of {@link #check}, maybe priced in place
     * @param quarantined true for a row that goes to quarantine for a reason found after {@link #check}
     *     (a price that breaks a rule, {@link #checkPrice}); rows with a parse reason are added to it
     * @return the rows, narrowed and partitioned by request_id
     */
    public static Dataset<Row> narrow(Dataset<Row> checked, Column quarantined) {
        Column copied = col(HAS_COPIES);
        return byRequestId(checked.withColumn(
                        RAW_RECORD,
                        when(copied, col(RAW_RECORD))
                                .when(rejected().or(coalesce(quarantined, lit(false))), rawRecord()))
                .withColumn(RECORD_TEXT, when(copied, col(RECORD_TEXT)))
                .withColumn(EXPORT_ROW, when(copied, col(EXPORT_ROW)))
                .drop(RequestPricing.NO_RATE_DETAIL));
    }

    /**
     * Compares the copies of each request_id and sets the flags on every row: only the rows with copies go
     * through the window that compares them (partitioned by request_id as {@link #narrow} left them: no
     * shuffle, one sort of those rows only); their verdicts, one small row each, are collected and joined
     * back by {@link #ROW_ID} with a broadcast, so the other rows move nowhere. When every record is compared
     * ({@link Copies#all}) the window runs over all rows instead.
     *
     * @param narrow rows of {@link #narrow} (the cost job keeps them first: they are read twice here)
     * @param copies the request_ids with copies, from {@link #copies}
     * @param quarantined true for a row that goes to quarantine, evaluated on the flagged rows (for the job:
     *     {@link #rejected()}, or {@link #trusted()} with a price reason); its raw_record is kept, everyone
     *     else's dropped
     * @return the flagged rows ({@link Result#flagged}), without record_text, export_row and the helpers
     */
    public static Dataset<Row> resolve(Dataset<Row> narrow, Copies copies, Column quarantined) {
        return resolve(narrow, copies, quarantined, false);
    }

    private static Dataset<Row> resolve(Dataset<Row> narrow, Copies copies, Column quarantined, boolean keepRaw) {
        Dataset<Row> flagged;
        if (copies.all()) {
            flagged = compare(narrow);
        } else {
            Dataset<Row> verdicts = compare(narrow.filter(col(HAS_COPIES)))
                    .select(
                            col(ROW_ID).as(V_ROW),
                            col(DUPLICATE).as(V_DUPLICATE),
                            col(PARSE_REASON).as(V_REASON),
                            col(PARSE_DETAIL).as(V_DETAIL));
            Dataset<Row> local = narrow.sparkSession().createDataFrame(verdicts.collectAsList(), verdicts.schema());
            Column found = col(V_ROW).isNotNull();
            flagged = narrow.join(broadcast(local), narrow.col(ROW_ID).equalTo(local.col(V_ROW)), "left")
                    .withColumn(DUPLICATE, coalesce(col(V_DUPLICATE), lit(false)))
                    .withColumn(PARSE_REASON, when(found, col(V_REASON)).otherwise(col(PARSE_REASON)))
                    .withColumn(PARSE_DETAIL, when(found, col(V_DETAIL)).otherwise(col(PARSE_DETAIL)))
                    .drop(V_ROW, V_DUPLICATE, V_REASON, V_DETAIL);
        }
        Column raw = when(quarantined, rawRecord());
        return flagged.withColumn(RAW_RECORD, keepRaw ? raw.otherwise(col(RAW_RECORD)) : raw)
                .drop(RECORD_TEXT, EXPORT_ROW, HAS_COPIES, ROW_ID);
    }

    /**
     * The comparison of copies (the rules in the class comment), in one window over request_id.
     *
     * @param rows rows of {@link #narrow}: every record of each request_id among them
     * @return the same rows with {@link #DUPLICATE} set and a conflict's parse_reason and parse_detail
     */
    private static Dataset<Row> compare(Dataset<Row> rows) {
        Dataset<Row> checked = rows.withColumn(VALID, col(PARSE_REASON).isNull());
        // row_number needs the order; the aggregates see every copy (whole-partition frames).
        // Both specs have the same partitioning and order, and all the window functions are in one select, so
        // Spark computes them in one Window operator over one sort (chained withColumn calls give one each).
        // The order picks the copy priced (class comment); the row's id only makes the choice repeatable, so no
        // record's text is sorted.
        Column[] order = {col(SOURCE_FORMAT), col(SOURCE_FILE), col(ROW_ID)};
        WindowSpec ordered = Window.partitionBy(col(REQUEST_ID)).orderBy(order);
        WindowSpec copies = ordered.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column broken = col(VALID).unary_$bang();
        Dataset<Row> compared = checked.select(
                col("*"),
                count(lit(1)).over(copies).as(COPIES),
                count(when(broken, lit(1))).over(copies).as(BROKEN_COPIES),
                array_join(
                                array_sort(collect_set(when(broken, col(PARSE_REASON)))
                                        .over(copies)),
                                ", ")
                        .as(BROKEN_REASONS),
                disagree(copies).as(DISAGREE),
                row_number().over(ordered).as(RANK));
        // Valid rows always have a request_id (missing_field); the rows without one, which the window groups
        // together, are copies of nothing, and the condition says so rather than leaning on that rule.
        Column conflict = col(VALID).and(col(REQUEST_ID).isNotNull()).and(col(DISAGREE));
        return compared.withColumn(CONFLICT, conflict)
                .withColumn(
                        DUPLICATE,
                        col(VALID)
                                .and(col(CONFLICT).unary_$bang())
                                .and(col(RANK).gt(1)))
                .withColumn(PARSE_DETAIL, when(col(CONFLICT), conflictDetail()).otherwise(col(PARSE_DETAIL)))
                .withColumn(
                        PARSE_REASON,
                        when(col(CONFLICT), lit(QuarantineReason.CONFLICTING_DUPLICATE.code()))
                                .otherwise(col(PARSE_REASON)))
                .drop(VALID, COPIES, BROKEN_COPIES, BROKEN_REASONS, DISAGREE, RANK, CONFLICT);
    }

    /**
     * True on every row of a request_id whose copies are not all the same record: some differ in a canonical
     * field (copies in different formats can only be compared so); two of one format differ as received
     * (record_text of a log line or CSV record, export_row of a Parquet row); or some break a record rule and
     * some do not (a log line's usage.output_tokens, say, is no canonical field, so the fields alone can
     * agree). Within a format: there are more distinct (format, text) pairs than formats with a text (only
     * log lines and CSV records have a record_text, only Parquet rows an export_row). The sets are of copies
     * of a request_id only: the rows without one, which the window also groups, may be a whole corrupt file.
     */
    private static Column disagree(WindowSpec copies) {
        Column content = struct(CONTENT.stream().map(functions::col).toArray(Column[]::new));
        Column text = col(REQUEST_ID).isNotNull().and(col(RECORD_TEXT).isNotNull());
        Column texts = size(collect_set(when(text, struct(col(SOURCE_FORMAT), col(RECORD_TEXT))))
                .over(copies));
        Column formats = size(collect_set(when(text, col(SOURCE_FORMAT))).over(copies));
        return differ(content, copies)
                .or(differ(col(VALID), copies))
                .or(texts.gt(formats))
                .or(differ(col(EXPORT_ROW), copies));
    }

    /**
     * A record's raw text: its raw_record, or for a Parquet export row (whose raw_record the reader leaves
     * null, {@link io.assetcost.io.UsageReader}) the row as JSON, rendered from its export_row. Evaluate it
     * only where the text is kept (in quarantine): rendering every row costs more than all the rules. Times
     * are written to the microsecond, as Parquet holds them (Spark's JSON default stops at the millisecond).
     *
     * @return a string column
     */
    public static Column rawRecord() {
        return coalesce(col(RAW_RECORD), to_json(col(EXPORT_ROW), RAW_TIMES));
    }

    private static Column differ(Column value, WindowSpec over) {
        return min(value).over(over).eqNullSafe(max(value).over(over)).unary_$bang();
    }

    /**
     * "request_id r1 has 2 records that differ; none is priced", then, when some copies broke a rule, how
     * many and which rules ("; 1 copy broke a rule: inconsistent_tokens"): their own records say why.
     */
    private static Column conflictDetail() {
        Column count = col(BROKEN_COPIES);
        return concat(
                lit("request_id "),
                col(REQUEST_ID),
                lit(" has "),
                col(COPIES).cast("string"),
                lit(" records that differ; none is priced"),
                when(
                                count.gt(0),
                                concat(
                                        lit("; "),
                                        count.cast("string"),
                                        when(count.equalTo(1), lit(" copy")).otherwise(lit(" copies")),
                                        lit(" broke a rule: "),
                                        col(BROKEN_REASONS)))
                        .otherwise(lit("")));
    }

    /**
     * Adds {@link #PRICE_REASON} and {@link #PRICE_DETAIL} to rows priced by
     * {@link io.assetcost.pricing.RequestPricing#rate}: {@code no_rate} where a meter with tokens has no rate,
     * {@code implausible_value} where the request costs more than the bound; null where the price stands.
     *
     * @param rated rows with no_rate_detail and cost_usd
     * @param bounds the plausibility bounds
     * @return the rows with both columns
     */
    public static Dataset<Row> checkPrice(Dataset<Row> rated, Bounds bounds) {
        Column noRate = col(RequestPricing.NO_RATE_DETAIL).isNotNull();
        Column tooDear = col(COST_USD).gt(lit(bounds.maxRequestCostUsd()));
        return rated.withColumn(
                        PRICE_REASON,
                        when(noRate, lit(QuarantineReason.NO_RATE.code()))
                                .when(tooDear, lit(QuarantineReason.IMPLAUSIBLE_VALUE.code())))
                .withColumn(
                        PRICE_DETAIL,
                        when(noRate, col(RequestPricing.NO_RATE_DETAIL))
                                .when(
                                        tooDear,
                                        concat(
                                                lit("cost_usd "),
                                                col(COST_USD).cast("string"),
                                                lit(" exceeds the bound of "
                                                        + bounds.maxRequestCostUsd()
                                                                .toPlainString()
                                                        + " USD per request (--max-request-cost-usd)"))));
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
                flagged.filter(rejected()).drop(DUPLICATE),
                flagged.filter(col(DUPLICATE)).drop(DUPLICATE));
    }

    /** True for a row of {@link Result#flagged} that is priced: no parse reason, not a duplicate. */
    public static Column trusted() {
        return col(PARSE_REASON).isNull().and(col(DUPLICATE).unary_$bang());
    }

    /** True for a row of {@link Result#flagged} that goes to quarantine (a reason, not a blank line). */
    public static Column rejected() {
        return col(PARSE_REASON).isNotNull().and(col(PARSE_REASON).notEqual(BLANK_LINE));
    }

    /** True for a blank or whitespace-only line, skipped and counted. */
    public static Column blank() {
        return coalesce(col(PARSE_REASON).equalTo(BLANK_LINE), lit(false));
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
    static List<Check> rules(Bounds bounds) {
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
                Times.outOfRange(col(CREATED_AT)),
                QuarantineReason.INVALID_VALUE,
                concat(
                        lit("created "),
                        col(CREATED_AT).cast("string"),
                        lit(" is outside 2000-2100; is it in milliseconds?"))));
        rules.add(negativeTokens());
        rules.add(new Check(
                col(N).gt(bounds.maxImagesPerRequest()),
                QuarantineReason.IMPLAUSIBLE_VALUE,
                concat(
                        lit("n is "),
                        col(N).cast("string"),
                        lit(", beyond the bound of " + bounds.maxImagesPerRequest()
                                + " images per request (--max-images-per-request)"))));
        for (Meter m : Meter.values()) {
            Column count = col(m.canonicalColumn());
            rules.add(new Check(
                    count.gt(bounds.maxTokensPerMeter()),
                    QuarantineReason.IMPLAUSIBLE_VALUE,
                    concat(
                            lit(m.sourceField() + " is "),
                            count.cast("string"),
                            lit(" tokens, beyond the bound of " + bounds.maxTokensPerMeter()
                                    + " per meter and request (--max-tokens-per-meter)"))));
        }
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

    private static Check negativeTokens() {
        List<Column> negatives = new ArrayList<>();
        Column anyNegative = lit(false);
        for (Meter m : Meter.values()) {
            String t = m.canonicalColumn();
            negatives.add(when(col(t).lt(0), concat(lit(t + " = "), col(t).cast("string"))));
            anyNegative = anyNegative.or(col(t).lt(0));
        }
        return new Check(
                anyNegative,
                QuarantineReason.NEGATIVE_TOKENS,
                concat(lit("negative token count: "), concat_ws(", ", negatives.toArray(new Column[0]))));
    }

    private static Check missing(String column, String field) {
        return new Check(col(column).isNull(), QuarantineReason.MISSING_FIELD, lit(field + " is missing or empty"));
    }
}
