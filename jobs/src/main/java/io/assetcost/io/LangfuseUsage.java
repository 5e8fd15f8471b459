package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.try_add;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.assetcost.quality.Check;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.quality.Text;
import io.assetcost.quality.Times;
import io.assetcost.quality.UsageValidation;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads Langfuse's scheduled blob-storage export of observations (JSON Lines; {@code --usage-format
 * langfuse}) into the canonical usage contract ({@code schemas/canonical_usage.avsc}). The files read, the
 * mapping field by field, its sources in langfuse/langfuse (the export's columns and their ClickHouse types)
 * and what the export cannot say are in docs/usage-formats/langfuse.md. Usage buckets are Langfuse's:
 * separate, not subsets ({@code input} keeps only the tokens no detail names).
 *
 * <p>Per line: a {@code GENERATION} observation is one usage record; any other type (span, event, agent,
 * tool, ...) is skipped and counted with the blank lines ({@link UsageValidation#BLANK_LINE}, the detail
 * names the type), never quarantined and never lost. Files in a {@code scores/} or {@code traces/} folder
 * are other tables: not read here ({@link LangfuseScores} reads scores).
 *
 * <p>Cost: the line is parsed as the usage log's is, once by {@link JsonRecords} (Jackson: record_text and the
 * JSON types of the named fields, the one function per row) and once by {@code from_json} with an explicit
 * schema (money straight into decimal(38,12)); the small nested texts (metadata, usage_details,
 * model_parameters, tags) once more each; total_cost's text is looked up again only on a line without a
 * readable amount. No join, no shuffle: the legacy export's trace tags live in the {@code traces/} files,
 * and joining them would shuffle every observation, so workflow and asset come from the observation's
 * metadata, or from the trace tags the enriched export carries on the same line.
 */
public final class LangfuseUsage {

    /** source_format of this reader's rows. */
    public static final String FORMAT = "langfuse";
    /** The observation type that is usage. */
    static final String GENERATION = "GENERATION";
    /** Metadata key naming the endpoint ({@code images.generations} or {@code images.edits}). */
    public static final String ENDPOINT_KEY = "endpoint";
    /** Metadata key naming the provider's error code of a failed call. */
    public static final String ERROR_CODE_KEY = "error_code";
    /** The usage_details buckets read, in the order their type is checked. */
    static final List<String> BUCKETS = List.of(
            "input",
            "input_text_tokens",
            "input_image_tokens",
            "input_cached_tokens",
            "input_cached_text_tokens",
            "input_cached_image_tokens",
            "cache_read_input_tokens",
            "output",
            "output_image_tokens",
            "output_text_tokens",
            "total");

    private static final String LINE = "_line";
    private static final String J = "j";
    private static final String META = "_meta";
    private static final String USAGE = "_usage";
    private static final String COSTS = "_costs";
    private static final String TOTAL_COST = "total_cost";
    private static final String COST_DETAILS = "cost_details";
    private static final String PARAMS = "_params";
    private static final String TAGS = "_tags";
    /** Prefix of a usage bucket's text as read. */
    private static final String RAW = "_raw_";
    /** Prefix of a usage bucket's count (long; null when absent or not a whole number). */
    private static final String COUNT = "_count_";

    private static final DataType STRING_MAP = DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType);
    private static final DataType MONEY =
            Schemas.spark(Schemas.CANONICAL_USAGE).apply(GATEWAY_COST_USD).dataType();

    /**
     * What the command line tells this reader: the metadata keys (or {@code key:value} trace tags) that name
     * a record's workflow, asset and OpenAI project.
     *
     * @param workflowKey {@code --langfuse-workflow-key}
     * @param assetKey {@code --langfuse-asset-key}
     * @param projectKey {@code --langfuse-project-key}
     */
    public record Options(String workflowKey, String assetKey, String projectKey) {

        /** The defaults: {@code workflow_id}, {@code asset_id}, {@code project_id}. */
        public Options() {
            this(UsageFormatOptions.WORKFLOW_KEY, UsageFormatOptions.ASSET_KEY, UsageFormatOptions.PROJECT_KEY);
        }

        /**
         * Checks the keys.
         *
         * @throws InputException naming the option whose key is blank or holds a colon
         */
        public Options {
            String[][] keys = {
                {"--langfuse-workflow-key", workflowKey},
                {"--langfuse-asset-key", assetKey},
                {"--langfuse-project-key", projectKey}
            };
            for (String[] k : keys) {
                if (k[1] == null || k[1].isBlank() || k[1].contains(":")) {
                    throw new InputException(k[0] + " must be a metadata key without ':', got '" + k[1] + "'");
                }
            }
        }
    }

    private LangfuseUsage() {}

    /**
     * Reads the files of a {@code --usage} path.
     *
     * @param spark the session
     * @param files every file under the path (sorted)
     * @param options this format's options
     * @return canonical usage rows, one per line read of the observation files
     * @throws InputException when a file is a {@code .json} file (one JSON array: export as JSONL)
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, Options options) {
        List<String> observations = files.stream()
                .filter(f -> !inFolder(f, "scores") && !inFolder(f, "traces"))
                .toList();
        for (String f : observations) {
            if (!InputFiles.oneDocumentPerLine(f)) {
                throw new InputException("--usage file " + f + " is not JSON Lines: set the Langfuse blob storage"
                        + " export's file type to JSONL (a .json export is one JSON array)");
            }
        }
        if (observations.isEmpty()) {
            return spark.createDataFrame(List.of(), Schemas.spark(Schemas.CANONICAL_USAGE));
        }
        return fromLines(
                spark.read()
                        .text(observations.toArray(new String[0]))
                        .select(
                                col("value").as(RAW_RECORD),
                                col("_metadata.file_path").as(SOURCE_FILE)),
                options);
    }

    /** Whether a path lies in a folder of the given name (Langfuse's {@code <project>/<table>/} layout). */
    static boolean inFolder(String file, String folder) {
        return file.contains("/" + folder + "/");
    }

    /**
     * Maps export lines to canonical usage.
     *
     * @param lines raw_record (one line, string) and source_file
     * @param options this format's options
     * @return canonical rows (not yet conformed: {@link UsageReader#read} conforms them), one per line: a
     *     generation as usage; another observation type, or a blank line, with parse_reason
     *     {@link UsageValidation#BLANK_LINE}; a line that cannot be trusted with its reason and detail
     */
    public static Dataset<Row> fromLines(Dataset<Row> lines, Options options) {
        // Every field as text (an object's or array's JSON text), but the money: Spark renders a JSON number
        // read as text through a double, so total_cost and cost_details are read straight into decimal(38,12).
        StructType strings = new StructType();
        for (String name : Schemas.fieldNames(Schemas.LANGFUSE_OBSERVATION)) {
            DataType type = name.equals(TOTAL_COST)
                    ? MONEY
                    : name.equals(COST_DETAILS)
                            ? DataTypes.createMapType(DataTypes.StringType, MONEY)
                            : DataTypes.StringType;
            strings = strings.add(name, type, true);
        }
        Column inspect = JsonRecords.udf(
                        Schemas.avro(Schemas.LANGFUSE_OBSERVATION).toString())
                .apply(col(RAW_RECORD));
        Dataset<Row> parsed = lines.withColumn(LINE, inspect)
                .withColumn(RECORD_TEXT, col(LINE + ".record_text"))
                .withColumn(PARSE_REASON, col(LINE + ".reason"))
                .withColumn(PARSE_DETAIL, col(LINE + ".detail"))
                .withColumn(J, from_json(col(RECORD_TEXT), strings, Map.of("mode", "PERMISSIVE")))
                .withColumn(META, from_json(col(J + ".metadata"), STRING_MAP))
                .withColumn(USAGE, from_json(col(J + ".usage_details"), STRING_MAP))
                .withColumn(COSTS, col(J + "." + COST_DETAILS))
                .withColumn(PARAMS, from_json(col(J + ".model_parameters"), STRING_MAP))
                .withColumn(TAGS, from_json(col(J + ".tags"), DataTypes.createArrayType(DataTypes.StringType)));
        for (String b : BUCKETS) {
            Column raw = col(USAGE).getItem(b);
            parsed = parsed.withColumn(RAW + b, raw)
                    .withColumn(COUNT + b, Text.clean(raw).try_cast(DataTypes.LongType));
        }
        Column skipped = col(PARSE_REASON).isNull().and(coalesce(col("_type").notEqual(GENERATION), lit(false)));
        Dataset<Row> typed = parsed.select(columns(options))
                .withColumn(
                        PARSE_DETAIL,
                        when(skipped, concat(lit("not usage: a "), col("_type"), lit(" observation")))
                                .otherwise(col(PARSE_DETAIL)))
                .withColumn(
                        PARSE_REASON,
                        when(skipped, lit(UsageValidation.BLANK_LINE)).otherwise(col(PARSE_REASON)));
        return Check.apply(typed, rules());
    }

    /** The canonical columns of a parsed line, then the helper columns its rules read. */
    private static Column[] columns(Options options) {
        List<Column> cols = new ArrayList<>(List.of(
                Text.clean(field("id")).as(REQUEST_ID),
                Times.iso(field("start_time")).as(CREATED_AT),
                named(options.projectKey()).as(PROJECT_ID),
                named(options.workflowKey()).as(WORKFLOW_ID),
                named(options.assetKey()).as(ASSET_ID),
                Text.clean(field("provided_model_name")).as(MODEL),
                endpoint().as(ENDPOINT),
                coalesce(param(SERVICE_TIER), meta(SERVICE_TIER), lit("default"))
                        .as(SERVICE_TIER),
                when(upper(Text.clean(field("level"))).equalTo("ERROR"), lit("failed"))
                        .otherwise(lit("succeeded"))
                        .as(STATUS),
                meta(ERROR_CODE_KEY).as(ERROR_CODE),
                // n absent = 1, the Images API's default (as the Batch and LiteLLM readers read it).
                when(param(N).isNull(), lit(1))
                        .otherwise(param(N).try_cast(DataTypes.IntegerType))
                        .as(N),
                param(SIZE).as(SIZE),
                param(QUALITY).as(QUALITY),
                try_add(bucket("input_text_tokens"), cachedText()).as(TEXT_TOKENS),
                cachedText().as(CACHED_TEXT_TOKENS),
                try_add(bucket("input_image_tokens"), bucket("input_cached_image_tokens"))
                        .as(IMAGE_TOKENS),
                bucket("input_cached_image_tokens").as(CACHED_IMAGE_TOKENS),
                try_add(bucket("output_image_tokens"), bucket("output")).as(OUTPUT_IMAGE_TOKENS),
                bucket("output_text_tokens").as(OUTPUT_TEXT_TOKENS),
                cost().as(GATEWAY_COST_USD),
                col(RAW_RECORD),
                col(RECORD_TEXT),
                col(SOURCE_FILE),
                lit(FORMAT).as(SOURCE_FORMAT),
                col(PARSE_REASON),
                col(PARSE_DETAIL),
                upper(Text.clean(field("type"))).as("_type"),
                field("start_time").as("_start"),
                field("metadata").as("_metadata_text"),
                col(META).isNotNull().as("_meta_ok"),
                field("usage_details").as("_usage_text"),
                col(USAGE).isNotNull().as("_usage_ok"),
                field("model_parameters").as("_params_text"),
                col(PARAMS).isNotNull().as("_params_ok"),
                param(N).as("_n_text"),
                Text.clean(field("name")).as("_name"),
                // The cost's JSON text, looked up (a second parse) only where no amount could be read.
                when(cost().isNull(), get_json_object(col(RECORD_TEXT), "$." + TOTAL_COST))
                        .as("_cost_text")));
        for (String b : BUCKETS) {
            cols.add(col(RAW + b));
            cols.add(col(COUNT + b));
        }
        return cols.toArray(new Column[0]);
    }

    /**
     * The rules of a line, in order of precedence, after the ones {@link JsonRecords} applied (not one JSON
     * object, a named field of the wrong JSON type: {@code malformed_record}).
     */
    private static List<Check> rules() {
        List<Check> rules = new ArrayList<>();
        rules.add(new Check(
                col("_type").isNull(),
                QuarantineReason.MISSING_FIELD,
                lit("type is missing: an observation line names its type (GENERATION is usage)")));
        rules.add(notAnObject("_metadata_text", "_meta_ok", "metadata"));
        rules.add(notAnObject("_usage_text", "_usage_ok", "usage_details"));
        rules.add(notAnObject("_params_text", "_params_ok", "model_parameters"));
        for (String b : BUCKETS) {
            Column raw = col(RAW + b);
            rules.add(new Check(
                    raw.isNotNull().and(rawBucket(b).isNull()),
                    QuarantineReason.MALFORMED_RECORD,
                    concat(lit("usage_details." + b + " '"), raw, lit("' is not a whole number of tokens"))));
        }
        rules.add(new Check(
                col("_start").isNotNull().and(col(CREATED_AT).isNull()),
                QuarantineReason.MALFORMED_RECORD,
                concat(lit("start_time '"), col("_start"), lit("' is not " + Times.ISO_EXAMPLE))));
        rules.add(new Check(
                col("_n_text").isNotNull().and(col(N).isNull()),
                QuarantineReason.MALFORMED_RECORD,
                concat(lit("model_parameters.n '"), col("_n_text"), lit("' is not a whole number"))));
        rules.add(new Check(
                col("_cost_text").isNotNull().and(col(GATEWAY_COST_USD).isNull()),
                QuarantineReason.MALFORMED_RECORD,
                concat(lit("total_cost '"), col("_cost_text"), lit("' is not an amount in USD"))));
        rules.add(notImageUsage());
        Column unsplit = try_add(bucket("input"), bucket("cache_read_input_tokens"));
        rules.add(new Check(
                unsplit.gt(0),
                QuarantineReason.MISSING_FIELD,
                concat(
                        lit("usage_details has "),
                        unsplit.cast("string"),
                        lit(" input tokens in input / cache_read_input_tokens, not split into input_text_tokens"
                                + " and input_image_tokens: text and image input cannot be told apart"))));
        Column sum = allBuckets();
        rules.add(new Check(
                rawBucket("total").isNotNull().and(rawBucket("total").notEqual(sum)),
                QuarantineReason.INCONSISTENT_TOKENS,
                concat(
                        lit("usage_details.total "),
                        rawBucket("total").cast("string"),
                        lit(" differs from the sum of its buckets "),
                        sum.cast("string"))));
        return List.of(rules.toArray(new Check[0]));
    }

    /**
     * A generation of another kind (a chat completion traced beside the images) is not image usage: no
     * endpoint says it is one and no bucket counts an image; say so rather than what its usage lacks.
     */
    private static Check notImageUsage() {
        Column noImageBucket = rawBucket("input_image_tokens")
                .isNull()
                .and(rawBucket("input_cached_image_tokens").isNull())
                .and(rawBucket("output_image_tokens").isNull());
        return new Check(
                col(ENDPOINT).isNull().and(noImageBucket),
                QuarantineReason.INVALID_VALUE,
                concat(
                        lit("a generation that is not image usage: name '"),
                        coalesce(col("_name"), lit("")),
                        lit("', model '"),
                        coalesce(col(MODEL), lit("")),
                        lit("', no " + ENDPOINT_KEY + " in its metadata and no image bucket in usage_details"
                                + " (a call this job does not price)")));
    }

    private static Check notAnObject(String text, String ok, String name) {
        return new Check(
                col(text).isNotNull().and(col(ok).unary_$bang()),
                QuarantineReason.MALFORMED_RECORD,
                lit(name + " is not a JSON object"));
    }

    private static Column field(String name) {
        return col(J + "." + name);
    }

    private static Column meta(String key) {
        return Text.clean(col(META).getItem(key));
    }

    private static Column param(String key) {
        return Text.clean(col(PARAMS).getItem(key));
    }

    /** The value of a {@code key:value} trace tag (observations_v2/ lines carry the trace's tags). */
    private static Column tag(String key) {
        String prefix = key + ":";
        Column found = try_element_at(filter(col(TAGS), t -> t.startsWith(prefix)), lit(1));
        return Text.clean(substring(found, prefix.length() + 1, Integer.MAX_VALUE));
    }

    /** A value named by metadata key, else by trace tag. */
    private static Column named(String key) {
        return coalesce(meta(key), tag(key));
    }

    /**
     * The endpoint: the metadata's {@value #ENDPOINT_KEY}, else the observation name LiteLLM's Langfuse
     * callback writes ({@code litellm-<call_type>}: {@code image_generation}, {@code aimage_edit}, ...).
     */
    private static Column endpoint() {
        Column name = lower(Text.clean(field("name")));
        return coalesce(
                meta(ENDPOINT_KEY),
                when(name.rlike("image_?edit"), lit("images.edits"))
                        .when(name.rlike("image_?generation"), lit("images.generations")));
    }

    /** Langfuse's cost of the call, USD decimal(38,12): total_cost, else cost_details.total. */
    private static Column cost() {
        return coalesce(field(TOTAL_COST), col(COSTS).getItem("total"));
    }

    /** A bucket's count as read; null when absent or not a whole number. */
    private static Column rawBucket(String b) {
        return col(COUNT + b);
    }

    /** A bucket's count, absent = 0. */
    private static Column bucket(String b) {
        return coalesce(rawBucket(b), lit(0L));
    }

    /** Cached text input: Langfuse's {@code input_cached_tokens} and {@code input_cached_text_tokens}. */
    private static Column cachedText() {
        return try_add(bucket("input_cached_tokens"), bucket("input_cached_text_tokens"));
    }

    /** The sum of every bucket but total (try_add: no sum near 2^63). */
    private static Column allBuckets() {
        Column sum = lit(0L);
        for (String b : BUCKETS) {
            if (!b.equals("total")) {
                sum = try_add(sum, bucket(b));
            }
        }
        return sum;
    }
}
