package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.try_add;
import static org.apache.spark.sql.functions.when;

import io.assetcost.quality.Check;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.quality.Text;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads OpenAI Batch API files (an input file with its output and error files, and the Batch object beside
 * them) into the canonical usage contract ({@code schemas/canonical_usage.avsc}), selected with
 * {@code --usage-format batch}. docs/usage-formats/batch.md gives the files of a batch, what a record is, the
 * mapping field by field with its sources (openai/openai-openapi {@code openapi.yaml}) and what is
 * quarantined; the contracts are {@code schemas/batch_line.avsc} and {@code schemas/batch_object.avsc}.
 *
 * <p>A record is a request: an output or error line with the input line of its custom_id, which it consumes.
 * model, endpoint, n, size and quality are only in the input line; request_id, status, created and usage only
 * in the output or error line, which the API writes in another file and another order. So the lines meet in
 * one window by (batch directory, custom_id), this reader's one shuffle, which also counts a custom_id's input
 * and output lines (two that differ can be trusted for neither); the Batch object, one row per directory, is
 * broadcast. The lines of an image batch's output carry the images themselves (base64), most of the bytes
 * that cross that shuffle.
 */
public final class BatchUsage {

    /** source_format of this reader's rows. */
    public static final String FORMAT = "batch";
    /** The name of the file holding a batch's Batch object (GET /v1/batches/{batch_id}). */
    public static final String BATCH_OBJECT_FILE = "batch.json";
    /** The service tier of every request of a batch. */
    public static final String BATCH_TIER = "batch";
    /** The Batch object's times a failed line without a time of its own takes, the first present wins. */
    public static final List<String> BATCH_TIME_FIELDS =
            List.of("completed_at", "expired_at", "cancelled_at", "failed_at", "created_at");
    /** The input url of an image generation, and its endpoint. */
    static final Map<String, String> ENDPOINTS =
            Map.of("/v1/images/generations", "images.generations", "/v1/images/edits", "images.edits");

    private static final String DIR = "_batch_dir";
    private static final String LINE = "_line";
    private static final String J = "_j";
    private static final String K = "_k";
    private static final String CID = "_custom_id";
    private static final String IS_INPUT = "_is_input";
    private static final String IS_RESULT = "_is_result";
    private static final String KEYED = "_keyed";
    private static final String RID = "_rid";
    private static final String IN_COUNT = "_in_count";
    private static final String IN_FIRST = "_in_first";
    private static final String IN_LAST = "_in_last";
    private static final String RES_COUNT = "_res_count";
    private static final String RES_ID_MIN = "_res_id_min";
    private static final String RES_ID_MAX = "_res_id_max";
    private static final String RES_NO_ID = "_res_no_id";
    private static final String INP = "_input";
    private static final String B = "_b";
    private static final String B_DIR = "_b_dir";
    private static final String B_SEEN = "_b_seen";
    private static final String ERROR_SET = "_error_set";
    private static final String STATUS_CODE = "_status_code";
    private static final String ERROR_CODE_RAW = "_error_code_raw";
    private static final String CID_MATCHES = "_cid_matches";
    private static final String USAGE = "_usage";
    private static final String B_REASON = "_b_reason";
    private static final String B_DETAIL = "_b_detail";
    private static final String B_TIME = "_b_time";
    private static final String B_FIELD = "_b_field";
    private static final String SUCCEEDED = "_succeeded";
    private static final String OWN_CREATED = "_own_created";

