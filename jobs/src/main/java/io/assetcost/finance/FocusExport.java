package io.assetcost.finance;

import static io.assetcost.schema.Cols.AMOUNT_USD;
import static io.assetcost.schema.Cols.BILLED_TOKENS;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.PROJECT_NAME;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.SERVICE_TIER;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.TOKENS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.USD_PER_1M_TOKENS;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.assetcost.pricing.RequestPricing;
import io.assetcost.schema.FocusCols;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code focus_costs}: the month in FinOps FOCUS columns, version 1.4 (default), 1.3 or 1.2 (contracts
 * {@code schemas/focus_costs.avsc}, {@code focus_costs_1_3.avsc} and {@code focus_costs_1_2.avsc}). The column
 * definitions it follows are the FOCUS_Spec repository's (derived in
 * {@code jobs/src/test/resources/focus/columns-*.csv}, checked by {@code FocusSpecTest}); its rules per row are
 * checked against the FOCUS requirements model by {@code FocusRequirementsModelTest}.
 *
 * <p>Rows: one per charge day x project x workflow x model x tier x meter x rate that was logged, and one per
 * day x project x line item that only the bill has (no logged usage of that model and meter that day, or a line
 * item tied to no image model). {@code BilledCost} is what was invoiced: the Costs API amount of the row's day,
 * project, model and meter, split over the logged rows sharing it in proportion to their computed cost
 * (half-even at 12 places, the remainder to the largest row), so {@code BilledCost} sums exactly to the month's
 * bill.
 *
 * <p>A logged row is {@code ChargeCategory} Usage, priced from the rate card ({@code SkuPriceId} is a rate-card
 * price, with its unit prices and quantities). A row only the bill has is Adjustment: FOCUS requires a Usage row
 * that is no correction to carry a SkuPriceId referencing a price-list SKU price, unit prices and quantities
 * (FOCUS_Spec requirements model, {@code CAU-SkuPriceId-C-005-C}, {@code CAU-PricingQuantity-C-005-C}); such a row
 * has no logged usage, its line item names no service tier (so no single rate-card price) and its quantity may be
 * unknown. It keeps its billed amount, line item (ChargeDescription) and the bill's tokens ({@code x_BilledTokens});
 * its SKU, prices and quantities are null (README, "FOCUS 1.4 export"), its ListCost its BilledCost (FOCUS_Spec
 * {@code specification/columns/listcost.md}: a charge without ListUnitPrice unrelated to other charges).
 *
 * <p>{@code ListCost} of a logged row is the logged tokens at the rate card's price (the computed cost), also
 * carried as {@code x_ComputedCost}; {@code EffectiveCost = BilledCost} (nothing to amortize); {@code ContractedCost =
 * ListCost} (no negotiated rate is known).
 */
public final class FocusExport {

    /** FOCUS versions the export writes (sources: README, "FOCUS 1.4 export, and its judgement calls"). */
    public enum Version {
        /** FOCUS 1.2 (May 2025). */
        V1_2("1.2", OutputTable.FOCUS_COSTS_1_2),
        /** FOCUS 1.3 (December 2025): ServiceProviderName and HostProviderName beside the deprecated columns. */
        V1_3("1.3", OutputTable.FOCUS_COSTS_1_3),
        /** FOCUS 1.4 (June 2026), the default: without ProviderName and PublisherName. */
        V1_4("1.4", OutputTable.FOCUS_COSTS);

        private final String label;
        private final OutputTable table;

        Version(String label, OutputTable table) {
            this.label = label;
            this.table = table;
        }

        /** The version as written on the command line: 1.2, 1.3 or 1.4. */
        public String label() {
            return label;
        }

        /** The catalogue entry (and contract) of this version. */
        public OutputTable table() {
            return table;
        }

