package io.assetcost.finance;

import static io.assetcost.schema.Cols.API_IMAGES;
import static io.assetcost.schema.Cols.API_REQUESTS;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PARSE_DETAIL;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.RAW_RECORD;
import static io.assetcost.schema.Cols.SIZE;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.SOURCE_FILE;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;

import io.assetcost.io.InputFiles;
import io.assetcost.quality.Check;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Reads the organization Usage API for images: pages of OpenAI's {@code GET /v1/organization/usage/images}
 * (contract {@code schemas/usage_api_page.avsc}), fetched with {@code bucket_width=1d} and
 * {@code group_by=project_id,model,size,source}, in the same files and paging as the Costs pages
 * ({@link CostsReader#pages}). Each result gives {@code images} and {@code num_model_requests} of one day
 * bucket and grouping. What stops the run and what goes to quarantine: README, "Usage API input".
 */
public final class UsageApiReader {

    private static final long DAY = 86_400L;
    private static final String START = "_start";
    private static final String END = "_end";

    private UsageApiReader() {}

    /**
     * Outcome of reading.
     *
     * @param results trusted results: usage_date, project_id, model, size, source, api_requests, api_images (long)
     * @param quarantined rejected results with parse_reason, parse_detail, raw_record, source_file
     * @param duplicatesDropped repeated results of overlapping pages beyond the first
     * @param read every result read (for accounting)
     * @param pages pages read
     */
    public record Result(
            Dataset<Row> results,
            Dataset<Row> quarantined,
            Dataset<Row> duplicatesDropped,
            Dataset<Row> read,
            long pages) {}

    /**
     * Reads and checks the pages.
     *
     * @param files files per kind (JSON_LINES)
     * @return results, quarantine and duplicates
     * @throws InputException naming a file that is not a Usage API page
     */
    public static Result read(SparkSession spark, Map<InputFiles.Kind, List<String>> files) {
        Dataset<Row> pages =
                CostsReader.pages(spark, files, Schemas.USAGE_API_PAGE, "--usage-api", "a Usage API (images) page");
        Dataset<Row> results = pages.select(explode(col("data")).as("b"), col(SOURCE_FILE))
                .select(
                        col("b.start_time").as(START),
                        col("b.end_time").as(END),
                        explode(coalesce(col("b.results"), array())).as("r"),
                        col(SOURCE_FILE))
                .select(
                        col(START),
                        col(END),
                        col("r.project_id").as(PROJECT_ID),
                        col("r.model").as(MODEL),
                        col("r.size").as(SIZE),
                        col("r.source").as(SOURCE),
                        col("r.api_key_id").as("_api_key_id"),
                        col("r.user_id").as("_user_id"),
                        col("r.num_model_requests").as(API_REQUESTS),
                        col("r.images").as(API_IMAGES),
                        to_json(struct(col(START).as("start_time"), col(END).as("end_time"), col("r")))
                                .as(RAW_RECORD),
                        col(SOURCE_FILE),
                        lit(null).cast("string").as(PARSE_REASON),
                        lit(null).cast("string").as(PARSE_DETAIL));
        return check(results, pages.count());
    }

    /**
     * Checks flattened results and removes the overlap of pages.
     *
     * @param results one row per result (see {@link #read})
     * @param pages pages read, passed through
     */
    public static Result check(Dataset<Row> results, long pages) {
        Dataset<Row> checked = Check.apply(
                results,
                List.of(
                        new Check(
                                col(START).isNull().or(col(END).isNull()),
                                QuarantineReason.BUCKET_WITHOUT_TIMES,
                                lit("the bucket has no start_time or end_time")),
                        new Check(
                                col(END).minus(col(START))
                                        .notEqual(DAY)
                                        .or(col(START).mod(DAY).notEqual(0)),
                                QuarantineReason.BUCKET_NOT_A_DAY,
                                concat(
                                        lit("bucket ["),
                                        col(START).cast("string"),
                                        lit(", "),
                                        col(END).cast("string"),
                                        lit(") is not one UTC day (bucket_width 1d)"))),
                        new Check(
                                col(API_REQUESTS).isNull(),
                                QuarantineReason.MISSING_FIELD,
                                lit("num_model_requests is missing"))));
        return dedupe(checked, results, pages);
    }

    /** Removes the overlap of pages: identical copies count once, different counts are conflicting_bucket. */
    private static Result dedupe(Dataset<Row> checked, Dataset<Row> results, long pages) {
        Dataset<Row> valid = checked.filter(col(PARSE_REASON).isNull());
        Dataset<Row> invalid = checked.filter(col(PARSE_REASON).isNotNull());
        Column[] grouping = {
            col(START),
            col(END),
            col(PROJECT_ID),
            col(MODEL),
            col(SIZE),
            col(SOURCE),
            col("_api_key_id"),
            col("_user_id")
        };
        WindowSpec bucket = Window.partitionBy(grouping);
        Column counts = concat(
                coalesce(col(API_REQUESTS).cast("string"), lit("")),
                lit("/"),
                coalesce(col(API_IMAGES).cast("string"), lit("")));
        Dataset<Row> grouped = valid.withColumn("_counts", counts)
                .withColumn(
                        "_conflict",
                        min("_counts").over(bucket).notEqual(max("_counts").over(bucket)))
                .withColumn("_copies", count(lit(1)).over(bucket))
                .withColumn("_rank", row_number().over(bucket.orderBy(col(SOURCE_FILE), col(RAW_RECORD))));
        String[] helpers = {"_counts", "_conflict", "_copies", "_rank"};
        Dataset<Row> conflicting = grouped.filter(col("_conflict"))
                .withColumn(PARSE_REASON, lit(QuarantineReason.CONFLICTING_BUCKET.code()))
                .withColumn(
                        PARSE_DETAIL,
                        concat(
                                lit("the same bucket and grouping appear "),
                                col("_copies").cast("string"),
                                lit(" times with different counts")))
                .drop(helpers);
        Dataset<Row> clean = grouped.filter(col("_conflict").unary_$bang());
        Dataset<Row> kept = clean.filter(col("_rank").equalTo(1))
                .drop(helpers)
                .withColumn(USAGE_DATE, to_date(timestamp_seconds(col(START))))
                .withColumn(API_IMAGES, coalesce(col(API_IMAGES), lit(0L)))
                .select(USAGE_DATE, PROJECT_ID, MODEL, SIZE, SOURCE, API_REQUESTS, API_IMAGES);
        return new Result(
                kept,
                invalid.unionByName(conflicting),
                clean.filter(col("_rank").gt(1)),
                results,
                pages);
    }
}
