package io.assetcost.schema;

/**
 * The column names of {@code focus_costs} (every FOCUS version the month close writes: 1.4, 1.3, 1.2), one place
 * for the export, its contracts' key columns, the month close's invariants and its page. Names and meanings are
 * FOCUS_Spec's ({@code specification/columns/}); {@code x_} columns are assetcost's own (FOCUS: custom columns
 * start with {@code x_}). Types and units are those of {@code schemas/focus_costs.avsc} and docs/TABLES.md.
 */
public final class FocusCols {

    /** decimal(38,12), USD: what was invoiced. */
    public static final String BILLED_COST = "BilledCost";
    /** string: the OpenAI organization id. */
    public static final String BILLING_ACCOUNT_ID = "BillingAccountId";
    /** string: the organization's name. */
    public static final String BILLING_ACCOUNT_NAME = "BillingAccountName";
    /** string: USD. */
    public static final String BILLING_CURRENCY = "BillingCurrency";
    /** timestamp, UTC: the first instant after the billing month. */
    public static final String BILLING_PERIOD_END = "BillingPeriodEnd";
    /** timestamp, UTC: the first instant of the billing month. */
    public static final String BILLING_PERIOD_START = "BillingPeriodStart";
    /** string: Usage (logged) or Adjustment (only the bill has it). */
    public static final String CHARGE_CATEGORY = "ChargeCategory";
    /** string: always null (no correction of a closed period). */
    public static final String CHARGE_CLASS = "ChargeClass";
    /** string: the rate and meter of a logged row, the bill's line item of an Adjustment row. */
    public static final String CHARGE_DESCRIPTION = "ChargeDescription";
    /** string: Usage-Based. */
    public static final String CHARGE_FREQUENCY = "ChargeFrequency";
    /** timestamp, UTC: midnight after the charge day. */
    public static final String CHARGE_PERIOD_END = "ChargePeriodEnd";
    /** timestamp, UTC: midnight starting the charge day. */
    public static final String CHARGE_PERIOD_START = "ChargePeriodStart";
    /** decimal(38,12), tokens. */
    public static final String CONSUMED_QUANTITY = "ConsumedQuantity";
    /** string: Tokens. */
    public static final String CONSUMED_UNIT = "ConsumedUnit";
    /** decimal(38,12), USD. */
    public static final String CONTRACTED_COST = "ContractedCost";
    /** decimal(38,12), USD per PricingUnit. */
    public static final String CONTRACTED_UNIT_PRICE = "ContractedUnitPrice";
    /** decimal(38,12), USD. */
    public static final String EFFECTIVE_COST = "EffectiveCost";
    /** string: OpenAI. */
    public static final String HOST_PROVIDER_NAME = "HostProviderName";
    /** string: OpenAI. */
    public static final String INVOICE_ISSUER_NAME = "InvoiceIssuerName";
    /** decimal(38,12), USD. */
    public static final String LIST_COST = "ListCost";
    /** decimal(38,12), USD per PricingUnit. */
    public static final String LIST_UNIT_PRICE = "ListUnitPrice";
    /** string: Standard. */
    public static final String PRICING_CATEGORY = "PricingCategory";
    /** string: USD. */
    public static final String PRICING_CURRENCY = "PricingCurrency";
    /** decimal(38,12), millions of tokens. */
    public static final String PRICING_QUANTITY = "PricingQuantity";
    /** string: 1000000 Tokens. */
    public static final String PRICING_UNIT = "PricingUnit";
    /** string: OpenAI (1.2 and 1.3 only; removed in 1.4). */
    public static final String PROVIDER_NAME = "ProviderName";
    /** string: OpenAI (1.2 and 1.3 only; removed in 1.4). */
    public static final String PUBLISHER_NAME = "PublisherName";
    /** string: AI and Machine Learning. */
    public static final String SERVICE_CATEGORY = "ServiceCategory";
    /** string: the OpenAI API the row is billed under. */
    public static final String SERVICE_NAME = "ServiceName";
    /** string: OpenAI (1.3 on). */
    public static final String SERVICE_PROVIDER_NAME = "ServiceProviderName";
    /** string: Generative AI. */
    public static final String SERVICE_SUBCATEGORY = "ServiceSubcategory";
    /** string: model/tier/meter of a logged row. */
    public static final String SKU_ID = "SkuId";
    /** string: the token meter of a logged row. */
    public static final String SKU_METER = "SkuMeter";
    /** string, a JSON object: x_-prefixed properties of the SKU price. */
    public static final String SKU_PRICE_DETAILS = "SkuPriceDetails";
    /** string: the rate-card price of a logged row. */
    public static final String SKU_PRICE_ID = "SkuPriceId";
    /** string: the OpenAI project id. */
    public static final String SUB_ACCOUNT_ID = "SubAccountId";
    /** string: the project's name. */
    public static final String SUB_ACCOUNT_NAME = "SubAccountName";
    /** string, a JSON object: the workflow of a logged row. */
    public static final String TAGS = "Tags";
    /** decimal(38,12), tokens: what the bill counts for an Adjustment row. */
    public static final String X_BILLED_TOKENS = "x_BilledTokens";
    /** decimal(38,12), USD: the spend computed from the logs. */
    public static final String X_COMPUTED_COST = "x_ComputedCost";
    /** string: the day's reconciliation status of the row's meter. */
    public static final String X_RECONCILIATION_STATUS = "x_ReconciliationStatus";

    private FocusCols() {}
}