        /**
         * The version named on the command line.
         *
         * @param label 1.2, 1.3 or 1.4
         * @throws IllegalArgumentException for another label
         */
        public static Version of(String label) {
            for (Version v : values()) {
                if (v.label.equals(label)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("FOCUS version must be 1.4, 1.3 or 1.2, got '" + label + "'");
        }
    }

    /**
     * The billing account and version of an export.
     *
     * @param version FOCUS version
     * @param billingAccountId BillingAccountId: the OpenAI organization id
     * @param billingAccountName BillingAccountName: the organization's name
     */
    public record Account(Version version, String billingAccountId, String billingAccountName) {}

    /** PricingUnit: one million tokens, as a whole number (FOCUS UnitFormat, {@code <quantity> <plural-units>}). */
    public static final String PRICING_UNIT = "1000000 Tokens";
    /** ConsumedUnit. */
    public static final String CONSUMED_UNIT = "Tokens";
    /** ChargeCategory of a logged row. */
    public static final String USAGE = "Usage";
    /** ChargeCategory of a row only the bill has (no SKU price, unit prices or quantities: see the class). */
    public static final String ADJUSTMENT = "Adjustment";
    /** x_ReconciliationStatus of a line item tied to no image model. */
    public static final String UNMATCHED = "unmatched_line_item";

    private static final String PROVIDER = "OpenAI";
    private static final BigDecimal PER_UNIT = new BigDecimal("0.000001");
    private static final UserDefinedFunction SHARE =
            udf((UDF3<BigDecimal, BigDecimal, BigDecimal, BigDecimal>) FocusExport::share, RequestPricing.USD);

    private FocusExport() {}

    /**
     * {@code part x whole / total}, half-even at 12 places: one row's share of a bill.
     *
     * @param part the row's computed cost, USD
     * @param whole the bill to split, USD
     * @param total the computed cost of every row sharing the bill, USD
     * @return the share; 0 when the total is 0 or any value is missing
     */
    public static BigDecimal share(BigDecimal part, BigDecimal whole, BigDecimal total) {
        if (part == null || whole == null || total == null || total.signum() == 0) {
            return BigDecimal.ZERO.setScale(12);
        }
        return part.multiply(whole).divide(total, 12, RoundingMode.HALF_EVEN);
    }

    /**
     * Project names as a dataset (project_id, project_name), from a map (a {@code --project-names} file).
     *
     * @param names project id to name
     * @return one row per entry
     */
    public static Dataset<Row> names(SparkSession spark, Map<String, String> names) {
        List<Row> rows = new ArrayList<>();
        names.forEach((id, name) -> rows.add(RowFactory.create(id, name)));
        StructType schema = new StructType()
                .add(PROJECT_ID, DataTypes.StringType, false)
                .add(PROJECT_NAME, DataTypes.StringType, false);
        return spark.createDataFrame(rows, schema);
    }

    /**
     * Builds the export.
     *
     * @param meterRows rows of {@link FinanceReports#meterRows}
     * @param billed the month's trusted billed results: usage_date, project_id, project_name, line_item, model and
     *     meter (from the mapping; null when unmatched), amount_usd, billed_tokens
     * @param statuses day rows of meter_reconciliation (usage_date, project_id, model, meter, status)
     * @param projectNames project_id, project_name from a --project-names file (may be empty)
     * @param month billing month
     * @param account billing account and FOCUS version
     * @return rows of the version's contract
     */
    public static Dataset<Row> of(
            Dataset<Row> meterRows,
            Dataset<Row> billed,
            Dataset<Row> statuses,
            Dataset<Row> projectNames,
            YearMonth month,
            Account account) {
        Dataset<Row> bills = billed.filter(col(MODEL).isNotNull())
                .groupBy(USAGE_DATE, PROJECT_ID, MODEL, METER)
                .agg(sum(AMOUNT_USD).as("_bill"));
        Dataset<Row> logged = loggedRows(meterRows, bills);
        Dataset<Row> onlyBilled = billedOnlyRows(meterRows, billed);
        Dataset<Row> rows = logged.unionByName(onlyBilled);
        Dataset<Row> status = statuses.select(
                col(USAGE_DATE).as("_s_date"),
                col(PROJECT_ID).as("_s_project"),
                col(MODEL).as("_s_model"),
                col(METER).as("_s_meter"),
                col(STATUS).as("_status"));
        rows = rows.join(
                        status,
                        col(USAGE_DATE)
                                .equalTo(col("_s_date"))
                                .and(col(PROJECT_ID).eqNullSafe(col("_s_project")))
                                .and(col(MODEL).eqNullSafe(col("_s_model")))
                                .and(col(METER).eqNullSafe(col("_s_meter"))),
                        "left")
                .withColumn("_status", coalesce(col("_status"), lit(UNMATCHED)));
        return account.version().table().conform(columns(withNames(rows, billed, projectNames), month, account));
    }

    /** Logged rows with their share of the bill of their day, project, model and meter. */
    private static Dataset<Row> loggedRows(Dataset<Row> meterRows, Dataset<Row> bills) {
        Dataset<Row> charges = meterRows
                .groupBy(USAGE_DATE, PROJECT_ID, WORKFLOW_ID, RATE_MODEL, SERVICE_TIER, METER, USD_PER_1M_TOKENS)
                .agg(sum(TOKENS).as(TOKENS), sum(COST_USD).as(COST_USD))
                .withColumnRenamed(RATE_MODEL, MODEL);
        Dataset<Row> b = bills.select(
                col(USAGE_DATE).as("_b_date"),
                col(PROJECT_ID).as("_b_project"),
                col(MODEL).as("_b_model"),
                col(METER).as("_b_meter"),
                col("_bill"));
        WindowSpec key = Window.partitionBy(col(USAGE_DATE), col(PROJECT_ID), col(MODEL), col(METER));
        Dataset<Row> joined = charges.join(
                        b,
                        col(USAGE_DATE)
                                .equalTo(col("_b_date"))
                                .and(col(PROJECT_ID).eqNullSafe(col("_b_project")))
                                .and(col(MODEL).equalTo(col("_b_model")))
                                .and(col(METER).equalTo(col("_b_meter"))),
                        "left")
                .withColumn("_bill", coalesce(col("_bill"), lit(BigDecimal.ZERO).cast(RequestPricing.USD)))
                .withColumn(
                        "_share",
                        SHARE.apply(col(COST_USD), col("_bill"), sum(COST_USD).over(key)))
                .withColumn(
                        "_rank",
                        row_number()
                                .over(key.orderBy(
                                        col(COST_USD).desc(),
                                        col(WORKFLOW_ID),
                                        col(SERVICE_TIER),
                                        col(USD_PER_1M_TOKENS))));
        Column remainder = col("_bill").minus(sum("_share").over(key));
        return joined.withColumn(
                        "_billed_cost",
                        when(col("_rank").equalTo(1), col("_share").plus(remainder))
                                .otherwise(col("_share"))
                                .cast(RequestPricing.USD))
                .select(
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        col(WORKFLOW_ID),
                        col(MODEL),
                        col(SERVICE_TIER),
                        col(METER),
                        col(USD_PER_1M_TOKENS),
                        col(TOKENS).cast(CostsReader.TOKEN_QUANTITY).as(TOKENS),
                        col(COST_USD),
                        col("_billed_cost"),
                        lit(null).cast("string").as(LINE_ITEM),
                        lit(true).as("_logged"));
    }

    /** Billed results with no logged usage of their model and meter that day, per day, project and line item. */
    private static Dataset<Row> billedOnlyRows(Dataset<Row> meterRows, Dataset<Row> billed) {
        Dataset<Row> keys = meterRows
                .select(
                        col(USAGE_DATE).as("_k_date"),
                        col(PROJECT_ID).as("_k_project"),
                        col(RATE_MODEL).as("_k_model"),
                        col(METER).as("_k_meter"))
                .distinct();
        return billed.join(
                        keys,
                        col(USAGE_DATE)
                                .equalTo(col("_k_date"))
                                .and(col(PROJECT_ID).eqNullSafe(col("_k_project")))
                                .and(col(MODEL).equalTo(col("_k_model")))
                                .and(col(METER).equalTo(col("_k_meter"))),
                        "left_anti")
                .groupBy(USAGE_DATE, PROJECT_ID, LINE_ITEM, MODEL, METER)
                .agg(
                        sum(AMOUNT_USD).as("_billed_cost"),
                        when(
                                        sum(when(col(BILLED_TOKENS).isNull(), 1).otherwise(0))
                                                .equalTo(0),
                                        sum(BILLED_TOKENS))
                                .as(TOKENS))
                .select(
                        col(USAGE_DATE),
                        col(PROJECT_ID),
                        lit(null).cast("string").as(WORKFLOW_ID),
                        col(MODEL),
                        lit(null).cast("string").as(SERVICE_TIER),
                        col(METER),
                        lit(null).cast("decimal(18,6)").as(USD_PER_1M_TOKENS),
                        col(TOKENS),
                        lit(BigDecimal.ZERO).cast(RequestPricing.USD).as(COST_USD),
                        col("_billed_cost").cast(RequestPricing.USD).as("_billed_cost"),
                        col(LINE_ITEM),
                        lit(false).as("_logged"));
    }

    /**
     * SubAccountName: the --project-names file's name, else the Costs API's project_name, else the project id
     * (the documented fallback: FOCUS wants a name whenever SubAccountId is set).
     */
    private static Dataset<Row> withNames(Dataset<Row> rows, Dataset<Row> billed, Dataset<Row> projectNames) {
        Dataset<Row> fromApi = billed.filter(col(PROJECT_NAME).isNotNull())
                .groupBy(col(PROJECT_ID).as("_a_project"))
                .agg(first(PROJECT_NAME, true).as("_api_name"));
        Dataset<Row> fromFile = projectNames.select(
                col(PROJECT_ID).as("_f_project"), col(PROJECT_NAME).as("_file_name"));
        return rows.join(fromApi, col(PROJECT_ID).equalTo(col("_a_project")), "left")
                .join(fromFile, col(PROJECT_ID).equalTo(col("_f_project")), "left")
                .withColumn(
                        PROJECT_NAME,
                        when(
                                col(PROJECT_ID).isNotNull(),
                                coalesce(col("_file_name"), col("_api_name"), col(PROJECT_ID))));
    }

    /** The FOCUS columns of every row (the contract keeps those of its version). */
    private static Dataset<Row> columns(Dataset<Row> rows, YearMonth month, Account account) {
        Column isLogged = col("_logged");
        Column sku = concat(col(MODEL), lit("/"), col(SERVICE_TIER), lit("/"), col(METER));
        Column rate = when(isLogged, col(USD_PER_1M_TOKENS).cast(RequestPricing.USD));
        Column tokens = when(isLogged, col(TOKENS));
        Column pricingQuantity = tokens.multiply(lit(PER_UNIT)).cast(RequestPricing.USD);
        Column listCost = when(isLogged, col(COST_USD)).otherwise(col("_billed_cost"));
        return rows.select(
                col("_billed_cost").as(FocusCols.BILLED_COST),
                lit(account.billingAccountId()).as(FocusCols.BILLING_ACCOUNT_ID),
                lit(account.billingAccountName()).as(FocusCols.BILLING_ACCOUNT_NAME),
                lit("USD").as(FocusCols.BILLING_CURRENCY),
                lit(month.plusMonths(1).atDay(1) + "T00:00:00Z")
                        .cast("timestamp")
                        .as(FocusCols.BILLING_PERIOD_END),
                lit(month.atDay(1) + "T00:00:00Z").cast("timestamp").as(FocusCols.BILLING_PERIOD_START),
                when(isLogged, lit(USAGE)).otherwise(lit(ADJUSTMENT)).as(FocusCols.CHARGE_CATEGORY),
                lit(null).cast("string").as(FocusCols.CHARGE_CLASS),
                when(isLogged, chargeDescription()).otherwise(col(LINE_ITEM)).as(FocusCols.CHARGE_DESCRIPTION),
                lit("Usage-Based").as(FocusCols.CHARGE_FREQUENCY),
                dayStart(1).as(FocusCols.CHARGE_PERIOD_END),
                dayStart(0).as(FocusCols.CHARGE_PERIOD_START),
                tokens.cast(RequestPricing.USD).as(FocusCols.CONSUMED_QUANTITY),
                when(tokens.isNotNull(), lit(CONSUMED_UNIT)).as(FocusCols.CONSUMED_UNIT),
                listCost.as(FocusCols.CONTRACTED_COST),
                rate.as(FocusCols.CONTRACTED_UNIT_PRICE),
                col("_billed_cost").as(FocusCols.EFFECTIVE_COST),
                lit(PROVIDER).as(FocusCols.HOST_PROVIDER_NAME),
                lit(PROVIDER).as(FocusCols.INVOICE_ISSUER_NAME),
                listCost.as(FocusCols.LIST_COST),
                rate.as(FocusCols.LIST_UNIT_PRICE),
                lit("Standard").as(FocusCols.PRICING_CATEGORY),
                lit("USD").as(FocusCols.PRICING_CURRENCY),
                pricingQuantity.as(FocusCols.PRICING_QUANTITY),
                when(tokens.isNotNull(), lit(PRICING_UNIT)).as(FocusCols.PRICING_UNIT),
                lit(PROVIDER).as(FocusCols.PROVIDER_NAME),
                lit(PROVIDER).as(FocusCols.PUBLISHER_NAME),
                lit("AI and Machine Learning").as(FocusCols.SERVICE_CATEGORY),
                when(col(MODEL).isNotNull(), lit("OpenAI Images API"))
                        .otherwise(lit("OpenAI API"))
                        .as(FocusCols.SERVICE_NAME),
                lit(PROVIDER).as(FocusCols.SERVICE_PROVIDER_NAME),
                lit("Generative AI").as(FocusCols.SERVICE_SUBCATEGORY),
                when(isLogged, sku).as(FocusCols.SKU_ID),
                when(isLogged, col(METER)).as(FocusCols.SKU_METER),
                skuPriceDetails(isLogged).as(FocusCols.SKU_PRICE_DETAILS),
                when(isLogged, concat(sku, lit("@"), col(USD_PER_1M_TOKENS).cast("string")))
                        .as(FocusCols.SKU_PRICE_ID),
                col(PROJECT_ID).as(FocusCols.SUB_ACCOUNT_ID),
                col(PROJECT_NAME).as(FocusCols.SUB_ACCOUNT_NAME),
                when(isLogged, to_json(map(lit("workflow_id"), col(WORKFLOW_ID))))
                        .as(FocusCols.TAGS),
                when(isLogged, lit(null))
                        .otherwise(col(TOKENS))
                        .cast(RequestPricing.USD)
                        .as(FocusCols.X_BILLED_TOKENS),
                col(COST_USD).as(FocusCols.X_COMPUTED_COST),
                col("_status").as(FocusCols.X_RECONCILIATION_STATUS));
    }

    /**
     * SkuPriceDetails: x_-prefixed properties of the SKU price (FOCUS: keys not defined by FOCUS start x_); null
     * without a SkuPriceId (FOCUS_Spec {@code specification/columns/skupricedetails.md}: null when SkuPriceId is).
     */
    private static Column skuPriceDetails(Column isLogged) {
        return when(
                isLogged,
                to_json(map(
                        lit("x_Model"), col(MODEL),
                        lit("x_ServiceTier"), col(SERVICE_TIER),
                        lit("x_TokenMeter"), col(METER))));
    }

    /** The UTC midnight {@code days} after the start of the row's charge day (ChargePeriodStart: 0, End: 1). */
    private static Column dayStart(int days) {
        return to_timestamp(date_format(date_add(col(USAGE_DATE), days), "yyyy-MM-dd'T'00:00:00'Z'"));
    }

    /** {@code gpt-image-2 image_output tokens, default tier, $30.000000 per 1M tokens}. */
    private static Column chargeDescription() {
        return concat(
                col(MODEL),
                lit(" "),
                col(METER),
                lit(" tokens, "),
                col(SERVICE_TIER),
                lit(" tier, $"),
                col(USD_PER_1M_TOKENS).cast("string"),
                lit(" per 1M tokens"));
    }
}