    /**
     * The top-level keys of a line as text, whatever their JSON type: what tells an input line from an
     * output line, and the custom_id that joins them, even where a nested field has the wrong type.
     */
    private static final StructType KEYS = new StructType()
            .add("custom_id", DataTypes.StringType)
            .add("method", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add("id", DataTypes.StringType)
            .add("response", DataTypes.StringType)
            .add("error", DataTypes.StringType);

    /**
     * What the command line tells this reader.
     *
     * @param customId {@code --batch-custom-id}: how custom_id names workflow and asset ({@link BatchCustomId})
     */
    public record Options(String customId) {

        /** The defaults: {@link BatchCustomId#DEFAULT}. */
        public Options() {
            this(BatchCustomId.DEFAULT);
        }

        /**
         * Checks the option.
         *
         * @throws InputException when {@code --batch-custom-id} cannot be used (the message says why)
         */
        public Options {
            BatchCustomId.of(customId);
        }

        /** The custom_id pattern of the option. */
        public BatchCustomId pattern() {
            return BatchCustomId.of(customId);
        }
    }

    private BatchUsage() {}

    /**
     * Reads the files of a {@code --usage} path: every {@value #BATCH_OBJECT_FILE} as a Batch object, every
     * other file as JSON Lines of batch input, output and error lines.
     *
     * @param spark the session
     * @param files every file under the path (sorted, fully qualified)
     * @param options this format's options
     * @return canonical usage rows, one per record (docs/usage-formats/batch.md, "Records"), source_format
     *     {@value #FORMAT}
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, Options options) {
        List<String> objects = files.stream().filter(BatchUsage::isBatchObject).toList();
        List<String> lineFiles = files.stream().filter(f -> !isBatchObject(f)).toList();
        if (lineFiles.isEmpty()) {
            return UsageReader.canonical(spark.createDataFrame(List.of(), Schemas.spark(Schemas.CANONICAL_USAGE)));
        }
        Dataset<Row> lines = spark.read()
                .text(lineFiles.toArray(new String[0]))
                .select(col("value").as(RAW_RECORD), col("_metadata.file_path").as(SOURCE_FILE));
        Dataset<Row> batches = objects.isEmpty()
                ? spark.createDataFrame(
                        List.of(),
                        new StructType().add(RAW_RECORD, DataTypes.StringType).add(SOURCE_FILE, DataTypes.StringType))
                : spark.read()
                        .option("wholetext", "true")
                        .text(objects.toArray(new String[0]))
                        .select(
                                col("value").as(RAW_RECORD),
                                col("_metadata.file_path").as(SOURCE_FILE));
        return fromLines(lines, batches, options.pattern());
    }

    /** Whether a file is a batch's Batch object: named exactly {@value #BATCH_OBJECT_FILE}, case ignored. */
    static boolean isBatchObject(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        return name.toLowerCase(Locale.ROOT).equals(BATCH_OBJECT_FILE);
    }

    /**
     * Maps batch lines to canonical usage.
     *
     * @param lines raw_record (one line, string) and source_file (its file, whose directory is its batch)
     * @param batchObjects raw_record (a whole {@value #BATCH_OBJECT_FILE}) and source_file
     * @param customId how custom_id names workflow and asset
     * @return canonical rows (UsageReader's contract, in its order), one per record
     */
    public static Dataset<Row> fromLines(Dataset<Row> lines, Dataset<Row> batchObjects, BatchCustomId customId) {
        Dataset<Row> joined =
                withInputs(parse(lines)).join(broadcast(batches(batchObjects)), col(DIR).equalTo(col(B_DIR)), "left");
        Dataset<Row> mapped = joined.select(columns(customId));
        return UsageReader.canonical(Check.apply(mapped, rules(customId)));
    }

    /** The lines inspected ({@link JsonRecords}) and typed, with what tells their kind and their key. */
    private static Dataset<Row> parse(Dataset<Row> lines) {
        Map<String, String> permissive = Map.of("mode", "PERMISSIVE");
        Column inspect =
                JsonRecords.udf(Schemas.avro(Schemas.BATCH_LINE).toString()).apply(col(RAW_RECORD));
        Column keys = col(K);
        return lines.withColumn(DIR, dirOf(col(SOURCE_FILE)))
                .withColumn(LINE, inspect)
                .withColumn(RECORD_TEXT, col(LINE + ".record_text"))
                .withColumn(PARSE_REASON, col(LINE + ".reason"))
                .withColumn(PARSE_DETAIL, col(LINE + ".detail"))
                .withColumn(J, from_json(col(RECORD_TEXT), Schemas.spark(Schemas.BATCH_LINE), permissive))
                .withColumn(K, from_json(col(RECORD_TEXT), KEYS, permissive))
                .withColumn(
                        IS_RESULT,
                        coalesce(
                                keys.getField("id")
                                        .isNotNull()
                                        .or(keys.getField("response").isNotNull())
                                        .or(keys.getField("error").isNotNull()),
                                lit(false)))
                .withColumn(
                        IS_INPUT,
                        coalesce(
                                keys.getField("url")
                                        .isNotNull()
                                        .or(keys.getField("method").isNotNull()),
                                lit(false)))
                .withColumn(CID, Text.clean(keys.getField("custom_id")))
                .withColumn(
                        KEYED,
                        col(RECORD_TEXT)
                                .isNotNull()
                                .and(col(CID).isNotNull())
                                .and(col(IS_RESULT).notEqual(col(IS_INPUT))))
                .withColumn(RID, Text.clean(coalesce(col(J + ".response.request_id"), keys.getField("id"))))
                .drop(LINE);
    }

    /** The input line's facts the row reads, as one comparable struct: its text first. */
    private static Column inputFacts() {
        return struct(
                col(RECORD_TEXT).as("text"),
                col(PARSE_REASON).as("reason"),
                col(PARSE_DETAIL).as("detail"),
                Text.clean(col(J + ".url")).as("url"),
                Text.clean(col(J + ".body.model")).as("model"),
                col(J + ".body.n").as("n"),
                Text.clean(col(J + ".body.size")).as("size"),
                Text.clean(col(J + ".body.quality")).as("quality"));
    }

    /**
     * Meets every output or error line with the input lines of its custom_id in its batch (one window by
     * directory and custom_id, the reader's one shuffle), and drops the input lines a result line consumed.
     */
    private static Dataset<Row> withInputs(Dataset<Row> parsed) {
        WindowSpec key = Window.partitionBy(col(DIR), col(CID));
        Column input = col(KEYED).and(col(IS_INPUT));
        Column result = col(KEYED).and(col(IS_RESULT));
        return parsed.withColumn(
                        IN_COUNT, sum(when(input, lit(1L)).otherwise(lit(0L))).over(key))
                .withColumn(IN_FIRST, min(when(input, inputFacts())).over(key))
                .withColumn(IN_LAST, max(when(input, inputFacts())).over(key))
                .withColumn(
                        RES_COUNT, sum(when(result, lit(1L)).otherwise(lit(0L))).over(key))
                .withColumn(RES_ID_MIN, min(when(result, col(RID))).over(key))
                .withColumn(RES_ID_MAX, max(when(result, col(RID))).over(key))
                .withColumn(
                        RES_NO_ID,
                        sum(when(result.and(col(RID).isNull()), lit(1L)).otherwise(lit(0L)))
                                .over(key))
                .filter(input.and(col(RES_COUNT).gt(0)).unary_$bang())
                .withColumn(INP, when(result, col(IN_FIRST)).when(col(IS_INPUT), inputFacts()));
    }

    /**
     * One row per batch directory with a Batch object: the object typed, why it cannot be read (null when it
     * can), and the time a failed line takes from it ({@link #BATCH_TIME_FIELDS}) with that field's name.
     */
    private static Dataset<Row> batches(Dataset<Row> objects) {
        Column inspect =
                JsonRecords.udf(Schemas.avro(Schemas.BATCH_OBJECT).toString()).apply(col(RAW_RECORD));
        Column time = null;
        Column field = null;
        for (String f : BATCH_TIME_FIELDS) {
            Column present = col(B + "." + f).isNotNull();
            time = time == null ? when(present, col(B + "." + f)) : time.when(present, col(B + "." + f));
            field = field == null ? when(present, lit(f)) : field.when(present, lit(f));
        }
        Dataset<Row> inspected = objects.withColumn(LINE, inspect)
                .withColumn(
                        B,
                        from_json(
                                col(LINE + ".record_text"),
                                Schemas.spark(Schemas.BATCH_OBJECT),
                                Map.of("mode", "PERMISSIVE")));
        return inspected.select(
                dirOf(col(SOURCE_FILE)).as(B_DIR),
                lit(true).as(B_SEEN),
                col(B),
                when(col(LINE + ".reason").isNotNull(), lit("not a Batch object"))
                        .as(B_REASON),
                coalesce(col(LINE + ".detail"), lit("the file is blank")).as(B_DETAIL),
                time.as(B_TIME),
                field.as(B_FIELD));
    }

    /** The directory of a file: its batch. */
    private static Column dirOf(Column file) {
        return regexp_replace(file, "/[^/]*$", "");
    }

    /** The canonical columns of a row, then the helpers the rules read. */
    private static Column[] columns(BatchCustomId customId) {
        Column result = col(KEYED).and(col(IS_RESULT));
        Column response = col(J + ".response");
        Column status = response.getField("status_code");
        Column succeeded = coalesce(
                result.and(status.between(200, 299))
                        .and(response.getField("body").isNotNull())
                        .and(col(J + ".error").isNull()),
                lit(false));
        Column own = col(J + ".response.body.created");
        Column batchTime = when(result.and(succeeded.unary_$bang()), col(B_TIME));
        Column hasInput = col(INP).isNotNull();
        Column url = col(INP + ".url");
        Column endpoint = null;
        for (Map.Entry<String, String> e : ENDPOINTS.entrySet()) {
            endpoint = endpoint == null
                    ? when(url.equalTo(e.getKey()), lit(e.getValue()))
                    : endpoint.when(url.equalTo(e.getKey()), lit(e.getValue()));
        }
        List<Column> out = new ArrayList<>(List.of(
                when(result, col(RID)).as(REQUEST_ID),
                when(own.isNotNull(), seconds(own))
                        .otherwise(seconds(batchTime))
                        .as(CREATED_AT),
                lit(null).cast(DataTypes.StringType).as(PROJECT_ID),
                Text.clean(regexp_extract(col(CID), customId.regex(), customId.workflowGroup()))
                        .as(WORKFLOW_ID),
                customId.assetGroup() == 0
                        ? lit(null).cast(DataTypes.StringType).as(ASSET_ID)
                        : Text.clean(regexp_extract(col(CID), customId.regex(), customId.assetGroup()))
                                .as(ASSET_ID),
                col(INP + ".model").as(MODEL),
                endpoint.as(ENDPOINT),
                lit(BATCH_TIER).as(SERVICE_TIER),
                when(result, when(succeeded, lit("succeeded")).otherwise(lit("failed")))
                        .as(STATUS),
                when(
                                result.and(succeeded.unary_$bang()),
                                coalesce(
                                        Text.clean(col(J + ".error.code")),
                                        Text.clean(col(J + ".response.body.error.code")),
                                        Text.clean(col(J + ".response.body.error.type"))))
                        .as(ERROR_CODE),
                when(hasInput, coalesce(col(INP + ".n"), lit(1))).as(N),
                col(INP + ".size").as(SIZE),
                col(INP + ".quality").as(QUALITY)));
        out.addAll(tokenColumns());
        out.addAll(lineageColumns(customId, succeeded, own, status));
        return out.toArray(new Column[0]);
    }

    /** gateway_cost_usd (null), the lineage columns, then the helpers the rules read. */
    private static List<Column> lineageColumns(BatchCustomId customId, Column succeeded, Column own, Column status) {
        return List.of(
                lit(null)
                        .cast(Schemas.spark(Schemas.CANONICAL_USAGE)
                                .apply(GATEWAY_COST_USD)
                                .dataType())
                        .as(GATEWAY_COST_USD),
                col(RAW_RECORD),
                col(RECORD_TEXT),
                col(SOURCE_FILE),
                lit(FORMAT).as(SOURCE_FORMAT),
                col(PARSE_REASON),
                col(PARSE_DETAIL),
                col(DIR),
                col(CID),
                col(IS_INPUT),
                col(IS_RESULT),
                col(KEYED),
                col(INP),
                col(IN_COUNT),
                col(IN_FIRST),
                col(IN_LAST),
                col(RES_COUNT),
                col(RES_ID_MIN),
                col(RES_ID_MAX),
                col(RES_NO_ID),
                col(B),
                col(B_SEEN),
                col(B_REASON),
                col(B_DETAIL),
                col(B_TIME),
                col(B_FIELD),
                succeeded.as(SUCCEEDED),
                own.as(OWN_CREATED),
                status.as(STATUS_CODE),
                col(J + ".error").isNotNull().as(ERROR_SET),
                col(J + ".error.code").as(ERROR_CODE_RAW),
                col(CID).rlike(customId.regex()).as(CID_MATCHES),
                col(J + ".response.body.usage").as(USAGE));
    }

    /** A unix-seconds column as a time, null outside 1970-2100 (a rule then says why). */
    private static Column seconds(Column unix) {
        return when(unix.between(0L, UsageReader.MAX_UNIX_SECONDS), timestamp_seconds(unix));
    }

    /** Token columns of {@code response.body.usage}, read as the usage log reads its usage (README, "Pricing"). */
    private static List<Column> tokenColumns() {
        String usage = J + ".response.body.usage";
        Column u = col(usage);
        Column in = col(usage + ".input_tokens_details");
        Column outDetails = col(usage + ".output_tokens_details");
        Column noInput = u.isNull().or(in.isNull());
        return List.of(
                when(noInput, lit(0L))
                        .otherwise(tokens(usage + ".input_tokens_details.text_tokens"))
                        .as(TEXT_TOKENS),
                lit(0L).as(CACHED_TEXT_TOKENS),
                when(noInput, lit(0L))
                        .otherwise(tokens(usage + ".input_tokens_details.image_tokens"))
                        .as(IMAGE_TOKENS),
                lit(0L).as(CACHED_IMAGE_TOKENS),
                when(u.isNull(), lit(0L))
                        .when(outDetails.isNotNull(), tokens(usage + ".output_tokens_details.image_tokens"))
                        .otherwise(tokens(usage + ".output_tokens"))
                        .as(OUTPUT_IMAGE_TOKENS),
                when(outDetails.isNull(), lit(0L))
                        .otherwise(tokens(usage + ".output_tokens_details.text_tokens"))
                        .as(OUTPUT_TEXT_TOKENS));
    }

    private static Column tokens(String field) {
        return coalesce(col(field), lit(0L));
    }

    /** The rules of a batch record, in order of precedence (before validation's own); details in the docs. */
    private static List<Check> rules(BatchCustomId customId) {
        List<Check> rules = new ArrayList<>(shapeRules());
        rules.addAll(joinRules());
        rules.addAll(requestRules(customId));
        rules.addAll(timeRules());
        rules.addAll(tokenRules());
        return rules;
    }

    private static List<Check> shapeRules() {
        Column text = col(RECORD_TEXT).isNotNull();
        return List.of(
                new Check(
                        text.and(col(IS_INPUT)).and(col(IS_RESULT)),
                        QuarantineReason.MALFORMED_RECORD,
                        lit("the line has both an input line's method or url and an output line's id, response or"
                                + " error (openapi.yaml BatchRequestInput, BatchRequestOutput)")),
                new Check(
                        text.and(col(IS_INPUT).unary_$bang()).and(col(IS_RESULT).unary_$bang()),
                        QuarantineReason.MALFORMED_RECORD,
                        lit("the line is neither a Batch input line (custom_id, method, url, body) nor an output"
                                + " or error line (id, custom_id, response, error)")),
                new Check(
                        text.and(col(CID).isNull()),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("custom_id is absent or blank: the line cannot be joined to its "),
                                when(col(IS_RESULT), lit("input line")).otherwise(lit("output or error line")))));
    }

