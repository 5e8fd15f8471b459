package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_COST_USD;
import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.COMPUTED_COST_USD;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_PCT;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.GRAIN_DAY;
import static io.assetcost.schema.Cols.GRAIN_MONTH;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.REQUEST_ID;
import static io.assetcost.schema.Cols.SERVICE_TIER;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOKENS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.USD_PER_1M_TOKENS;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.Meter;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.report.Ratios;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The finance reports of one billing month (UTC): monthly_spend, cost_reconciliation, focus_costs and
 * unmatched_line_items, each conformed to its contract in {@code schemas/}. Money stays exact
 * decimal(38,12); nothing here rounds (the CSV of cost_reconciliation is rounded to cents when written,
 * after summing).
 */
public final class FinanceReports {

    /** Status: within tolerance. */
    public static final String MATCH = "match";
    /** Status: computed above billed beyond tolerance. */
    public static final String OVER = "over";
    /** Status: computed below billed beyond tolerance. */
    public static final String UNDER = "under";
    /** Status: usage but no bill. */
    public static final String ONLY_COMPUTED = "only_computed";
    /** Status: a bill but no usage. */
    public static final String ONLY_BILLED = "only_billed";

    private static final String RATE = USD_PER_1M_TOKENS;
    private static final Column ZERO = lit(BigDecimal.ZERO).cast(RequestPricing.USD);

    private FinanceReports() {}

    /**
     * Request costs of one month, one row per request and meter with tokens: the request's columns plus
     * meter (string), tokens (long), usd_per_1m_tokens (decimal(18,6)), cost_usd (decimal(38,12)).
     *
     * @param requestCosts rows of request_costs
     * @param month billing month
     * @return meter rows; their cost_usd adds up to the month's request costs exactly
     */
    public static Dataset<Row> meterRows(Dataset<Row> requestCosts, YearMonth month) {
        List<Column> meters = new ArrayList<>();
        for (Meter m : Meter.values()) {
            meters.add(struct(
                    lit(m.id()).as(METER),
                    col(m.tokensColumn()).as(TOKENS),
                    col(m.rateColumn()).as(RATE),
                    col(m.costColumn()).as(COST_USD)));
        }
        return inMonth(requestCosts, month)
                .select(
                        col(REQUEST_ID),
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        col(WORKFLOW_ID),
                        col(RATE_MODEL),
                        col(SERVICE_TIER),
                        explode(array(meters.toArray(new Column[0]))).as("m"))
                .select(
                        col(REQUEST_ID),
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        col(WORKFLOW_ID),
                        col(RATE_MODEL),
                        col(SERVICE_TIER),
                        col("m." + METER).as(METER),
                        col("m." + TOKENS).as(TOKENS),
                        col("m." + RATE).as(RATE),
                        col("m." + COST_USD).as(COST_USD))
                .filter(col(TOKENS).gt(0));
    }

    /** Rows of request_costs whose usage_date falls in the month. */
    public static Dataset<Row> inMonth(Dataset<Row> requestCosts, YearMonth month) {
        return requestCosts.filter(col(USAGE_DATE)
                .geq(lit(month.atDay(1).toString()).cast("date"))
                .and(col(USAGE_DATE).leq(lit(month.atEndOfMonth().toString()).cast("date"))));
    }

    /**
     * {@code monthly_spend}: grain month x project x model x tier x meter x rate in force.
     *
     * @param meterRows rows of {@link #meterRows}
     * @param month billing month
     * @return rows of contract monthly_spend
     */
    public static Dataset<Row> monthlySpend(Dataset<Row> meterRows, YearMonth month) {
        Dataset<Row> spend = meterRows
                .groupBy(col(PROJECT_ID), col(RATE_MODEL).as(MODEL), col(SERVICE_TIER), col(METER), col(RATE))
                .agg(
                        countDistinct(REQUEST_ID).as(REQUESTS),
                        sum(TOKENS).as(TOKENS),
                        sum(COST_USD).as(COST_USD))
                .withColumn(BILLING_MONTH, lit(month.toString()));
        return OutputTable.MONTHLY_SPEND.conform(spend);
    }

