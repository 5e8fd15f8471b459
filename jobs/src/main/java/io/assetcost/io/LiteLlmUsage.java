package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.try_add;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import io.assetcost.quality.Check;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.quality.Text;
import io.assetcost.quality.Times;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads LiteLLM proxy spend logs, rows of the {@code LiteLLM_SpendLogs} table, into the canonical usage contract
 * ({@code schemas/canonical_usage.avsc}), selected with {@code --usage-format litellm}. A row's fields are
 * {@code schemas/litellm_spend_log.avsc}. docs/usage-formats/litellm.md gives the files read ({@code .jsonl} /
 * {@code .ndjson} rows, the spend-logs API's {@code .json} answer, a {@code .csv} dump of the table), the
 * mapping field by field, its sources in BerriAI/litellm and the quarantine reasons this reader gives.
 *
 * <p>Every record comes out as one row, usage or quarantined with a reason; validation and pricing then run
 * as for the job's own shapes. gateway_cost_usd is {@code spend} (USD, decimal(38,12), read as a decimal,
 * never a double); source_format is {@value #FORMAT}. No shuffle: each record is read on its own.
 */
public final class LiteLlmUsage {

    /** source_format of the rows this reader writes. */
    public static final String FORMAT = "litellm";
    /** The contract of a spend-log row ({@code schemas/litellm_spend_log.avsc}). */
    public static final String CONTRACT = "litellm_spend_log";
    /**
     * The call types that are image usage (LiteLLM's {@code CallTypes}, litellm/types/utils.py), each with the
     * Images API endpoint it calls.
     */
    public static final Map<String, String> IMAGE_CALL_TYPES = Map.of(
            "image_generation", "images.generations",
            "aimage_generation", "images.generations",
            "image_edit", "images.edits",
            "aimage_edit", "images.edits");

    private static final String CORRUPT = UsageReader.CORRUPT;
    /** JSON is JSON: Spark's parser would take single-quoted strings, which no JSON writer (nor Jackson) writes. */
    private static final Map<String, String> STRICT = Map.of("allowSingleQuotes", "false");

    private static final String MALFORMED_DETAIL_PREFIX = "not one JSON object: ";
    private static final String LINE = "_line";
    private static final String DOC = "_doc";
    private static final String ELEMENTS = "_elements";
    private static final String ELEMENT = "_element";
    private static final String META = "metadata";
    private static final String BODY = "proxy_server_request";
    private static final String TAGS = "request_tags";
    private static final String SPEND = "spend";

    /**
     * What the command line tells this reader: the keys of the caller's metadata ({@code spend_logs_metadata})
     * that hold the workflow, the asset and the project. A key absent from a row's spend_logs_metadata is
     * looked for as a request tag {@code key:value}.
     *
     * @param workflowKey key of workflow_id ({@code --litellm-workflow-key})
     * @param assetKey key of asset_id ({@code --litellm-asset-key})
     * @param projectKey key of project_id ({@code --litellm-project-key})
     */
    public record Options(String workflowKey, String assetKey, String projectKey) {

        /** The defaults: {@code workflow_id}, {@code asset_id}, {@code project_id}, the usage log's names. */
        public Options() {
            this(UsageFormatOptions.WORKFLOW_KEY, UsageFormatOptions.ASSET_KEY, UsageFormatOptions.PROJECT_KEY);
        }

        /**
         * Checks the keys.
         *
         * @throws InputException naming the option whose key is blank or holds a colon
         */
        public Options {
            key("--litellm-workflow-key", workflowKey);
            key("--litellm-asset-key", assetKey);
            key("--litellm-project-key", projectKey);
        }

        private static void key(String option, String value) {
            if (value == null || value.isBlank() || value.contains(":")) {
                throw new InputException(option + " must name a key of spend_logs_metadata (not blank, no colon),"
                        + " got '" + value + "'");
            }
        }
    }

    private LiteLlmUsage() {}

    /**
     * Reads the files of a {@code --usage} path.
     *
     * @param spark the session
     * @param files every file under the path (sorted), each {@code .jsonl}, {@code .ndjson}, {@code .json} or
     *     {@code .csv}, optionally compressed
     * @param options this format's options
     * @return canonical usage rows (not yet conformed), one per record read
     * @throws InputException when a CSV file lacks one of the contract's required header columns
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, Options options) {
        return read(spark, files, options, CsvTails.uncounted());
    }

    /**
     * Reads the files of a {@code --usage} path.
     *
     * @param spark the session
     * @param files every file under the path (sorted), each {@code .jsonl}, {@code .ndjson}, {@code .json} or
     *     {@code .csv}, optionally compressed
     * @param options this format's options
     * @param tails counts the physical lines of each CSV file's unparsed tail, as the files are read
     * @return canonical usage rows (not yet conformed), one per record read
     * @throws InputException when a CSV file lacks one of the contract's required header columns
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, Options options, CsvTails tails) {
        List<String> lines = new ArrayList<>();
        List<String> documents = new ArrayList<>();
        List<String> csv = new ArrayList<>();
        for (String f : files) {
            if (InputFiles.kindOf(f) == InputFiles.Kind.CSV) {
                csv.add(f);
            } else if (InputFiles.oneDocumentPerLine(f)) {
                lines.add(f);
            } else {
                documents.add(f);
            }
        }
        List<Dataset<Row>> parts = new ArrayList<>();
        if (!lines.isEmpty()) {
            parts.add(fromJsonRecords(unrefused(spark.read()
                    .text(lines.toArray(new String[0]))
                    .select(
                            col("value").as(RAW_RECORD),
                            col("_metadata.file_path").as(SOURCE_FILE)))));
        }
        if (!documents.isEmpty()) {
            parts.add(fromJsonRecords(elements(spark.read()
                    .option("wholetext", true)
                    .text(documents.toArray(new String[0]))
                    .select(col("value").as(DOC), col("_metadata.file_path").as(SOURCE_FILE)))));
        }
        if (!csv.isEmpty()) {
            CsvSource.checkHeaders(
                    spark.sparkContext().hadoopConfiguration(), "--usage", csv, Schemas.requiredColumns(CONTRACT));
            parts.add(fromCsv(CsvSource.read(spark, csv, Schemas.fieldNames(CONTRACT), true, tails)));
        }
        Dataset<Row> rows = parts.isEmpty()
                ? fromCsv(CsvSource.read(spark, List.of(), Schemas.fieldNames(CONTRACT), true))
                : parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            rows = rows.unionByName(parts.get(i));
        }
        return toCanonical(rows, options);
    }

    /**
     * Reads spend logs given as JSON records one by one (a quarantined record read again: {@link
     * UsageReader#reread}).
     *
     * @param records raw_record (one JSON object's text) and source_file
     * @param options the metadata keys
     * @return canonical usage rows (not yet conformed), one per record
     */
    static Dataset<Row> fromRecords(Dataset<Row> records, Options options) {
        return toCanonical(fromJsonRecords(unrefused(records)), options);
    }

    private static Dataset<Row> unrefused(Dataset<Row> records) {
        return records.withColumn(PARSE_REASON, lit(null).cast(DataTypes.StringType))
                .withColumn(PARSE_DETAIL, lit(null).cast(DataTypes.StringType));
    }

    /**
     * The records of whole JSON documents: each element of a top-level array, or of the {@code data} array of
     * a {@code /spend/logs/v2} page, as its JSON text; a document that is neither is one malformed record.
     *
     * @param docs one row per file: {@code _doc} (its text) and source_file
     * @return raw_record, source_file, parse_reason, parse_detail
     */
    static Dataset<Row> elements(Dataset<Row> docs) {
        ArrayType texts = DataTypes.createArrayType(DataTypes.StringType, true);
        Column asArray = from_json(col(DOC), texts, STRICT);
        Column asPage = from_json(col(DOC), new StructType().add("data", texts, true), STRICT)
                .getField("data");
        Column found = coalesce(asArray, asPage);
        Column notFound = found.isNull();
        return docs.withColumn(
                        ELEMENTS,
                        when(notFound, array(lit(null).cast(DataTypes.StringType)))
                                .otherwise(found))
                .select(
                        col(DOC),
                        col(SOURCE_FILE),
                        notFound.as("_not_found"),
                        explode(col(ELEMENTS)).as(ELEMENT))
                .select(
                        when(col("_not_found"), substring(col(DOC), 1, CsvSource.TAIL_CHARS))
                                .otherwise(coalesce(col(ELEMENT), lit("null")))
                                .as(RAW_RECORD),
                        col(SOURCE_FILE),
                        when(col("_not_found"), lit(QuarantineReason.MALFORMED_RECORD.code()))
                                .as(PARSE_REASON),
                        when(
                                        col("_not_found"),
                                        lit("a .json file must hold the spend-logs API's answer: a JSON array of"
                                                + " rows (/spend/logs) or a page {\"data\": [...]} (/spend/logs/v2);"
                                                + " one row per line goes in .jsonl"))
                                .as(PARSE_DETAIL));
    }

    /**
     * Parses JSON records (lines or array elements) against the contract: one JSON object each, no key twice,
     * each field the contract names of its type ({@link JsonRecords}), then typed with the contract's Spark
     * schema (spend read straight into decimal(38,12)).
     *
     * @param records raw_record, source_file, parse_reason and parse_detail (set for a record already refused)
     * @return the contract's columns typed, then the lineage columns
     */
    static Dataset<Row> fromJsonRecords(Dataset<Row> records) {
        Column inspect = JsonRecords.udf(Schemas.avro(CONTRACT).toString()).apply(col(RAW_RECORD));
        StructType schema = Schemas.spark(CONTRACT).add(CORRUPT, DataTypes.StringType, true);
        Map<String, String> permissive = Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
        Dataset<Row> parsed = records.withColumn(LINE, when(col(PARSE_REASON).isNull(), inspect))
                .withColumn(RECORD_TEXT, col(LINE + ".record_text"))
                .withColumn(PARSE_DETAIL, coalesce(col(PARSE_DETAIL), col(LINE + ".detail")))
                .withColumn(PARSE_REASON, coalesce(col(PARSE_REASON), col(LINE + ".reason")))
                .withColumn("j", from_json(col(RECORD_TEXT), schema, permissive));
        List<Column> cols = new ArrayList<>();
        for (String f : Schemas.fieldNames(CONTRACT)) {
            cols.add(col("j." + f).as(f));
        }
        cols.addAll(List.of(col(RAW_RECORD), col(RECORD_TEXT), col(SOURCE_FILE), col(PARSE_REASON), col(PARSE_DETAIL)));
        cols.add(col("j." + CORRUPT).as(CORRUPT));
        Dataset<Row> typed = parsed.select(cols.toArray(new Column[0]));
        return Check.apply(
                        typed,
                        List.of(new Check(
                                col(CORRUPT).isNotNull(),
                                QuarantineReason.MALFORMED_RECORD,
                                lit("a field is not of the spend log's type (schemas/litellm_spend_log.avsc):"
                                        + " spend must be a number, request_tags an array of strings,"
                                        + " metadata.spend_logs_metadata an object"))))
                .drop(CORRUPT);
    }

    /**
     * Types the CSV dump's text: spend and token counts with {@code try_cast}, the JSON columns parsed with the
     * contract's types. A cell that does not read makes the record {@code malformed_record} naming the column;
     * metadata that is not JSON, or has a field of the wrong type, names the field.
     *
     * @param csv string rows from {@link CsvSource#read} with the contract's columns
     * @return the contract's columns typed, then the lineage columns
     */
    static Dataset<Row> fromCsv(Dataset<Row> csv) {
        StructType contract = Schemas.spark(CONTRACT);
        Schema metaAvro = nonNull(Schemas.avro(CONTRACT).getField(META).schema());
        Column metaDetail =
                JsonRecords.udf(metaAvro.toString()).apply(col(META)).getField("detail");
        Map<String, String> permissive =
                Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT, "allowSingleQuotes", "false");
        Dataset<Row> typed = csv;
        List<Check> checks = new ArrayList<>();
        for (String c : List.of(SPEND, "prompt_tokens", "completion_tokens")) {
            DataType type = contract.apply(c).dataType();
            typed = typed.withColumn("_" + c, Text.clean(col(c)).try_cast(type));
            checks.add(new Check(
                    col(c).isNotNull().and(col("_" + c).isNull()),
                    QuarantineReason.MALFORMED_RECORD,
                    concat(
                            lit(c + " '"),
                            col(c),
                            lit(SPEND.equals(c) ? "' is not a number" : "' is not a whole number"))));
        }
        for (String c : List.of(META, BODY)) {
            StructType type = ((StructType) contract.apply(c).dataType()).add(CORRUPT, DataTypes.StringType, true);
            typed = typed.withColumn("_" + c, from_json(col(c), type, permissive));
            Column why = META.equals(c)
                    ? coalesce(metaDetail, lit("not a JSON object of LiteLLM's types"))
                    : lit("not a JSON object with n, size and quality as text or numbers");
            checks.add(new Check(
                    col(c).isNotNull()
                            .and(col("_" + c)
                                    .isNull()
                                    .or(col("_" + c + "." + CORRUPT).isNotNull())),
                    QuarantineReason.MALFORMED_RECORD,
                    concat(lit(c + ": "), why)));
        }
        typed = typed.withColumn(
                "_" + TAGS, from_json(col(TAGS), contract.apply(TAGS).dataType(), STRICT));
        checks.add(new Check(
                col(TAGS).isNotNull().and(col("_" + TAGS).isNull()),
                QuarantineReason.MALFORMED_RECORD,
                concat(lit("request_tags '"), col(TAGS), lit("' is not a JSON array of strings"))));
        typed = Check.apply(typed, checks);
        for (String c : List.of(SPEND, "prompt_tokens", "completion_tokens", META, BODY, TAGS)) {
            typed = typed.withColumn(c, col("_" + c)).drop("_" + c);
        }
        scala.collection.immutable.Seq<String> corrupt =
                scala.jdk.javaapi.CollectionConverters.asScala(List.of(CORRUPT)).toList();
        return typed.withColumn(META, col(META).dropFields(corrupt))
                .withColumn(BODY, col(BODY).dropFields(corrupt));
    }

    private static Schema nonNull(Schema s) {
        return s.getType() != Schema.Type.UNION
                ? s
                : s.getTypes().stream()
                        .filter(t -> t.getType() != Schema.Type.NULL)
                        .findFirst()
                        .orElse(s);
    }

    /**
     * Maps typed spend-log rows onto the canonical usage columns (docs/usage-formats/litellm.md, "Mapping"),
     * then applies the format's own rules in order: a time that does not read, a call that is not image usage,
     * an n that is not a whole number, input tokens without their split, cached tokens that cannot be split,
     * counts that disagree.
     *
     * @param rows the contract's columns typed ({@link #fromJsonRecords}, {@link #fromCsv}) and lineage
     * @param options the metadata keys
     * @return canonical usage columns
     */
    static Dataset<Row> toCanonical(Dataset<Row> rows, Options options) {
        Column inTotal = coalesce(usage("prompt_tokens", "input_tokens"), col("prompt_tokens"));
        Column text = usage("prompt_tokens_details.text_tokens", "input_tokens_details.text_tokens");
        Column image = usage("prompt_tokens_details.image_tokens", "input_tokens_details.image_tokens");
        Column cached = usage("prompt_tokens_details.cached_tokens", "input_tokens_details.cached_tokens");
        Column outTotal = coalesce(usage("completion_tokens", "output_tokens"), col("completion_tokens"));
        Column outImage = usage("completion_tokens_details.image_tokens", "output_tokens_details.image_tokens");
        Column outText = usage("completion_tokens_details.text_tokens", "output_tokens_details.text_tokens");
        Column hasIn = text.isNotNull().or(image.isNotNull());
        Column hasOut = outImage.isNotNull().or(outText.isNotNull());
        Column cacheHit = coalesce(Text.code(col("cache_hit")).equalTo("true"), lit(false));
        Column n = Text.clean(col(BODY + ".n"));
        Column model = coalesce(Text.clean(col("model")), Text.clean(col("model_group")));
        Dataset<Row> mapped = rows.select(
                Text.clean(col(REQUEST_ID)).as(REQUEST_ID),
                Times.iso(col("startTime")).as(CREATED_AT),
                caller(options.projectKey()).as(PROJECT_ID),
                caller(options.workflowKey()).as(WORKFLOW_ID),
                caller(options.assetKey()).as(ASSET_ID),
                Text.clean(substring_index(model, "/", -1)).as(MODEL),
                endpoint(Text.code(col("call_type"))).as(ENDPOINT),
                lit("default").as(SERVICE_TIER),
                status(Text.code(coalesce(Text.clean(col("status")), col(META + ".status"))))
                        .as(STATUS),
                Text.clean(col(META + ".error_information.error_code")).as(ERROR_CODE),
                when(n.isNull(), lit(1))
                        .otherwise(n.try_cast(DataTypes.IntegerType))
                        .as(N),
                Text.clean(col(BODY + ".size")).as(SIZE),
                Text.clean(col(BODY + ".quality")).as(QUALITY),
                counted(cacheHit, text).as(TEXT_TOKENS),
                lit(0L).as(CACHED_TEXT_TOKENS),
                counted(cacheHit, image).as(IMAGE_TOKENS),
                lit(0L).as(CACHED_IMAGE_TOKENS),
                counted(cacheHit, when(hasOut, outImage).otherwise(outTotal)).as(OUTPUT_IMAGE_TOKENS),
                counted(cacheHit, when(hasOut, outText)).as(OUTPUT_TEXT_TOKENS),
                col(SPEND).as(GATEWAY_COST_USD),
                col(RAW_RECORD),
                col(RECORD_TEXT),
                col(SOURCE_FILE),
                lit(FORMAT).as(SOURCE_FORMAT),
                col(PARSE_REASON),
                col(PARSE_DETAIL),
                col("startTime").as("_start"),
                col("call_type").as("_call_type"),
                n.as("_n"),
                when(cacheHit, lit(0L)).otherwise(inTotal).as("_in"),
                hasIn.as("_has_in"),
                counted(cacheHit, cached).as("_cached"),
                when(cacheHit, lit(0L)).otherwise(outTotal).as("_out"),
                hasOut.as("_has_out"));
        return Check.apply(mapped, rules())
                .drop("_start", "_call_type", "_n", "_in", "_has_in", "_cached", "_out", "_has_out");
    }

    /** The format's rules, in order of precedence (before validation's own). */
    private static List<Check> rules() {
        Column inSum = try_add(col(TEXT_TOKENS), col(IMAGE_TOKENS));
        Column outSum = try_add(col(OUTPUT_IMAGE_TOKENS), col(OUTPUT_TEXT_TOKENS));
        return List.of(
                new Check(
                        col("_start").isNotNull().and(col(CREATED_AT).isNull()),
                        QuarantineReason.MALFORMED_RECORD,
                        concat(lit("startTime '"), col("_start"), lit("' is not " + Times.ISO_EXAMPLE))),
                new Check(
                        col("_call_type").isNull(),
                        QuarantineReason.MISSING_FIELD,
                        lit("call_type is absent: an image generation or edit cannot be told from other calls")),
                new Check(
                        col(ENDPOINT).isNull(),
                        QuarantineReason.INVALID_VALUE,
                        concat(
                                lit("call_type '"),
                                col("_call_type"),
                                lit("' is not image usage (image_generation, aimage_generation, image_edit,"
                                        + " aimage_edit): a LiteLLM call this job does not price"))),
                new Check(
                        col("_n").isNotNull().and(col(N).isNull()),
                        QuarantineReason.MALFORMED_RECORD,
                        concat(lit("proxy_server_request.n '"), col("_n"), lit("' is not a whole number"))),
                new Check(
                        col("_in").gt(0).and(col("_has_in").unary_$bang()),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("metadata.usage_object.prompt_tokens_details is missing while the input tokens"
                                        + " are "),
                                col("_in").cast("string"),
                                lit(": text and image input cannot be told apart"))),
                new Check(
                        col("_cached").gt(0),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("prompt_tokens_details.cached_tokens "),
                                col("_cached").cast("string"),
                                lit(" cannot be split into cached text and cached image tokens"))),
                new Check(
                        col("_has_in")
                                .and(col("_in").isNotNull())
                                .and(col("_in").notEqual(inSum)),
                        QuarantineReason.INCONSISTENT_TOKENS,
                        concat(
                                lit("input tokens "),
                                col("_in").cast("string"),
                                lit(" differ from text_tokens + image_tokens = "),
                                inSum.cast("string"))),
                new Check(
                        col("_has_out")
                                .and(col("_out").isNotNull())
                                .and(col("_out").notEqual(outSum)),
                        QuarantineReason.INCONSISTENT_TOKENS,
                        concat(
                                lit("output tokens "),
                                col("_out").cast("string"),
                                lit(" differ from completion_tokens_details image_tokens + text_tokens = "),
                                outSum.cast("string"))));
    }

    /** The Images API endpoint of an image call type; null for any other call. */
    private static Column endpoint(Column callType) {
        Column endpoint = lit(null).cast(DataTypes.StringType);
        for (Map.Entry<String, String> e : IMAGE_CALL_TYPES.entrySet()) {
            endpoint = when(callType.equalTo(e.getKey()), lit(e.getValue())).otherwise(endpoint);
        }
        return endpoint;
    }

    /** LiteLLM's success / failure as the usage log spells them (succeeded / failed); another value as it is. */
    private static Column status(Column status) {
        return when(status.equalTo("success"), lit("succeeded"))
                .when(status.equalTo("failure"), lit("failed"))
                .otherwise(status);
    }

    /** A count from metadata.usage_object, else from metadata.additional_usage_values (may be null). */
    private static Column usage(String usageObjectField, String imageUsageField) {
        return coalesce(
                col(META + ".usage_object." + usageObjectField),
                col(META + ".additional_usage_values." + imageUsageField));
    }

    /** A token count: absent = 0; 0 for a LiteLLM cache hit, which the provider did not bill. */
    private static Column counted(Column cacheHit, Column tokens) {
        return when(cacheHit, lit(0L)).otherwise(coalesce(tokens, lit(0L)));
    }

    /** The caller's value for a key: spend_logs_metadata[key], else the first request tag {@code key:value}. */
    private static Column caller(String key) {
        Column fromMetadata = Text.clean(try_element_at(col(META + ".spend_logs_metadata"), lit(key)));
        String prefix = key + ":";
        Column tagged = filter(col(TAGS), t -> t.startsWith(prefix));
        Column fromTag = Text.clean(try_element_at(
                transform(tagged, t -> substring(t, prefix.length() + 1, Integer.MAX_VALUE)), lit(1)));
        return coalesce(fromMetadata, fromTag);
    }
}
