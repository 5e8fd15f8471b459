package io.assetcost.report;

import static org.apache.spark.sql.functions.udf;

import io.assetcost.pricing.RequestPricing;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;

/**
 * Exact ratios for the reports: {@code a / b} rounded half-even to 12 decimal places, the one rounding in
 * the pipeline (a quotient such as 1/3 has no exact decimal).
 *
 * <p>Why a function and not Spark's {@code /}: with {@code allowPrecisionLoss=false} (which the job needs
 * for exact sums and products) Spark types decimal(38,12) / decimal(38,12) as decimal(38,38), which
 * overflows on any quotient of 1 or more; with {@code allowPrecisionLoss=true} it silently cuts the scale
 * to 6. Java's {@link BigDecimal#divide(BigDecimal, int, RoundingMode)} says exactly what happens. The
 * reports are small (one row per cohort and workflow), so the cost of a UDF does not matter here.
 */
public final class Ratios {

    /** Scale of every ratio column (decimal(38,12)). */
    public static final int SCALE = 12;

    private static final UserDefinedFunction DIVIDE =
            udf((UDF2<BigDecimal, BigDecimal, BigDecimal>) Ratios::divide, RequestPricing.USD);

    private Ratios() {}

    /**
     * {@code numerator / denominator} at scale 12, half-even.
     *
     * @return the quotient, or null when either is null or the denominator is zero
     */
    public static BigDecimal divide(BigDecimal numerator, BigDecimal denominator) {
        if (numerator == null || denominator == null || denominator.signum() == 0) {
            return null;
        }
        return numerator.divide(denominator, SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * The column {@code numerator / denominator} (decimal(38,12)); both sides are cast to decimal(38,12)
     * first, which is exact for counts and money columns.
     */
    public static Column divide(Column numerator, Column denominator) {
        return DIVIDE.apply(numerator.cast(RequestPricing.USD), denominator.cast(RequestPricing.USD));
    }
}
