package io.assetcost.finance;

import static io.assetcost.schema.Cols.API_IMAGES;
import static io.assetcost.schema.Cols.API_REQUESTS;
import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.ENDPOINT;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.LOGGED_IMAGES;
import static io.assetcost.schema.Cols.LOGGED_REQUESTS;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.N;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.QUARANTINED_IMAGES;
import static io.assetcost.schema.Cols.QUARANTINED_REQUESTS;
import static io.assetcost.schema.Cols.RAW_RECORD;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.SOURCE_FILE;
import static io.assetcost.schema.Cols.SOURCE_FORMAT;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.SUCCEEDED;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.assetcost.io.UsageFormatOptions;
import io.assetcost.io.UsageReader;
import io.assetcost.quality.Quarantine;
import io.assetcost.report.Ratios;
import io.assetcost.schema.OutputTable;
import java.time.YearMonth;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code log_coverage}: requests and images in the usage logs against the organization Usage API, per UTC day x
 * project x model x source. The logged side counts the requests the cost job priced ({@code request_costs}) and,
 * separately, the usage records it quarantined (read again from their raw record, {@link UsageReader#reread});
 * the Usage API side its {@code num_model_requests} and {@code images}, summed over sizes. A day where the API
 * counts more requests than the logs hold ({@code gap}) is a gateway that stopped logging: it shows here before
 * the bill arrives.
 *
 * <p>Models are compared without a dated snapshot suffix ({@code gpt-image-2-2026-04-21} is
 * {@code gpt-image-2}), sources as the Usage API names them: the log's endpoint {@code images.generations} is
 * {@code image.generation}, {@code images.edits} {@code image.edit}, {@code images.variations}
 * {@code image.variation}.
 */
public final class LogCoverage {

    /** Status: the logs hold every request the API counted. */
    public static final String COMPLETE = "complete";
    /** Status: the API counted requests the logs never saw. */
    public static final String GAP = "gap";
    /** Status: the logs hold more requests than the API counted. */
    public static final String EXCESS = "excess";
    /** Status: the API has no row for what was logged. */
    public static final String ONLY_LOGGED = "only_logged";
    /** Status: nothing was logged. */
    public static final String ONLY_API = "only_api";

    private static final String[] KEY = {USAGE_DATE, PROJECT_ID, MODEL, SOURCE};

    private LogCoverage() {}

    /**
     * Builds the report.
     *
     * @param requestCosts rows of request_costs (all months; filtered here)
     * @param costQuarantine the cost job's quarantine table
     * @param api trusted Usage API results: usage_date, project_id, model, source, api_requests, api_images
     * @param month billing month
     * @param formats the options the cost job read the usage with (for its quarantined records)
     * @return rows of contract log_coverage
     */
    public static Dataset<Row> of(
            Dataset<Row> requestCosts,
            Dataset<Row> costQuarantine,
            Dataset<Row> api,
            YearMonth month,
            UsageFormatOptions formats) {
        Dataset<Row> logged = FinanceReports.inMonth(requestCosts, month)
                .select(
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        baseModel(col(MODEL)).as(MODEL),
                        source().as(SOURCE),
                        col(IMAGES_GENERATED))
                .groupBy(USAGE_DATE, PROJECT_ID, MODEL, SOURCE)
                .agg(count(lit(1)).as(LOGGED_REQUESTS), sum(IMAGES_GENERATED).as(LOGGED_IMAGES));
        Dataset<Row> quarantined = FinanceReports.inMonth(
                        UsageReader.reread(
                                        costQuarantine
                                                .filter(col(SOURCE).equalTo(Quarantine.USAGE))
                                                .select(RAW_RECORD, SOURCE_FILE, SOURCE_FORMAT),
                                        formats)
                                .filter(col(PARSE_REASON)
                                        .isNull()
                                        .and(col(CREATED_AT).isNotNull()))
                                .withColumn(USAGE_DATE, to_date(col(CREATED_AT))),
                        month)
                .select(
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        baseModel(col(MODEL)).as(MODEL),
                        source().as(SOURCE),
                        when(lower(col(STATUS)).equalTo(SUCCEEDED), coalesce(col(N), lit(0L)))
                                .otherwise(lit(0L))
                                .as("_images"))
                .groupBy(USAGE_DATE, PROJECT_ID, MODEL, SOURCE)
                .agg(count(lit(1)).as(QUARANTINED_REQUESTS), sum("_images").as(QUARANTINED_IMAGES));
        Dataset<Row> fromApi = FinanceReports.inMonth(api, month)
                .select(
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        baseModel(col(MODEL)).as(MODEL),
                        col(SOURCE),
                        col(API_REQUESTS),
                        col(API_IMAGES))
                .groupBy(USAGE_DATE, PROJECT_ID, MODEL, SOURCE)
                .agg(sum(API_REQUESTS).as(API_REQUESTS), sum(API_IMAGES).as(API_IMAGES));
        Dataset<Row> all = outer(outer(logged, quarantined), fromApi).na().fill(0L, new String[] {
            LOGGED_REQUESTS, LOGGED_IMAGES, QUARANTINED_REQUESTS, QUARANTINED_IMAGES, API_REQUESTS, API_IMAGES
        });
        Column seen = col(LOGGED_REQUESTS).plus(col(QUARANTINED_REQUESTS));
        Column seenImages = col(LOGGED_IMAGES).plus(col(QUARANTINED_IMAGES));
        Dataset<Row> report = all.withColumn(BILLING_MONTH, lit(month.toString()))
                .withColumn("request_coverage_pct", Ratios.divide(seen.multiply(lit(100)), col(API_REQUESTS)))
                .withColumn("image_coverage_pct", Ratios.divide(seenImages.multiply(lit(100)), col(API_IMAGES)))
                .withColumn(
                        STATUS,
                        when(col(API_REQUESTS).equalTo(0).and(col(API_IMAGES).equalTo(0)), lit(ONLY_LOGGED))
                                .when(seen.equalTo(0), lit(ONLY_API))
                                .when(
                                        seen.equalTo(col(API_REQUESTS)).and(seenImages.geq(col(API_IMAGES))),
                                        lit(COMPLETE))
                                .when(seen.lt(col(API_REQUESTS)).or(seenImages.lt(col(API_IMAGES))), lit(GAP))
                                .otherwise(lit(EXCESS)));
        return OutputTable.LOG_COVERAGE.conform(report);
    }

    /** A model without a dated snapshot suffix. */
    static Column baseModel(Column model) {
        return regexp_replace(model, "-\\d{4}-\\d{2}-\\d{2}$", "");
    }

    /** The Usage API's source of a logged endpoint. */
    private static Column source() {
        Column e = lower(col(ENDPOINT));
        return when(e.equalTo("images.generations"), lit("image.generation"))
                .when(e.equalTo("images.edits"), lit("image.edit"))
                .when(e.equalTo("images.variations"), lit("image.variation"));
    }

    /** Full outer join on the key (null-safe), coalescing the key columns. */
    private static Dataset<Row> outer(Dataset<Row> left, Dataset<Row> right) {
        Dataset<Row> r = right;
        for (String k : KEY) {
            r = r.withColumnRenamed(k, "_r_" + k);
        }
        Column on = lit(true);
        for (String k : KEY) {
            on = on.and(col(k).eqNullSafe(col("_r_" + k)));
        }
        Dataset<Row> joined = left.join(r, on, "full_outer");
        for (String k : KEY) {
            joined = joined.withColumn(k, coalesce(col(k), col("_r_" + k))).drop("_r_" + k);
        }
        return joined;
    }
}