    private static List<Check> joinRules() {
        Column result = col(KEYED).and(col(IS_RESULT));
        Column cid = concat(lit("custom_id '"), col(CID), lit("'"));
        return List.of(
                new Check(
                        result.and(col(RES_COUNT).gt(1))
                                .and(col(RES_ID_MIN)
                                        .notEqual(col(RES_ID_MAX))
                                        .or(col(RES_NO_ID).gt(0))),
                        QuarantineReason.CONFLICTING_DUPLICATE,
                        concat(
                                cid,
                                lit(" is on "),
                                col(RES_COUNT).cast("string"),
                                lit(" output or error lines in "),
                                col(DIR),
                                lit(" with different request ids: none of them can be trusted"))),
                new Check(
                        result.and(col(IN_COUNT).equalTo(0)),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("no input line with "),
                                cid,
                                lit(" in "),
                                col(DIR),
                                lit(": model, endpoint, n, size and quality are unknown"))),
                new Check(
                        col(KEYED).and(col(IS_INPUT)),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("no output or error line with "),
                                cid,
                                lit(" in "),
                                col(DIR),
                                lit(": the request has no result here (batch status: "),
                                coalesce(col(B + ".status"), lit("unknown, no batch.json")),
                                lit(")"))),
                new Check(
                        result.and(col(IN_COUNT).gt(1))
                                .and(col(IN_FIRST + ".text").notEqual(col(IN_LAST + ".text"))),
                        QuarantineReason.CONFLICTING_DUPLICATE,
                        concat(
                                cid,
                                lit(" is on "),
                                col(IN_COUNT).cast("string"),
                                lit(" input lines in "),
                                col(DIR),
                                lit(" that differ: which request was made is unknown"))),
                new Check(
                        result.and(col(IN_FIRST + ".reason").isNotNull()),
                        QuarantineReason.MALFORMED_RECORD,
                        concat(lit("the input line of "), cid, lit(": "), col(IN_FIRST + ".detail"))));
    }

    private static List<Check> requestRules(BatchCustomId customId) {
        Column row = col(KEYED);
        Column status = col(STATUS_CODE);
        return List.of(
                new Check(
                        row.and(col(INP + ".url").isNull()),
                        QuarantineReason.MISSING_FIELD,
                        lit("the input line has no url")),
                new Check(
                        row.and(col(ENDPOINT).isNull()),
                        QuarantineReason.INVALID_VALUE,
                        concat(
                                lit("url '"),
                                col(INP + ".url"),
                                lit("' is not an Images API endpoint (/v1/images/generations, /v1/images/edits)"))),
                new Check(
                        row.and(col(IS_RESULT)).and(status.between(200, 299)).and(col(ERROR_SET)),
                        QuarantineReason.MALFORMED_RECORD,
                        concat(
                                lit("both response (status_code "),
                                status.cast("string"),
                                lit(") and error ("),
                                coalesce(col(ERROR_CODE_RAW), lit("no code")),
                                lit(") are set: whether the request succeeded is unknown"))),
                new Check(
                        row.and(col(CID_MATCHES).unary_$bang()),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("workflow_id: custom_id '"),
                                col(CID),
                                lit("' does not match --batch-custom-id '" + customId.option() + "'"))));
    }

    private static List<Check> timeRules() {
        Column failedWithoutTime = col(KEYED)
                .and(col(IS_RESULT))
                .and(col(SUCCEEDED).unary_$bang())
                .and(col(OWN_CREATED).isNull());
        String needs = "created: a failed line has no response body with created, and ";
        return List.of(
                new Check(
                        col(OWN_CREATED).isNotNull().and(col(CREATED_AT).isNull()),
                        QuarantineReason.INVALID_VALUE,
                        concat(
                                lit("response.body.created "),
                                col(OWN_CREATED).cast("string"),
                                lit(" is not unix seconds between 1970 and 2100"))),
                new Check(
                        failedWithoutTime.and(col(B_SEEN).isNull()),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit(needs + "no " + BATCH_OBJECT_FILE + " lies in "),
                                col(DIR),
                                lit(" to take the batch's time from"))),
                new Check(
                        failedWithoutTime.and(col(B_REASON).isNotNull()),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit(needs),
                                col(DIR),
                                lit("/" + BATCH_OBJECT_FILE + " is not a Batch object: "),
                                col(B_DETAIL))),
                new Check(
                        failedWithoutTime.and(col(B_TIME).isNull()),
                        QuarantineReason.MISSING_FIELD,
                        lit(needs + BATCH_OBJECT_FILE + " has none of " + String.join(", ", BATCH_TIME_FIELDS))),
                new Check(
                        failedWithoutTime.and(col(CREATED_AT).isNull()),
                        QuarantineReason.INVALID_VALUE,
                        concat(
                                lit(BATCH_OBJECT_FILE + " "),
                                col(B_FIELD),
                                lit(" "),
                                col(B_TIME).cast("string"),
                                lit(" is not unix seconds between 1970 and 2100"))));
    }

    /** The usage log's token rules (UsageReader), on {@code response.body.usage}. */
    private static List<Check> tokenRules() {
        Column usage = col(USAGE);
        Column inputTokens = usage.getField("input_tokens");
        Column outputTokens = usage.getField("output_tokens");
        Column hasIn = usage.getField("input_tokens_details").isNotNull();
        Column hasOut = usage.getField("output_tokens_details").isNotNull();
        Column inSum = try_add(col(TEXT_TOKENS), col(IMAGE_TOKENS));
        Column outSum = try_add(col(OUTPUT_IMAGE_TOKENS), col(OUTPUT_TEXT_TOKENS));
        return List.of(
                new Check(
                        usage.isNotNull()
                                .and(hasIn.unary_$bang())
                                .and(coalesce(inputTokens, lit(0L)).gt(0)),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("response.body.usage.input_tokens_details is missing while input_tokens is "),
                                inputTokens.cast("string"),
                                lit(": text and image input cannot be told apart"))),
                new Check(
                        hasIn.and(inputTokens.isNotNull()).and(inputTokens.notEqual(inSum)),
                        QuarantineReason.INCONSISTENT_TOKENS,
                        concat(
                                lit("response.body.usage.input_tokens "),
                                inputTokens.cast("string"),
                                lit(" differs from text_tokens + image_tokens = "),
                                inSum.cast("string"))),
                new Check(
                        hasOut.and(outputTokens.isNotNull()).and(outputTokens.notEqual(outSum)),
                        QuarantineReason.INCONSISTENT_TOKENS,
                        concat(
                                lit("response.body.usage.output_tokens "),
                                outputTokens.cast("string"),
                                lit(" differs from output_tokens_details image_tokens + text_tokens = "),
                                outSum.cast("string"))));
    }
}
