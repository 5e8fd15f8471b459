package io.assetcost.planning;

import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.N;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.Meter;
import io.assetcost.schema.OutputTable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code rate_limit_headroom}: how close each day came to the organization's rate limits, per model
 * (README, "Planning"). OpenAI limits image models per organization and model in images per minute (IPM) and
 * tokens per minute (TPM) by usage tier; a launch that needs more than its tier allows queues or fails before
 * it costs more.
 *
 * <p>Grain {@code usage_date x rate_model}, over priced requests: {@code requests}, {@code images_requested}
 * (sum of {@code n}, whatever the status: the limit counts what was asked for), the peak images and tokens
 * (every meter, input and output) over the requests whose {@code created} falls in one UTC minute, with the
 * minute (the earliest on a tie), the minutes with any request, the smallest tier whose IPM and TPM both hold
 * the day's peaks (the card's rows in force at the day's start; a dated snapshot without rows takes its base
 * name's; null when no tier does or the card has no row for the model), and, for an account tier, the minutes
 * that went over it.
 */
public final class Headroom {

    private static final String MINUTE = "_minute";
    private static final String IMAGES = "_images";
    private static final String TOKENS = "_tokens";
    private static final String LIMIT_KEY = "_limit_key";
    private static final String AT_US = "_at_us";
    private static final String ACCOUNT_TIER = "_account_tier";
    private static final String OVER = "_over";

    private Headroom() {}

    /**
     * Builds the table.
     *
     * @param requestCosts priced requests (request_costs columns)
     * @param limits the rate-limit card ({@link RateLimitCard#dataset})
     * @param cardModels the models the card names (for the snapshot rule)
     * @param accountTier the organization's tier, or null
     * @return rows of contract rate_limit_headroom
     */
    public static Dataset<Row> of(
            Dataset<Row> requestCosts, Dataset<Row> limits, List<String> cardModels, Integer accountTier) {
        // One pass over the priced requests: each minute is flagged against the account tier before the
        // minutes are summed by day, so the requests are read once (two aggregates of the minutes would read
        // them twice: their plans differ, so Spark cannot share the first exchange).
        Dataset<Row> minutes = accountOver(perMinute(requestCosts, cardModels), limits, accountTier);
        Dataset<Row> days = minutes.groupBy(USAGE_DATE, RATE_MODEL, LIMIT_KEY)
                .agg(
                        sum(REQUESTS).as(REQUESTS),
                        sum(IMAGES).as("images_requested"),
                        max(struct(col(IMAGES), unix_micros(col(MINUTE)).unary_$minus(), col(MINUTE)))
                                .as("_ipm"),
                        max(struct(col(TOKENS), unix_micros(col(MINUTE)).unary_$minus(), col(MINUTE)))
                                .as("_tpm"),
                        count(lit(1)).as("active_minutes"),
                        count(col(ACCOUNT_TIER)).as("_tier_minutes"),
                        count_if(col(OVER)).as("_over_minutes"))
                .select(
                        col(USAGE_DATE),
                        col(RATE_MODEL),
                        col(LIMIT_KEY),
                        col(REQUESTS),
                        col("images_requested"),
                        col("_ipm." + IMAGES).as("peak_images_per_minute"),
                        col("_ipm." + MINUTE).as("peak_ipm_minute"),
                        col("_tpm." + TOKENS).as("peak_tokens_per_minute"),
                        col("_tpm." + MINUTE).as("peak_tpm_minute"),
                        col("active_minutes"),
                        // Null without an account tier, or when the card has no row in force for the model.
                        when(col("_tier_minutes").gt(0), col("_over_minutes"))
                                .cast("long")
                                .as("minutes_over_account_tier"));
        return OutputTable.RATE_LIMIT_HEADROOM.conform(smallestFittingTier(days, limits));
    }

    /** Requests, images asked for and tokens per usage day, model and UTC minute. */
    private static Dataset<Row> perMinute(Dataset<Row> requestCosts, List<String> cardModels) {
        Column tokens = null;
        for (Meter m : Meter.values()) {
            Column t = coalesce(col(m.tokensColumn()), lit(0L));
            tokens = tokens == null ? t : tokens.plus(t);
        }
        Column limitKey = when(col(RATE_MODEL).isin(cardModels.toArray()), col(RATE_MODEL))
                .otherwise(regexp_replace(col(RATE_MODEL), "-\\d{4}-\\d{2}-\\d{2}$", ""));
        return requestCosts
                .withColumn(MINUTE, date_trunc("minute", col(CREATED_AT)))
                .withColumn(LIMIT_KEY, limitKey)
                .withColumn("_request_tokens", tokens)
                .groupBy(USAGE_DATE, RATE_MODEL, LIMIT_KEY, MINUTE)
                .agg(
                        count(lit(1)).as(REQUESTS),
                        sum(col(N).cast("long")).as(IMAGES),
                        sum("_request_tokens").as(TOKENS));
    }

    /** The lowest tier whose limits in force at the day's start hold both of the day's peaks. */
    private static Dataset<Row> smallestFittingTier(Dataset<Row> days, Dataset<Row> limits) {
        Column dayStart = unix_micros(col(USAGE_DATE).cast("timestamp"));
        Column fits = col("images_per_minute")
                .geq(col("peak_images_per_minute"))
                .and(col("tokens_per_minute").geq(col("peak_tokens_per_minute")));
        Dataset<Row> joined = days.withColumn(AT_US, dayStart).join(broadcast(limits), inForce(), "left");
        String[] keys = {
            USAGE_DATE,
            RATE_MODEL,
            REQUESTS,
            "images_requested",
            "peak_images_per_minute",
            "peak_ipm_minute",
            "peak_tokens_per_minute",
            "peak_tpm_minute",
            "active_minutes",
            "minutes_over_account_tier"
        };
        return joined.groupBy(keys[0], java.util.Arrays.copyOfRange(keys, 1, keys.length))
                .agg(min(when(fits, col("tier"))).as("smallest_fitting_tier"));
    }

    /**
     * The minutes with two columns added: {@code _account_tier}, the account tier when the card has a row for
     * the model in force at the minute (null otherwise, and for every minute without an account tier), and
     * {@code _over}, whether the minute's images or tokens went over that row. The card has no overlapping rows
     * for one model and tier ({@link RateLimitCard}), so the join adds no row.
     */
    private static Dataset<Row> accountOver(Dataset<Row> minutes, Dataset<Row> limits, Integer accountTier) {
        if (accountTier == null) {
            return minutes.withColumn(ACCOUNT_TIER, lit(null).cast("int")).withColumn(OVER, lit(false));
        }
        Column over = col(IMAGES).gt(col("images_per_minute")).or(col(TOKENS).gt(col("tokens_per_minute")));
        return minutes.withColumn(AT_US, unix_micros(col(MINUTE)))
                .join(broadcast(limits.filter(col("tier").equalTo(accountTier))), inForce(), "left")
                .select(
                        col(USAGE_DATE),
                        col(RATE_MODEL),
                        col(LIMIT_KEY),
                        col(MINUTE),
                        col(REQUESTS),
                        col(IMAGES),
                        col(TOKENS),
                        col("tier").as(ACCOUNT_TIER),
                        coalesce(over, lit(false)).as(OVER));
    }

    /** The limit row of the model (or its base name) in force at {@code _at_us}. */
    private static Column inForce() {
        return col(LIMIT_KEY)
                .equalTo(col("limit_model"))
                .and(col(AT_US).geq(col("limit_from_us")))
                .and(col("limit_to_us").isNull().or(col(AT_US).lt(col("limit_to_us"))));
    }
}
