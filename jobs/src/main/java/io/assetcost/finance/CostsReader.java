package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_TOKENS;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.PARSE_DETAIL;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.PROJECT_NAME;
import static io.assetcost.schema.Cols.QUANTITY;
import static io.assetcost.schema.Cols.QUANTITY_UNIT;
import static io.assetcost.schema.Cols.RAW_RECORD;
import static io.assetcost.schema.Cols.SOURCE_FILE;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.assetcost.io.InputFiles;
import io.assetcost.quality.Check;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Reads billed costs: pages of OpenAI's {@code GET /v1/organization/costs} (contract
 * {@code schemas/costs_page.avsc}), one JSON document per {@code .json} file or one page per line of a
 * {@code .jsonl} file, through Spark's JSON reader with the explicit schema.
 *
 * <p>What goes to quarantine, with which reason, and how overlapping pages count once: README, "Billed costs
 * input".
 */
public final class CostsReader {

    /** Bucket start, unix seconds. */
    public static final String BUCKET_START = "bucket_start";
    /** Bucket end, unix seconds. */
    public static final String BUCKET_END = "bucket_end";
    /** Currency as given. */
    public static final String CURRENCY = "currency";

    /** Type of a quantity in tokens: decimal(38,6). */
    public static final DecimalType TOKEN_QUANTITY = DataTypes.createDecimalType(38, 6);

    private static final String CORRUPT = "_corrupt_record";
    private static final long DAY = 86_400L;

    private CostsReader() {}

    /**
     * Outcome of reading.
     *
     * @param results trusted results: bucket_start, bucket_end (long, unix seconds), usage_date (UTC day of
     *     the bucket), project_id, project_name, line_item, amount_usd (decimal(38,12)), quantity,
     *     quantity_unit, billed_tokens (decimal(38,6), null unless the unit counts tokens), raw_record,
     *     source_file
     * @param quarantined rejected results, with parse_reason / parse_detail, raw_record, source_file
     * @param duplicatesDropped repeated results of overlapping pages beyond the first
     * @param pages pages read
     * @param read every result read, before any check (for accounting)
     */
    public record Result(
            Dataset<Row> results,
            Dataset<Row> quarantined,
            Dataset<Row> duplicatesDropped,
            long pages,
            Dataset<Row> read) {}

    /**
     * Reads and checks the pages.
     *
     * @param files files per kind (JSON_LINES)
     * @return results, quarantine and duplicates
     * @throws InputException naming a file that is not JSON or not a Costs API page
     */
    public static Result read(SparkSession spark, Map<InputFiles.Kind, List<String>> files) {
        Dataset<Row> pages = pages(spark, files, Schemas.COSTS_PAGE, "--costs", "a Costs API page");
        return check(results(pages), pages.count());
    }

    /**
     * Every page of an organization API (Costs or Usage): a .json file is one page read whole, a .jsonl or
     * .ndjson file a page per line, read with the contract's schema and cached.
     *
     * @param files files per kind (JSON_LINES)
     * @param schema the page's contract in {@code schemas/}
     * @param option the option that named the files, for the message
     * @param what what a page is, for the message
     * @return the pages, with source_file
     * @throws InputException naming a file that is not JSON or not a page ({@code "object": "page"} and data)
     */
    static Dataset<Row> pages(
            SparkSession spark, Map<InputFiles.Kind, List<String>> files, String schema, String option, String what) {
        Dataset<Row> pages = read(spark, files.getOrDefault(InputFiles.Kind.JSON_LINES, List.of()), schema)
                .cache();
        List<Row> bad = pages.filter(col(CORRUPT)
                        .isNotNull()
                        .or(coalesce(col("object"), lit("")).notEqual("page"))
                        .or(col("data").isNull()))
                .select(SOURCE_FILE)
                .distinct()
                .limit(5)
                .collectAsList();
        if (!bad.isEmpty()) {
            throw new InputException(option + " file " + bad.get(0).getString(0) + " is not " + what
                    + " (a JSON object with \"object\": \"page\" and \"data\")"
                    + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more)" : ""));
        }
        return pages;
    }

