package io.assetcost.pricing;

import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.N;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.SERVICE_TIER;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.SUCCEEDED;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Prices requests with an effective-dated {@link RateCard} (README, "Pricing").
 *
 * <p>Per meter: {@code cost = tokens x usd_per_1m_tokens / 1,000,000}, with the rate in force at
 * {@code created_at} (inclusive {@code effective_from}, exclusive {@code effective_to}) for the request's
 * rate model and service tier. The division is exact because the per-token price is computed on the driver
 * at scale 12 (rates have at most 6 decimal places); {@code tokens (decimal(19,0)) x per-token price
 * (decimal(18,12))} is then an exact decimal(38,12) under
 * {@code spark.sql.decimalOperations.allowPrecisionLoss=false}, which the job sets. Nothing is rounded.
 *
 * <p>A request is unpriced, and goes to quarantine with reason {@code no_rate}, when the card has no rate
 * for its model, tier and time at all, or none for a meter on which it has tokens (a cached meter also
 * needs its uncached rate, to price the savings). A meter with zero tokens needs no rate. Nothing
 * unpriced becomes $0.
 */
public final class RequestPricing {

    /** Money columns: decimal(38,12), USD: where the pipeline's precision is set (docs/DESIGN.md, "Money"). */
    public static final DecimalType USD = DataTypes.createDecimalType(38, 12);
    /** Rate columns: decimal(18,6), USD per 1M tokens. */
    public static final DecimalType USD_PER_1M = DataTypes.createDecimalType(18, 6);
    /** Per-token price: decimal(18,12), USD. */
    public static final DecimalType USD_PER_TOKEN = DataTypes.createDecimalType(18, 12);
    /** Token counts as decimals for money arithmetic: every long fits. */
    public static final DecimalType TOKENS = DataTypes.createDecimalType(19, 0);

    /** Internal column: why a request cannot be priced (null when it can). */
    public static final String NO_RATE_DETAIL = "no_rate_detail";

    private static final String SEG_MODEL = "seg_model";
    private static final String SEG_TIER = "seg_tier";
    private static final String SEG_FROM_US = "seg_from_us";
    private static final String SEG_TO_US = "seg_to_us";

    private RequestPricing() {}

    /**
     * Prices rows in place, without splitting them: the input columns plus rate_model, usage_date,
     * images_generated and, per meter, {@code <meter>_tokens} (long), {@code <meter>_usd_per_1m}
     * (decimal(18,6), null where the card has none and the meter has no tokens), {@code <meter>_cost_usd}
     * (decimal(38,12)), then cost_usd and cache_savings_usd (decimal(38,12)), and {@link #NO_RATE_DETAIL}
     * (null when the row is priced) on every row. The card's segments never overlap, so the join cannot
     * fan out: every input row comes out once. Rows where {@code priceable} is false get null meter tokens,
     * rates matter not, and their costs are null: the cost job prices its flagged usage this way, so
     * records in quarantine (whose token counts may be anything, even negative) pass through untouched
     * and one dataset holds every record read.
     *
     * @param requests validated canonical requests: request_id, created_at (timestamp), model, service_tier,
     *     status, n, and the canonical token counts (long, not null where priceable)
     * @param card the rate card
     * @param priceable boolean column, true for the rows to price
     * @return every input row once, priced where priceable and a rate exists
     */
    public static Dataset<Row> rate(Dataset<Row> requests, RateCard card, Column priceable) {
        return rate(requests, card, priceable, Long.MAX_VALUE);
    }