    /**
     * {@code cost_reconciliation}: computed versus billed per UTC day and project, plus a month row per
     * project whose money is the exact sum of its day rows. A difference is within tolerance when
     * {@code |difference| <= toleranceUsd} or {@code |difference| / billed x 100 <= tolerancePct} (both
     * inclusive).
     *
     * @param requestCosts rows of request_costs (all months; filtered here)
     * @param billed trusted billed results matched to an image model (usage_date, project_id, amount_usd)
     * @param month billing month
     * @param toleranceUsd absolute tolerance, USD
     * @param tolerancePct relative tolerance, percent of billed
     * @return rows of contract cost_reconciliation
     */
    public static Dataset<Row> reconcile(
            Dataset<Row> requestCosts,
            Dataset<Row> billed,
            YearMonth month,
            BigDecimal toleranceUsd,
            BigDecimal tolerancePct) {
        Dataset<Row> computed = inMonth(requestCosts, month)
                .groupBy(USAGE_DATE, PROJECT_ID)
                .agg(sum(COST_USD).as(COMPUTED_COST_USD))
                .withColumn("_computed", lit(true));
        Dataset<Row> bill = inMonth(billed, month)
                .groupBy(USAGE_DATE, PROJECT_ID)
                .agg(sum(AMOUNT_USD).as(BILLED_COST_USD))
                .withColumn("_billed", lit(true))
                .withColumnRenamed(USAGE_DATE, "_b_date")
                .withColumnRenamed(PROJECT_ID, "_b_project");
        Dataset<Row> days = computed.join(
                        bill,
                        col(USAGE_DATE)
                                .equalTo(col("_b_date"))
                                .and(col(PROJECT_ID).eqNullSafe(col("_b_project"))),
                        "full_outer")
                .select(
                        coalesce(col(USAGE_DATE), col("_b_date")).as(USAGE_DATE),
                        when(col("_computed").isNotNull(), col(PROJECT_ID))
                                .otherwise(col("_b_project"))
                                .as(PROJECT_ID),
                        coalesce(col(COMPUTED_COST_USD), ZERO).as(COMPUTED_COST_USD),
                        coalesce(col(BILLED_COST_USD), ZERO).as(BILLED_COST_USD),
                        coalesce(col("_computed"), lit(false)).as("_computed"),
                        coalesce(col("_billed"), lit(false)).as("_billed"))
                .withColumn(GRAIN, lit(GRAIN_DAY));
        Dataset<Row> months = days.groupBy(PROJECT_ID)
                .agg(
                        sum(COMPUTED_COST_USD).as(COMPUTED_COST_USD),
                        sum(BILLED_COST_USD).as(BILLED_COST_USD),
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
                .withColumn(STATUS, status(toleranceUsd, tolerancePct));
        return OutputTable.COST_RECONCILIATION.conform(all);
    }

    static Column status(BigDecimal toleranceUsd, BigDecimal tolerancePct) {
        Column within = abs(col(DIFFERENCE_USD))
                .leq(lit(toleranceUsd))
                .or(coalesce(abs(col(DIFFERENCE_PCT)).leq(lit(tolerancePct)), lit(false)));
        return when(col("_computed").unary_$bang(), lit(ONLY_BILLED))
                .when(col("_billed").unary_$bang(), lit(ONLY_COMPUTED))
                .when(within, lit(MATCH))
                .when(col(DIFFERENCE_USD).gt(0), lit(OVER))
                .otherwise(lit(UNDER));
    }

    /**
     * {@code unmatched_line_items}: billed results that the mapping ties to no model, per line item and
     * project, for the month.
     *
     * @param unmatched trusted billed results with no model
     * @param month billing month
     * @return rows of contract unmatched_line_items
     */
    public static Dataset<Row> unmatchedLineItems(Dataset<Row> unmatched, YearMonth month) {
        Dataset<Row> out = inMonth(unmatched, month)
                .groupBy(LINE_ITEM, PROJECT_ID)
                .agg(countDistinct(USAGE_DATE).as("days"), sum(AMOUNT_USD).as(AMOUNT_USD));
        return OutputTable.UNMATCHED_LINE_ITEMS.conform(out);
    }
}
