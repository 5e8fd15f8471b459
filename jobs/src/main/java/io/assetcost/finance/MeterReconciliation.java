package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_COST_USD;
import static io.assetcost.schema.Cols.BILLED_TOKENS;
import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.COMPUTED_COST_USD;
import static io.assetcost.schema.Cols.COMPUTED_TOKENS;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_PCT;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.GRAIN_DAY;
import static io.assetcost.schema.Cols.GRAIN_MONTH;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOKENS;
import static io.assetcost.schema.Cols.TOKEN_DIFFERENCE;
import static io.assetcost.schema.Cols.TOKEN_STATUS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.RequestPricing;
import io.assetcost.report.Ratios;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import java.time.YearMonth;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code meter_reconciliation}: computed against billed per UTC day x project x model x meter, in dollars and,
 * where the bill gives a quantity in tokens, in tokens. Month rows (one per project, model and meter) are the
 * exact sums of their day rows. The dollar status follows the rules of {@code cost_reconciliation}
 * ({@link FinanceReports#reconcile}); the token status compares logged tokens with billed tokens: billed tokens
 * beyond the logged ones ({@code under}) are requests the logs never saw.
 *
 * <p>Source of the grain: the Costs API bills per line item, and real exports name model and meter in it
 * ({@code gpt-image-2 image, output}); the line-item mapping ties each to a model and a meter
 * ({@link LineItemMapping#meterOf}). A line item that names the model only has a null meter here and is
 * reconciled per model in {@code cost_reconciliation}.
 */
public final class MeterReconciliation {

    /** Token status: the bill gave no quantity in tokens for this row. */
    public static final String NO_QUANTITY = "no_quantity";

    private static final Column ZERO_USD = lit(BigDecimal.ZERO).cast(RequestPricing.USD);
    private static final Column ZERO_TOKENS = lit(BigDecimal.ZERO).cast(CostsReader.TOKEN_QUANTITY);

    private MeterReconciliation() {}

    /**
     * Tolerances of a match.
     *
     * @param usd a dollar difference up to this many USD is a match (inclusive)
     * @param pct a difference up to this percent of the billed side is a match (inclusive), dollars and tokens
     * @param tokens a token difference up to this many tokens is a match (inclusive)
     */
    public record Tolerances(BigDecimal usd, BigDecimal pct, long tokens) {}

    /**
     * Builds the report.
     *
     * @param meterRows rows of {@link FinanceReports#meterRows} (usage_date, project_id, rate_model, meter, tokens,
     *     cost_usd)
     * @param billed trusted billed results tied to an image model: usage_date, project_id, model, meter (null
     *     when the line item names none), amount_usd, billed_tokens (null when the result has no token quantity)
     * @param month billing month
     * @param tolerances match tolerances
     * @return rows of contract meter_reconciliation
     */
    public static Dataset<Row> of(Dataset<Row> meterRows, Dataset<Row> billed, YearMonth month, Tolerances tolerances) {
        Dataset<Row> days = days(meterRows, billed, month);
        Dataset<Row> months = days.groupBy(PROJECT_ID, MODEL, METER)
                .agg(
                        sum(COMPUTED_COST_USD).as(COMPUTED_COST_USD),
                        sum(BILLED_COST_USD).as(BILLED_COST_USD),
                        sum(COMPUTED_TOKENS).as(COMPUTED_TOKENS),
                        when(min("_tokens_known"), sum(coalesce(col(BILLED_TOKENS), ZERO_TOKENS)))
                                .as(BILLED_TOKENS),
                        min("_tokens_known").as("_tokens_known"),
                        max("_computed").as("_computed"),
                        max("_billed").as("_billed"))
                .withColumn(USAGE_DATE, lit(null).cast("date"))
                .withColumn(GRAIN, lit(GRAIN_MONTH));
        Dataset<Row> all = days.unionByName(months)
                .withColumn(BILLING_MONTH, lit(month.toString()))
                .withColumn(
                        DIFFERENCE_USD,
                        col(COMPUTED_COST_USD).minus(col(BILLED_COST_USD)).cast(RequestPricing.USD))
                .withColumn(DIFFERENCE_PCT, Ratios.divide(col(DIFFERENCE_USD).multiply(lit(100)), col(BILLED_COST_USD)))
                .withColumn(STATUS, FinanceReports.status(tolerances.usd(), tolerances.pct()))
                .withColumn(
                        TOKEN_DIFFERENCE,
                        col(COMPUTED_TOKENS)
                                .cast(CostsReader.TOKEN_QUANTITY)
                                .minus(col(BILLED_TOKENS))
                                .cast(CostsReader.TOKEN_QUANTITY))
                .withColumn(TOKEN_STATUS, tokenStatus(tolerances));
        return OutputTable.METER_RECONCILIATION.conform(all);
    }

    /** Day rows: the full outer join of both sides per day, project, model and meter. */
    private static Dataset<Row> days(Dataset<Row> meterRows, Dataset<Row> billed, YearMonth month) {
        Dataset<Row> computed = meterRows
                .groupBy(col(USAGE_DATE), col(PROJECT_ID), col(RATE_MODEL).as(MODEL), col(METER))
                .agg(sum(COST_USD).as(COMPUTED_COST_USD), sum(TOKENS).as(COMPUTED_TOKENS))
                .withColumn("_computed", lit(true));
        Dataset<Row> bill = FinanceReports.inMonth(billed, month)
                .groupBy(
                        col(USAGE_DATE).as("_b_date"),
                        col(PROJECT_ID).as("_b_project"),
                        col(MODEL).as("_b_model"),
                        col(METER).as("_b_meter"))
                .agg(
                        sum(AMOUNT_USD).as(BILLED_COST_USD),
                        when(count(col(BILLED_TOKENS)).equalTo(count(lit(1))), sum(BILLED_TOKENS))
                                .as(BILLED_TOKENS))
                .withColumn("_billed", lit(true));
        Column key = col(USAGE_DATE)
                .equalTo(col("_b_date"))
                .and(col(PROJECT_ID).eqNullSafe(col("_b_project")))
                .and(col(MODEL).equalTo(col("_b_model")))
                .and(col(METER).eqNullSafe(col("_b_meter")));
        Column fromComputed = col("_computed").isNotNull();
        return computed.join(bill, key, "full_outer")
                .select(
                        coalesce(col(USAGE_DATE), col("_b_date")).as(USAGE_DATE),
                        when(fromComputed, col(PROJECT_ID))
                                .otherwise(col("_b_project"))
                                .as(PROJECT_ID),
                        coalesce(col(MODEL), col("_b_model")).as(MODEL),
                        when(fromComputed, col(METER))
                                .otherwise(col("_b_meter"))
                                .as(METER),
                        coalesce(col(COMPUTED_COST_USD), ZERO_USD).as(COMPUTED_COST_USD),
                        coalesce(col(BILLED_COST_USD), ZERO_USD).as(BILLED_COST_USD),
                        coalesce(col(COMPUTED_TOKENS), lit(0L)).as(COMPUTED_TOKENS),
                        when(col("_billed").isNull(), ZERO_TOKENS)
                                .otherwise(col(BILLED_TOKENS))
                                .as(BILLED_TOKENS),
                        col("_billed")
                                .isNull()
                                .or(col(BILLED_TOKENS).isNotNull())
                                .as("_tokens_known"),
                        coalesce(col("_computed"), lit(false)).as("_computed"),
                        coalesce(col("_billed"), lit(false)).as("_billed"))
                .withColumn(GRAIN, lit(GRAIN_DAY));
    }

    /**
     * The token status: only_billed, only_computed, no_quantity, then match (within the token or percent
     * tolerance of billed tokens, inclusive), over (logged above billed) or under (billed above logged).
     */
    private static Column tokenStatus(Tolerances tolerances) {
        Column diff = abs(col(TOKEN_DIFFERENCE));
        Column pct = Ratios.divide(diff.multiply(lit(100)), col(BILLED_TOKENS));
        Column within = diff.leq(lit(tolerances.tokens())).or(coalesce(pct.leq(lit(tolerances.pct())), lit(false)));
        return when(col("_computed").unary_$bang(), lit(FinanceReports.ONLY_BILLED))
                .when(col("_billed").unary_$bang(), lit(FinanceReports.ONLY_COMPUTED))
                .when(col(BILLED_TOKENS).isNull(), lit(NO_QUANTITY))
                .when(within, lit(FinanceReports.MATCH))
                .when(col(TOKEN_DIFFERENCE).gt(0), lit(FinanceReports.OVER))
                .otherwise(lit(FinanceReports.UNDER));
    }
}