    /**
     * {@link #rate(Dataset, RateCard, Column)}, on rows whose priceable meters have at most
     * {@code maxTokensPerMeter} tokens each (the plausibility bound, checked before pricing). When that bound
     * and the card's dearest rate keep every cost below 10^6 USD ({@link #compact}), the costs are computed in
     * whole picodollars (10^-12 USD) as 64-bit integers and typed decimal(18,12), which Spark keeps in eight
     * bytes: the same exact values as the decimal(38,12) path, without its arbitrary-precision arithmetic.
     * The tables' contracts widen them to decimal(38,12) when they are written.
     *
     * @param requests as for {@link #rate(Dataset, RateCard, Column)}
     * @param card the rate card
     * @param priceable boolean column, true for the rows to price
     * @param maxTokensPerMeter most tokens a priceable row has on one meter (Long.MAX_VALUE when unknown)
     * @return every input row once, priced where priceable and a rate exists; costs decimal(18,12) or
     *     decimal(38,12)
     */
    public static Dataset<Row> rate(Dataset<Row> requests, RateCard card, Column priceable, long maxTokensPerMeter) {
        Dataset<Row> segments = rateSegments(requests.sparkSession(), card);
        Dataset<Row> joined = joinRates(withRateModel(withMeterTokens(requests, priceable), card), segments);
        Dataset<Row> withDetail = withNoRateDetail(joined);
        return dropSegmentColumns(
                compact(card, maxTokensPerMeter) ? withCompactCosts(withDetail) : withCosts(withDetail));
    }

    /**
     * Whether costs fit the compact path: every meter's tokens times the card's dearest rate, summed over all
     * meters, stays below 10^18 picodollars (10^6 USD, decimal(18,12)'s range), so no 64-bit product or sum can
     * overflow.
     *
     * @param card the rate card
     * @param maxTokensPerMeter most tokens a priceable row has on one meter
     * @return true when the compact path is exact for every priceable row
     */
    public static boolean compact(RateCard card, long maxTokensPerMeter) {
        BigDecimal dearest = BigDecimal.ZERO;
        for (RateCard.Segment seg : card.segments()) {
            for (BigDecimal per1m : seg.usdPer1m().values()) {
                dearest = dearest.max(per1m);
            }
        }
        BigDecimal bound = BigDecimal.valueOf(maxTokensPerMeter)
                .multiply(dearest.movePointRight(6))
                .multiply(BigDecimal.valueOf(Meter.values().length));
        return bound.compareTo(BigDecimal.TEN.pow(18)) < 0;
    }

    /**
     * Adds {@code <meter>_tokens} (long) per meter, each {@link Meter#tokens()}; null where {@code priceable}
     * is false.
     */
    public static Dataset<Row> withMeterTokens(Dataset<Row> requests, Column priceable) {
        Dataset<Row> out = requests;
        for (Meter m : Meter.values()) {
            out = out.withColumn(m.tokensColumn(), when(priceable, m.tokens()));
        }
        return out;
    }

    /**
     * Adds {@code rate_model}: the model itself when the card names it, else its base name with a dated
     * snapshot suffix ({@code -YYYY-MM-DD}) removed (README, "Inputs", rate card).
     */
    public static Dataset<Row> withRateModel(Dataset<Row> requests, RateCard card) {
        Column known = col(MODEL).isin(card.models().toArray());
        return requests.withColumn(
                RATE_MODEL,
                when(known, col(MODEL)).otherwise(regexp_replace(col(MODEL), "-\\d{4}-\\d{2}-\\d{2}$", "")));
    }

