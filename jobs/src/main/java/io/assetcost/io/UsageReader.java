package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.from_csv;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.try_add;
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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads usage into one canonical shape (README, "Inputs"): the job's own three forms, told apart by file
 * extension (the nested usage log {@code .jsonl}, the flat export as {@code .csv} or {@code .parquet}), and
 * through their own readers the exports of other tools ({@link UsageFormat}). Every schema is explicit, from
 * {@code schemas/usage_log.avsc} and {@code schemas/usage_export.avsc}; nothing is inferred.
 *
 * <p>Every reader ends in the canonical usage contract, {@code schemas/canonical_usage.avsc}, whose field docs
 * give each column's type and unit (times UTC, token counts long; absent counts are 0, blank strings null),
 * the lineage columns last. After them comes {@code export_row}: a Parquet row's fields as read, whose JSON is
 * that row's raw_record. A Parquet row's raw_record is left null here and rendered from export_row only where
 * the record goes to quarantine ({@link io.assetcost.quality.UsageValidation#rawRecord}): about two rows in a
 * thousand need it in the benchmark's data, and the text is most of a row's bytes in the shuffle and the sort
 * that find its copies.
 */
public final class UsageReader {

    /** Column Spark fills with a JSON line it cannot parse against the schema. */
    static final String CORRUPT = "_corrupt_record";
    /** source_format of the nested usage log. */
    public static final String FORMAT_JSONL = "jsonl";
    /** source_format of the flat CSV export. */
    public static final String FORMAT_CSV = "csv";
    /** source_format of the flat Parquet export. */
    public static final String FORMAT_PARQUET = "parquet";
    /** Internal column: what {@link JsonRecords} found in a line. */
    private static final String LINE = "_line";
    /** Latest credible unix second (2100-01-01T00:00:00Z); beyond it `created` is not unix seconds. */
    static final long MAX_UNIX_SECONDS = 4_102_444_800L;

    /** The type of {@code export_row}: the export contract's fields as the Parquet reader types them. */
    private static final DataType EXPORT_ROW_TYPE = Schemas.spark(Schemas.USAGE_EXPORT);

    /** gateway_cost_usd of the job's own shapes, which carry no gateway cost. */
    private static final Column NO_GATEWAY_COST = lit(null)
            .cast(Schemas.spark(Schemas.CANONICAL_USAGE).apply(GATEWAY_COST_USD).dataType())
            .as(GATEWAY_COST_USD);

    private UsageReader() {}

    /**
     * Reads every usage file.
     *
     * @param spark the session
     * @param files files per kind, from {@link InputFiles#list}
     * @return canonical usage rows, one per record read: a physical line of a JSON Lines file (a blank line
     *     is a row whose parse_reason is {@link io.assetcost.quality.UsageValidation#BLANK_LINE}), a CSV
     *     record, a Parquet row
     */
    public static Dataset<Row> read(SparkSession spark, Map<InputFiles.Kind, List<String>> files) {
        return read(spark, UsageFormat.AUTO, files, UsageFormatOptions.defaults());
    }

    /**
     * Reads every usage file of one {@code --usage-format}: the job's own shapes by extension, or one of
     * the exports other tools write, each through its own reader.
     *
     * @param spark the session
     * @param format the format
     * @param files files per kind, from {@link InputFiles#list} with the format's {@link UsageFormat#kinds}
     * @param options the options of the formats that are not the job's own
     * @return canonical usage rows, one per record read
     * @throws InputException when a format's files cannot be read as that format (the message says why)
     */
    public static Dataset<Row> read(
            SparkSession spark,
            UsageFormat format,
            Map<InputFiles.Kind, List<String>> files,
            UsageFormatOptions options) {
        return read(spark, format, files, options, CsvTails.uncounted());
    }

    /**
     * Reads every usage file of one {@code --usage-format}, counting the unparsed tails of its CSV files.
     *
     * @param spark the session
     * @param format the format
     * @param files files per kind, from {@link InputFiles#list} with the format's {@link UsageFormat#kinds}
     * @param options the options of the formats that are not the job's own
     * @param tails counts the physical lines of each CSV file's unparsed tail, as the files are read
     * @return canonical usage rows, one per record read
     * @throws InputException when a format's files cannot be read as that format (the message says why)
     */
    public static Dataset<Row> read(
            SparkSession spark,
            UsageFormat format,
            Map<InputFiles.Kind, List<String>> files,
            UsageFormatOptions options,
            CsvTails tails) {
        if (!format.own()) {
            List<String> all =
                    files.values().stream().flatMap(List::stream).sorted().toList();
            Dataset<Row> rows = switch (format) {
                case BATCH -> BatchUsage.read(spark, all, options.batch());
                case LITELLM -> LiteLlmUsage.read(spark, all, options.litellm());
                case LANGFUSE -> LangfuseUsage.read(spark, all, options.langfuse());
                default -> throw new IllegalStateException(format.code());
            };
            return canonical(rows);
        }
        return readOwn(spark, files, tails);
    }

    private static Dataset<Row> readOwn(SparkSession spark, Map<InputFiles.Kind, List<String>> files, CsvTails tails) {
        List<Dataset<Row>> parts = new ArrayList<>();
        for (Map.Entry<InputFiles.Kind, List<String>> e : files.entrySet()) {
            List<String> paths = e.getValue();
            parts.add(
                    switch (e.getKey()) {
                        case JSON_LINES ->
                            fromJsonLines(spark.read()
                                    .text(paths.toArray(new String[0]))
                                    .select(
                                            col("value").as(RAW_RECORD),
                                            col("_metadata.file_path").as(SOURCE_FILE)));
                        case CSV ->
                            fromExportCsv(CsvSource.read(
                                    spark, paths, Schemas.fieldNames(Schemas.USAGE_EXPORT), true, tails));
                        case PARQUET ->
                            fromExportParquet(spark.read()
                                    .schema(Schemas.spark(Schemas.USAGE_EXPORT))
                                    .parquet(paths.toArray(new String[0]))
                                    .withColumn(SOURCE_FILE, col("_metadata.file_path")));
                    });
        }
        if (parts.isEmpty()) {
            return withExportRow(spark.createDataFrame(List.of(), Schemas.spark(Schemas.CANONICAL_USAGE)));
        }
        Dataset<Row> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.unionByName(parts.get(i));
        }
        return all;
    }

    /**
     * Checks on the driver that the Parquet files' columns that the export contract names have its types
     * (a whole number may be an int; a timestamp may lack a zone: both read as the contract says).
     *
     * @param spark the session
     * @param option the option, for messages
     * @param files the Parquet files
     * @throws InputException naming the column, its type and the expected one
     */
    public static void checkParquetSchema(SparkSession spark, String option, List<String> files) {
        if (files.isEmpty()) {
            return;
        }
        StructType found = spark.read().parquet(files.toArray(new String[0])).schema();
        for (StructField want : Schemas.spark(Schemas.USAGE_EXPORT).fields()) {
            for (StructField have : found.fields()) {
                if (have.name().equals(want.name()) && !compatible(have.dataType(), want.dataType())) {
                    throw new InputException(option + " Parquet column " + want.name() + " is "
                            + have.dataType().simpleString() + ", expected "
                            + want.dataType().simpleString()
                            + " (schemas/usage_export.avsc)");
                }
            }
        }
    }

    private static boolean compatible(DataType have, DataType want) {
        return have.equals(want)
                || (want.equals(DataTypes.LongType) && have.equals(DataTypes.IntegerType))
                || (want.equals(DataTypes.TimestampType) && have.equals(DataTypes.TimestampNTZType));
    }

    /**
     * Reads quarantined usage records again, by their source_format (the reader that read them), or where the
     * record has none (a quarantine written before the column existed) by the kind of their source_file
     * ({@link InputFiles#kindOf(String)}, the rule the listing used), with the same parsers and options as
     * {@link #read} (so the month close's coverage counts use the same token rules as the night).
     *
     * <p>A record that reads alone is read from its raw_record: the usage log's line, the flat export's CSV
     * record (stored re-encoded per RFC 4180) or Parquet row (stored as JSON), a Langfuse observation line, a
     * LiteLLM spend log given as JSON. Two kinds do not read alone: a LiteLLM CSV record needs its file's
     * header, and an OpenAI Batch output or error line the input line of its custom_id in another file. Those
     * are found again in their files (the CSV file; every file of the batch's directory): the files are read
     * again with the format's reader and the record matched by source_file and raw_record. A record whose
     * file is gone, or no longer holds it, comes back {@code malformed_record} saying so, as does a record of
     * a format this job does not know.
     *
     * @param records rows with raw_record and source_file, and optionally source_format
     * @param options the options the night read the usage with (the keys of workflow, asset and project)
     * @return canonical rows, one per record (parse_reason set where the record still cannot be read)
     */
    public static Dataset<Row> reread(Dataset<Row> records, UsageFormatOptions options) {
        Column format = List.of(records.columns()).contains(SOURCE_FORMAT)
                ? col(SOURCE_FORMAT)
                : lit(null).cast(DataTypes.StringType);
        Dataset<Row> withFormat = records.select(col(RAW_RECORD), col(SOURCE_FILE), format.as(SOURCE_FORMAT));
        Column own = col(SOURCE_FORMAT).isNull().or(col(SOURCE_FORMAT).isin(FORMAT_JSONL, FORMAT_CSV, FORMAT_PARQUET));
        Column csvFile = InputFiles.kindOf(col(SOURCE_FILE)).equalTo(InputFiles.Kind.CSV.name());
        Column litellm = col(SOURCE_FORMAT).equalTo(LiteLlmUsage.FORMAT);
        Column langfuse = col(SOURCE_FORMAT).equalTo(LangfuseUsage.FORMAT);
        Column batch = col(SOURCE_FORMAT).equalTo(BatchUsage.FORMAT);
        SparkSession spark = records.sparkSession();
        List<Dataset<Row>> parts = List.of(
                rereadOwn(withFormat.filter(own), col(SOURCE_FORMAT)),
                canonical(LangfuseUsage.fromLines(
                        withFormat.filter(langfuse).select(RAW_RECORD, SOURCE_FILE), options.langfuse())),
                canonical(LiteLlmUsage.fromRecords(
                        withFormat.filter(litellm.and(csvFile.unary_$bang())).select(RAW_RECORD, SOURCE_FILE),
                        options.litellm())),
                inTheirFiles(
                        withFormat.filter(litellm.and(csvFile)),
                        LiteLlmUsage.FORMAT,
                        file -> file,
                        files -> LiteLlmUsage.read(spark, files, options.litellm())),
                inTheirFiles(
                        withFormat.filter(batch),
                        BatchUsage.FORMAT,
                        file -> new org.apache.hadoop.fs.Path(file).getParent().toString(),
                        files -> BatchUsage.read(spark, files, options.batch())),
                withFormat
                        .filter(own.or(litellm).or(langfuse).or(batch).unary_$bang())
                        .select(
                                col(RAW_RECORD),
                                col(SOURCE_FILE),
                                col(SOURCE_FORMAT),
                                lit(QuarantineReason.MALFORMED_RECORD.code()).as(PARSE_REASON),
                                concat(lit("a "), col(SOURCE_FORMAT), lit(" record is of no format this job reads"))
                                        .as(PARSE_DETAIL)));
        Dataset<Row> all = parts.get(0);
        for (Dataset<Row> part : parts.subList(1, parts.size())) {
            all = all.unionByName(part, true);
        }
        return all;
    }

    /**
     * Finds records again in their files: lists the location each source_file names (the file itself, or its
     * batch directory), reads what is still there with the format's reader, and matches the records by
     * source_file and raw_record. Collects the records' distinct source files on the driver (a month's
     * quarantine names few files).
     */
    private static Dataset<Row> inTheirFiles(
            Dataset<Row> records,
            String format,
            java.util.function.UnaryOperator<String> location,
            java.util.function.Function<List<String>, Dataset<Row>> reader) {
        SparkSession spark = records.sparkSession();
        java.util.SortedSet<String> files = new java.util.TreeSet<>();
        for (Row r : records.select(SOURCE_FILE).distinct().collectAsList()) {
            if (r.isNullAt(0)) {
                continue;
            }
            try {
                InputFiles.list(
                                spark.sparkContext().hadoopConfiguration(),
                                "--tables",
                                location.apply(r.getString(0)),
                                UsageFormat.of(format).kinds())
                        .values()
                        .forEach(files::addAll);
            } catch (InputException gone) {
                // The file or directory is gone or changed: its records are not found below and say so.
            }
        }
        Dataset<Row> again = (files.isEmpty()
                        ? spark.createDataFrame(List.of(), Schemas.spark(Schemas.CANONICAL_USAGE))
                        : canonical(reader.apply(new ArrayList<>(files))).dropDuplicates(SOURCE_FILE, RAW_RECORD))
                .withColumnRenamed(RAW_RECORD, "_again_raw")
                .withColumnRenamed(SOURCE_FILE, "_again_file")
                .withColumnRenamed(PARSE_REASON, "_reason")
                .withColumnRenamed(PARSE_DETAIL, "_detail")
                .withColumn("_found", lit(true))
                .drop(SOURCE_FORMAT);
        Dataset<Row> wanted =
                records.select(col(RAW_RECORD).as("_raw"), col(SOURCE_FILE).as("_file"));
        Column missing = col("_found").isNull();
        return canonical(wanted.join(
                        again,
                        col("_raw")
                                .eqNullSafe(col("_again_raw"))
                                .and(col("_file").eqNullSafe(col("_again_file"))),
                        "left")
                .withColumn(RAW_RECORD, col("_raw"))
                .withColumn(SOURCE_FILE, col("_file"))
                .withColumn(SOURCE_FORMAT, lit(format))
                .withColumn(
                        PARSE_REASON,
                        when(missing, lit(QuarantineReason.MALFORMED_RECORD.code()))
                                .otherwise(col("_reason")))
                .withColumn(
                        PARSE_DETAIL,
                        when(missing, concat(lit("a " + format + " record is no longer in its file "), col("_file")))
                                .otherwise(col("_detail"))));
    }

    private static Dataset<Row> rereadOwn(Dataset<Row> records, Column format) {
        Column kind = when(format.equalTo(FORMAT_JSONL), lit(InputFiles.Kind.JSON_LINES.name()))
                .when(format.equalTo(FORMAT_CSV), lit(InputFiles.Kind.CSV.name()))
                .when(format.equalTo(FORMAT_PARQUET), lit(InputFiles.Kind.PARQUET.name()))
                .otherwise(InputFiles.kindOf(col(SOURCE_FILE)));
        Dataset<Row> json = records.filter(kind.equalTo(InputFiles.Kind.JSON_LINES.name()))
                .select(col(RAW_RECORD), col(SOURCE_FILE));
        StructType export = Schemas.spark(Schemas.USAGE_EXPORT);
        StructType asText = new StructType();
        for (StructField f : export.fields()) {
            asText = asText.add(f.name(), DataTypes.StringType, true);
        }
        Dataset<Row> csv = records.filter(kind.equalTo(InputFiles.Kind.CSV.name()))
                .select(
                        from_csv(coalesce(col(RAW_RECORD), lit("")), lit(asText.toDDL()), Map.of("mode", "PERMISSIVE"))
                                .as("c"),
                        col(RAW_RECORD),
                        col(SOURCE_FILE))
                .select(
                        col("c.*"),
                        col(RAW_RECORD),
                        col(RAW_RECORD).as(RECORD_TEXT),
                        col(SOURCE_FILE),
                        when(col(RAW_RECORD).isNull(), lit(QuarantineReason.MALFORMED_RECORD.code()))
                                .as(PARSE_REASON),
                        when(col(RAW_RECORD).isNull(), lit("no record text")).as(PARSE_DETAIL));
        Dataset<Row> parquet = records.filter(kind.equalTo(InputFiles.Kind.PARQUET.name()))
                .select(from_json(col(RAW_RECORD), export).as("p"), col(RAW_RECORD), col(SOURCE_FILE))
                .select(col("p.*"), col(RAW_RECORD), col(SOURCE_FILE));
        return fromJsonLines(json).unionByName(fromExportCsv(csv)).unionByName(fromExportParquet(parquet));
    }

    /**
     * Parses JSON Lines text into canonical usage.
     *
     * @param lines raw_record (one line, string) and source_file
     * @return canonical rows; a line that is not a JSON object of the usage log's types gets
     *     {@code malformed_record}, usage with input tokens but no input_tokens_details gets
     *     {@code missing_field}, input_tokens that disagree with their details {@code inconsistent_tokens}
     */
    public static Dataset<Row> fromJsonLines(Dataset<Row> lines) {
        StructType schema = Schemas.spark(Schemas.USAGE_LOG).add(CORRUPT, DataTypes.StringType, true);
        Map<String, String> options = Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
        Column inspect =
                JsonRecords.udf(Schemas.avro(Schemas.USAGE_LOG).toString()).apply(col(RAW_RECORD));
        Dataset<Row> parsed = lines.withColumn(LINE, inspect)
                .withColumn(RECORD_TEXT, col(LINE + ".record_text"))
                .withColumn("j", from_json(col(RECORD_TEXT), schema, options));
        return Check.apply(parsed.select(jsonColumns()), jsonRules()).transform(UsageReader::canonical);
    }

    /** The canonical columns of a parsed usage log line ({@code j}), then the helpers its rules read. */
    private static Column[] jsonColumns() {
        Column usage = col("j.usage");
        Column inDetails = col("j.usage.input_tokens_details");
        Column outDetails = col("j.usage.output_tokens_details");
        Column created = col("j.created");
        Column noInput = usage.isNull().or(inDetails.isNull());
        return new Column[] {
            str("j.request_id").as(REQUEST_ID),
            when(created.between(0L, MAX_UNIX_SECONDS), timestamp_seconds(created))
                    .as(CREATED_AT),
            str("j.project_id").as(PROJECT_ID),
            str("j.workflow_id").as(WORKFLOW_ID),
            str("j.asset_id").as(ASSET_ID),
            str("j.model").as(MODEL),
            str("j.endpoint").as(ENDPOINT),
            coalesce(str("j.service_tier"), lit("default")).as(SERVICE_TIER),
            Text.code(col("j.status")).as(STATUS),
            str("j.error_code").as(ERROR_CODE),
            col("j.n").as(N),
            str("j.size").as(SIZE),
            str("j.quality").as(QUALITY),
            when(noInput, lit(0L))
                    .otherwise(tokenField("j.usage.input_tokens_details.text_tokens"))
                    .as(TEXT_TOKENS),
            tokenField("j.input_cached_text_tokens").as(CACHED_TEXT_TOKENS),
            when(noInput, lit(0L))
                    .otherwise(tokenField("j.usage.input_tokens_details.image_tokens"))
                    .as(IMAGE_TOKENS),
            tokenField("j.input_cached_image_tokens").as(CACHED_IMAGE_TOKENS),
            when(usage.isNull(), lit(0L))
                    .when(outDetails.isNotNull(), tokenField("j.usage.output_tokens_details.image_tokens"))
                    .otherwise(tokenField("j.usage.output_tokens"))
                    .as(OUTPUT_IMAGE_TOKENS),
            when(outDetails.isNull(), lit(0L))
                    .otherwise(tokenField("j.usage.output_tokens_details.text_tokens"))
                    .as(OUTPUT_TEXT_TOKENS),
            NO_GATEWAY_COST,
            col(RAW_RECORD),
            col(RECORD_TEXT),
            col(SOURCE_FILE),
            lit(FORMAT_JSONL).as(SOURCE_FORMAT),
            col("j." + CORRUPT).as(CORRUPT),
            created.as("created_raw"),
            col("j.usage.input_tokens").as("input_tokens_raw"),
            col("j.usage.output_tokens").as("output_tokens_raw"),
            usage.isNotNull().as("has_usage"),
            inDetails.isNotNull().as("has_in_details"),
            outDetails.isNotNull().as("has_out_details"),
            col(LINE + ".reason").as(PARSE_REASON),
            col(LINE + ".detail").as(PARSE_DETAIL)
        };
    }

    /**
     * The rules of a usage log line, in order of precedence (before validation's own). Sums of token counts
     * are taken with {@code try_add}: counts near 2^63 give no sum (validation then finds them beyond their
     * bound) instead of stopping the run.
     */
    private static List<Check> jsonRules() {
        Column inSum = try_add(col(TEXT_TOKENS), col(IMAGE_TOKENS));
        Column outSum = try_add(col(OUTPUT_IMAGE_TOKENS), col(OUTPUT_TEXT_TOKENS));
        Column inputTokens = col("input_tokens_raw");
        Column outputTokens = col("output_tokens_raw");
        return List.of(
                new Check(
                        col(CORRUPT).isNotNull(),
                        QuarantineReason.MALFORMED_RECORD,
                        lit("the line is not a JSON object with the usage log's field types"
                                + " (schemas/usage_log.avsc)")),
                new Check(
                        col("created_raw").isNotNull().and(col(CREATED_AT).isNull()),
                        QuarantineReason.INVALID_VALUE,
                        concat(
                                lit("created "),
                                col("created_raw").cast("string"),
                                lit(" is not unix seconds between 1970 and 2100"))),
                new Check(
                        col("has_usage")
                                .and(col("has_in_details").unary_$bang())
                                .and(coalesce(inputTokens, lit(0L)).gt(0)),
                        QuarantineReason.MISSING_FIELD,
                        concat(
                                lit("usage.input_tokens_details is missing while usage.input_tokens is "),
                                inputTokens.cast("string"),
                                lit(": text and image input cannot be told apart"))),
                new Check(
                        col("has_in_details").and(inputTokens.isNotNull()).and(inputTokens.notEqual(inSum)),
                        QuarantineReason.INCONSISTENT_TOKENS,
                        concat(
                                lit("usage.input_tokens "),
                                inputTokens.cast("string"),
                                lit(" differs from text_tokens + image_tokens = "),
                                inSum.cast("string"))),
                new Check(
                        col("has_out_details").and(outputTokens.isNotNull()).and(outputTokens.notEqual(outSum)),
                        QuarantineReason.INCONSISTENT_TOKENS,
                        concat(
                                lit("usage.output_tokens "),
                                outputTokens.cast("string"),
                                lit(" differs from output_tokens_details image_tokens + text_tokens = "),
                                outSum.cast("string"))));
    }

    /** A token count of the log: absent = 0. */
    private static Column tokenField(String field) {
        return coalesce(col(field), lit(0L));
    }

    /**
     * Types the flat export's CSV text into canonical usage: whole numbers and ISO-8601 times parsed with
     * {@code try_cast}, an unparseable cell makes the record {@code malformed_record} naming the column.
     *
     * @param csv string rows from {@link CsvSource#read} with the export's columns
     * @return canonical rows
     */
    public static Dataset<Row> fromExportCsv(Dataset<Row> csv) {
        StructType contract = Schemas.spark(Schemas.USAGE_EXPORT);
        List<Check> checks = new ArrayList<>();
        Dataset<Row> typed = csv;
        for (StructField f : contract.fields()) {
            if (f.dataType() == DataTypes.StringType) {
                continue;
            }
            Column converted = f.dataType() == DataTypes.TimestampType
                    ? Times.iso(col(f.name()))
                    : Text.clean(col(f.name())).try_cast(f.dataType());
            checks.add(new Check(
                    col(f.name()).isNotNull().and(converted.isNull()),
                    QuarantineReason.MALFORMED_RECORD,
                    concat(lit(f.name() + " '"), col(f.name()), lit("' is not " + describe(f.dataType())))));
            typed = typed.withColumn(f.name() + "__typed", converted);
        }
        typed = Check.apply(typed, checks);
        for (StructField f : contract.fields()) {
            if (f.dataType() != DataTypes.StringType) {
                typed = typed.withColumn(f.name(), col(f.name() + "__typed")).drop(f.name() + "__typed");
            }
        }
        return flatToCanonical(typed, FORMAT_CSV);
    }

    /**
     * Maps flat Parquet export rows (typed by the reader) to canonical usage: export_row holds the row's
     * fields; raw_record (the row as JSON) is rendered from it where needed, unless the rows carry their
     * raw_record already (quarantined records read again, {@link #reread}).
     *
     * @param parquet rows with the export's columns and source_file, and optionally raw_record
     * @return canonical rows with export_row, record_text null
     */
    public static Dataset<Row> fromExportParquet(Dataset<Row> parquet) {
        List<Column> fields = new ArrayList<>();
        for (String name : Schemas.fieldNames(Schemas.USAGE_EXPORT)) {
            fields.add(col(name));
        }
        Column raw = List.of(parquet.columns()).contains(RAW_RECORD)
                ? col(RAW_RECORD)
                : lit(null).cast(DataTypes.StringType);
        Dataset<Row> withRow = parquet.withColumn(EXPORT_ROW, struct(fields.toArray(new Column[0])))
                .withColumn(RAW_RECORD, raw)
                .withColumn(RECORD_TEXT, lit(null).cast(DataTypes.StringType))
                .withColumn(PARSE_REASON, lit(null).cast(DataTypes.StringType))
                .withColumn(PARSE_DETAIL, lit(null).cast(DataTypes.StringType));
        return flatToCanonical(withRow, FORMAT_PARQUET);
    }

    /** The rows with an export_row: theirs, or null (the rows of the other formats). */
    private static Dataset<Row> withExportRow(Dataset<Row> df) {
        return List.of(df.columns()).contains(EXPORT_ROW)
                ? df
                : df.withColumn(EXPORT_ROW, lit(null).cast(EXPORT_ROW_TYPE));
    }

    /**
     * Reduces rows to the canonical usage contract ({@code schemas/canonical_usage.avsc}), in its order, then
     * export_row (null where the rows have none).
     */
    static Dataset<Row> canonical(Dataset<Row> df) {
        return Schemas.conform(withExportRow(df), Schemas.CANONICAL_USAGE, EXPORT_ROW);
    }

    private static Dataset<Row> flatToCanonical(Dataset<Row> flat, String format) {
        return canonical(withExportRow(flat)
                .select(
                        str(REQUEST_ID).as(REQUEST_ID),
                        col(CREATED_AT),
                        str(PROJECT_ID).as(PROJECT_ID),
                        str(WORKFLOW_ID).as(WORKFLOW_ID),
                        str(ASSET_ID).as(ASSET_ID),
                        str(MODEL).as(MODEL),
                        str(ENDPOINT).as(ENDPOINT),
                        coalesce(str(SERVICE_TIER), lit("default")).as(SERVICE_TIER),
                        Text.code(col(STATUS)).as(STATUS),
                        str(ERROR_CODE).as(ERROR_CODE),
                        col(N),
                        str(SIZE).as(SIZE),
                        str(QUALITY).as(QUALITY),
                        tokens("input_text_tokens").as(TEXT_TOKENS),
                        tokens("input_cached_text_tokens").as(CACHED_TEXT_TOKENS),
                        tokens("input_image_tokens").as(IMAGE_TOKENS),
                        tokens("input_cached_image_tokens").as(CACHED_IMAGE_TOKENS),
                        tokens("output_image_tokens").as(OUTPUT_IMAGE_TOKENS),
                        tokens("output_text_tokens").as(OUTPUT_TEXT_TOKENS),
                        NO_GATEWAY_COST,
                        col(RAW_RECORD),
                        col(RECORD_TEXT),
                        col(SOURCE_FILE),
                        lit(format).as(SOURCE_FORMAT),
                        col(PARSE_REASON),
                        col(PARSE_DETAIL),
                        col(EXPORT_ROW)));
    }

    private static Column str(String name) {
        return Text.clean(col(name));
    }

    private static Column tokens(String name) {
        return coalesce(col(name).cast("long"), lit(0L));
    }

    private static String describe(DataType t) {
        if (t == DataTypes.TimestampType) {
            return Times.ISO_EXAMPLE;
        }
        return "a whole number";
    }
}