    private static Dataset<Row> read(SparkSession spark, List<String> files, String contract) {
        StructType schema = Schemas.spark(contract).add(CORRUPT, DataTypes.StringType, true);
        List<String> whole = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String f : files) {
            (InputFiles.oneDocumentPerLine(f) ? lines : whole).add(f);
        }
        Dataset<Row> pages = null;
        for (List<String> part : List.of(whole, lines)) {
            if (part.isEmpty()) {
                continue;
            }
            Dataset<Row> read = spark.read()
                    .schema(schema)
                    .option("multiLine", String.valueOf(part == whole))
                    .option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", CORRUPT)
                    .json(part.toArray(new String[0]))
                    .withColumn(SOURCE_FILE, col("_metadata.file_path"));
            pages = pages == null ? read : pages.unionByName(read);
        }
        return pages;
    }

    /** One row per billed result, with its bucket's times and the result as JSON (its raw record). */
    private static Dataset<Row> results(Dataset<Row> pages) {
        return pages.select(explode(col("data")).as("b"), col(SOURCE_FILE))
                .select(
                        col("b.start_time").as(BUCKET_START),
                        col("b.end_time").as(BUCKET_END),
                        explode(coalesce(col("b.results"), array())).as("r"),
                        col(SOURCE_FILE))
                .select(
                        col(BUCKET_START),
                        col(BUCKET_END),
                        col("r.project_id").as(PROJECT_ID),
                        col("r.line_item").as(LINE_ITEM),
                        col("r.amount.value").as(AMOUNT_USD),
                        col("r.amount.currency").as(CURRENCY),
                        col("r.quantity").as(QUANTITY),
                        col("r.quantity_unit").as(QUANTITY_UNIT),
                        col("r.project_name").as(PROJECT_NAME),
                        to_json(struct(
                                        col(BUCKET_START).as("start_time"),
                                        col(BUCKET_END).as("end_time"),
                                        col("r")))
                                .as(RAW_RECORD),
                        col(SOURCE_FILE),
                        lit(null).cast("string").as(PARSE_REASON),
                        lit(null).cast("string").as(PARSE_DETAIL));
    }

    /**
     * A billed quantity in tokens: {@code quantity_unit} {@code tokens} counts one token per unit, {@code N_tokens}
     * (such as {@code 1000_tokens}) N; case and surrounding spaces are ignored. Source: the Costs API's
     * {@code quantity_unit} values (docs/DESIGN.md, "Domain rules and their sources").
     *
     * @param quantity the quantity column, decimal
     * @param unit the quantity_unit column
     * @return tokens as decimal(38,6), or null when there is no quantity or the unit is not a count of tokens
     */
    public static Column tokens(Column quantity, Column unit) {
        Column u = lower(trim(unit));
        Column per = when(u.equalTo("tokens"), lit("1"))
                .when(u.rlike("^[0-9]{1,9}_tokens$"), regexp_extract(u, "^([0-9]+)_tokens$", 1));
        return quantity.cast(TOKEN_QUANTITY)
                .multiply(per.cast(DataTypes.createDecimalType(10, 0)))
                .cast(TOKEN_QUANTITY);
    }

    /**
     * Checks flattened results (one row per result with its bucket times) and removes overlap.
     *
     * @param results rows as built by {@link #read}
     * @param pages pages read, passed through
     */
    public static Result check(Dataset<Row> results, long pages) {
        Dataset<Row> withOptional = results;
        for (String c : List.of(QUANTITY, QUANTITY_UNIT, PROJECT_NAME)) {
            if (!Arrays.asList(withOptional.columns()).contains(c)) {
                withOptional =
                        withOptional.withColumn(c, lit(null).cast(c.equals(QUANTITY) ? "decimal(38,12)" : "string"));
            }
        }
        Dataset<Row> checked = Check.apply(
                withOptional,
                List.of(
                        new Check(
                                col(BUCKET_START).isNull().or(col(BUCKET_END).isNull()),
                                QuarantineReason.BUCKET_WITHOUT_TIMES,
                                lit("the bucket has no start_time or end_time")),
                        new Check(
                                col(BUCKET_END)
                                        .minus(col(BUCKET_START))
                                        .notEqual(DAY)
                                        .or(col(BUCKET_START).mod(DAY).notEqual(0)),
                                QuarantineReason.BUCKET_NOT_A_DAY,
                                concat(
                                        lit("bucket ["),
                                        col(BUCKET_START).cast("string"),
                                        lit(", "),
                                        col(BUCKET_END).cast("string"),
                                        lit(") is not one UTC day (bucket_width 1d)"))),
                        new Check(
                                col(AMOUNT_USD).isNull(),
                                QuarantineReason.MISSING_FIELD,
                                lit("amount.value is missing")),
                        new Check(
                                lower(coalesce(col(CURRENCY), lit(""))).notEqual("usd"),
                                QuarantineReason.NON_USD_CURRENCY,
                                concat(
                                        lit("amount in '"),
                                        coalesce(col(CURRENCY), lit("")),
                                        lit("', not usd: convert at the invoice's rate before reconciling")))));
        return dedupe(checked, results, pages);
    }

    /** Removes the overlap of pages: identical copies count once, different amounts are conflicting_bucket. */
    private static Result dedupe(Dataset<Row> checked, Dataset<Row> results, long pages) {
        Dataset<Row> valid = checked.filter(col(PARSE_REASON).isNull());
        Dataset<Row> invalid = checked.filter(col(PARSE_REASON).isNotNull());
        WindowSpec bucket = Window.partitionBy(col(BUCKET_START), col(BUCKET_END), col(PROJECT_ID), col(LINE_ITEM));
        Dataset<Row> grouped = valid.withColumn(
                        "_conflict",
                        min(AMOUNT_USD).over(bucket).notEqual(max(AMOUNT_USD).over(bucket)))
                .withColumn("_copies", count(lit(1)).over(bucket))
                .withColumn("_rank", row_number().over(bucket.orderBy(col(SOURCE_FILE), col(RAW_RECORD))));
        Dataset<Row> conflicting = grouped.filter(col("_conflict"))
                .withColumn(PARSE_REASON, lit(QuarantineReason.CONFLICTING_BUCKET.code()))
                .withColumn(
                        PARSE_DETAIL,
                        concat(
                                lit("the same bucket, project and line item appear "),
                                col("_copies").cast("string"),
                                lit(" times with different amounts")));
        Dataset<Row> clean = grouped.filter(col("_conflict").unary_$bang());
        String[] helpers = {"_conflict", "_copies", "_rank"};
        Dataset<Row> kept = clean.filter(col("_rank").equalTo(1))
                .drop(helpers)
                .drop(PARSE_REASON, PARSE_DETAIL)
                .withColumn(USAGE_DATE, to_date(timestamp_seconds(col(BUCKET_START))))
                .withColumn(BILLED_TOKENS, tokens(col(QUANTITY), col(QUANTITY_UNIT)));
        return new Result(
                kept,
                invalid.unionByName(conflicting.drop(helpers)),
                clean.filter(col("_rank").gt(1)).drop(helpers),
                pages,
                results);
    }
}