    /**
     * The card's segments as a small dataset (one row per model, tier and time segment) to broadcast:
     * seg_model, seg_tier, seg_from_us / seg_to_us (long, microseconds since the epoch, UTC; to null =
     * open), and per meter {@code <meter>_usd_per_1m} (decimal(18,6)) and {@code <meter>_usd_per_token}
     * (decimal(18,12), exact: the 1M price shifted six places).
     */
    public static Dataset<Row> rateSegments(SparkSession spark, RateCard card) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField(SEG_MODEL, DataTypes.StringType, false),
                DataTypes.createStructField(SEG_TIER, DataTypes.StringType, false),
                DataTypes.createStructField(SEG_FROM_US, DataTypes.LongType, false),
                DataTypes.createStructField(SEG_TO_US, DataTypes.LongType, true)));
        for (Meter m : Meter.values()) {
            fields.add(DataTypes.createStructField(m.rateColumn(), USD_PER_1M, true));
            fields.add(DataTypes.createStructField(m.perTokenColumn(), USD_PER_TOKEN, true));
            fields.add(DataTypes.createStructField(microColumn(m), DataTypes.LongType, true));
        }
        List<Row> rows = new ArrayList<>();
        for (RateCard.Segment s : card.segments()) {
            List<Object> values = new ArrayList<>();
            values.add(s.model());
            values.add(s.serviceTier());
            values.add(ChronoUnit.MICROS.between(java.time.Instant.EPOCH, s.from()));
            values.add(s.to() == null ? null : ChronoUnit.MICROS.between(java.time.Instant.EPOCH, s.to()));
            for (Meter m : Meter.values()) {
                BigDecimal per1m = s.usdPer1m().get(m);
                values.add(per1m == null ? null : per1m.setScale(6));
                values.add(per1m == null ? null : per1m.movePointLeft(6).setScale(12));
                values.add(per1m == null ? null : per1m.movePointRight(6).longValueExact());
            }
            rows.add(RowFactory.create(values.toArray()));
        }
        return spark.createDataFrame(rows, new StructType(fields.toArray(new StructField[0])));
    }

    /**
     * Left-joins each request to the one segment of its rate model and tier in force at created_at
     * (broadcast: the card is small). Requests without a segment keep null rates.
     */
    public static Dataset<Row> joinRates(Dataset<Row> requests, Dataset<Row> segments) {
        Column at = unix_micros(col(CREATED_AT));
        Column on = col(RATE_MODEL)
                .equalTo(col(SEG_MODEL))
                .and(col(SERVICE_TIER).equalTo(col(SEG_TIER)))
                .and(at.geq(col(SEG_FROM_US)))
                .and(col(SEG_TO_US).isNull().or(at.lt(col(SEG_TO_US))));
        return requests.join(broadcast(segments), on, "left");
    }

    /**
     * Adds {@link #NO_RATE_DETAIL}: null when every meter with tokens has a rate, else one sentence naming
     * the model, tier, time and the meters without a rate.
     */
    public static Dataset<Row> withNoRateDetail(Dataset<Row> joined) {
        Column when = date_format(col(CREATED_AT), "yyyy-MM-dd'T'HH:mm:ss'Z'");
        Column subject = concat(
                lit("model "),
                col(MODEL),
                lit(" (rate model "),
                col(RATE_MODEL),
                lit("), service tier "),
                col(SERVICE_TIER),
                lit(" at "),
                when);
        List<Column> missing = new ArrayList<>();
        for (Meter m : Meter.values()) {
            missing.add(when(
                    col(m.tokensColumn()).gt(0).and(col(m.rateColumn()).isNull()),
                    concat(lit(m.id() + " ("), col(m.tokensColumn()).cast("string"), lit(" tokens)"))));
        }
        for (Meter cached : Meter.cached()) {
            missing.add(when(
                    col(cached.tokensColumn())
                            .gt(0)
                            .and(col(cached.uncached().rateColumn()).isNull()),
                    lit(cached.uncached().id() + " (to price cache savings)")));
        }
        Column missingList = concat_ws(", ", missing.toArray(new Column[0]));
        return joined.withColumn(
                NO_RATE_DETAIL,
                when(col(SEG_MODEL).isNull(), concat(lit("the rate card has no rate for "), subject))
                        .when(
                                missingList.notEqual(""),
                                concat(
                                        lit("the rate card has no rate for "),
                                        subject,
                                        lit(" on meters: "),
                                        missingList)));
    }

    /**
     * Adds per-meter costs, cost_usd, cache_savings_usd, usage_date and images_generated. Costs are exact
     * decimal(38,12); a meter without tokens costs 0 whether or not it has a rate.
     */
    public static Dataset<Row> withCosts(Dataset<Row> rated) {
        Dataset<Row> out = rated;
        Column total = null;
        for (Meter m : Meter.values()) {
            Column cost = col(m.tokensColumn()).cast(TOKENS).multiply(col(m.perTokenColumn()));
            Column exact = when(
                            col(m.tokensColumn()).equalTo(0),
                            lit(BigDecimal.ZERO).cast(USD))
                    .otherwise(cost)
                    .cast(USD);
            out = out.withColumn(m.costColumn(), exact);
            total = total == null ? col(m.costColumn()) : total.plus(col(m.costColumn()));
        }
        Column saving = null;
        for (Meter cached : Meter.cached()) {
            saving = saving == null ? savings(cached) : saving.plus(savings(cached));
        }
        return out.withColumn(COST_USD, total.cast(USD))
                .withColumn(CACHE_SAVINGS_USD, saving.cast(USD))
                .withColumn(USAGE_DATE, to_date(col(CREATED_AT)))
                .withColumn(
                        IMAGES_GENERATED,
                        when(col(STATUS).equalTo(SUCCEEDED), col(N)).otherwise(0));
    }

    /**
     * {@link #withCosts}, in whole picodollars: a meter's cost is its tokens times its rate in microdollars per
     * 1M tokens (the rate shifted six places, exact: rates have at most six decimal places), which is the cost
     * in 10^-12 USD; sums and savings likewise; each typed decimal(18,12) from its unscaled value. Only where
     * {@link #compact} holds.
     */
    static Dataset<Row> withCompactCosts(Dataset<Row> rated) {
        Dataset<Row> out = rated;
        Column total = null;
        for (Meter m : Meter.values()) {
            Column pico = when(col(m.tokensColumn()).equalTo(0), lit(0L))
                    .otherwise(col(m.tokensColumn()).multiply(col(microColumn(m))));
            out = out.withColumn(m.costColumn(), picoUsd(pico));
            total = total == null ? pico : total.plus(pico);
        }
        Column saving = null;
        for (Meter cached : Meter.cached()) {
            Column discount = col(microColumn(cached.uncached())).minus(col(microColumn(cached)));
            Column pico = when(col(cached.tokensColumn()).equalTo(0), lit(0L))
                    .otherwise(col(cached.tokensColumn()).multiply(discount));
            saving = saving == null ? pico : saving.plus(pico);
        }
        return out.withColumn(COST_USD, picoUsd(total))
                .withColumn(CACHE_SAVINGS_USD, picoUsd(saving))
                .withColumn(USAGE_DATE, to_date(col(CREATED_AT)))
                .withColumn(
                        IMAGES_GENERATED,
                        when(col(STATUS).equalTo(SUCCEEDED), col(N)).otherwise(0));
    }

    /** Money column type of the compact path: decimal(18,12), USD, kept by Spark in eight bytes. */
    public static final DecimalType USD_COMPACT = DataTypes.createDecimalType(18, 12);

    /**
     * A whole number of picodollars (long) as decimal(18,12) USD, from its unscaled value (Spark's
     * {@code MakeDecimal}, which its own optimizer uses for sums of small decimals): no arithmetic, no rounding.
     */
    private static Column picoUsd(Column pico) {
        return org.apache.spark.sql.classic.ExpressionUtils.column(
                new org.apache.spark.sql.catalyst.expressions.MakeDecimal(
                        org.apache.spark.sql.classic.ExpressionUtils.expression(pico),
                        USD_COMPACT.precision(),
                        USD_COMPACT.scale(),
                        false));
    }

    /** Segment column: a meter's rate in microdollars per 1M tokens (long), its cost per token in picodollars. */
    private static String microColumn(Meter m) {
        return m.id() + "_micro_usd_per_1m";
    }

    /** What a cached meter's tokens would have cost more at its uncached meter's rate. */
    private static Column savings(Meter cached) {
        Column perTokenDiscount = col(cached.uncached().perTokenColumn()).minus(col(cached.perTokenColumn()));
        return when(col(cached.tokensColumn()).equalTo(0), lit(BigDecimal.ZERO).cast(USD))
                .otherwise(col(cached.tokensColumn()).cast(TOKENS).multiply(perTokenDiscount))
                .cast(USD);
    }

    private static Dataset<Row> dropSegmentColumns(Dataset<Row> df) {
        List<String> drop = new ArrayList<>(List.of(SEG_MODEL, SEG_TIER, SEG_FROM_US, SEG_TO_US));
        for (Meter m : Meter.values()) {
            drop.add(m.perTokenColumn());
            drop.add(microColumn(m));
        }
        return df.drop(drop.toArray(new String[0]));
    }
}
