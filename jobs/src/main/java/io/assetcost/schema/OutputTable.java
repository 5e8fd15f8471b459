package io.assetcost.schema;

import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.DETAIL;
import static io.assetcost.schema.Cols.GRAIN;
import static io.assetcost.schema.Cols.LINE_ITEM;
import static io.assetcost.schema.Cols.METER;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PROJECT_ID;
import static io.assetcost.schema.Cols.RAW_RECORD;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.REQUEST_ID;
import static io.assetcost.schema.Cols.SERVICE_TIER;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.SOURCE_FILE;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.USD_PER_1M_TOKENS;
import static io.assetcost.schema.Cols.WASTE_REASON;
import static io.assetcost.schema.Cols.WORKFLOW_ID;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The catalogue of every table the jobs write: its name (the directory under the output, the CSV file's
 * base name and the contract {@code schemas/<name>.avsc}), which job writes it, its Hive-style partition
 * column, the row order within a file (and of its CSV file), and whether it is also written as one CSV
 * file. Several entries may name one table when it is written in versions of a standard (FOCUS 1.4, 1.3,
 * 1.2): each has its own contract and a run writes one of them. Adding a table is one entry here plus its {@code .avsc}
 * (docs/DESIGN.md, "Adding an output table").
 */
public enum OutputTable {
    /** Grain: one priced request; partitioned by usage_date. */
    REQUEST_COSTS("request_costs", EnumSet.of(Job.COST), USAGE_DATE, false, USAGE_DATE, REQUEST_ID),
    /** Grain: one asset; partitioned by cohort_date. */
    ASSET_COSTS("asset_costs", EnumSet.of(Job.COST), COHORT_DATE, false, COHORT_DATE, WORKFLOW_ID, Cols.ASSET_ID),
    /** Report, grain cohort_date x workflow_id. */
    COST_PER_APPROVED_ASSET(
            "cost_per_approved_asset", EnumSet.of(Job.COST), COHORT_DATE, true, COHORT_DATE, WORKFLOW_ID),
    /** Report, grain cohort_date x workflow_id x waste_reason. */
    RETRY_WASTE("retry_waste", EnumSet.of(Job.COST), COHORT_DATE, true, COHORT_DATE, WORKFLOW_ID, WASTE_REASON),
    /** Grain: one request of a reported asset, with its outcome and attempt number; partitioned by cohort_date. */
    REQUEST_OUTCOMES(
            "request_outcomes",
            EnumSet.of(Job.COST),
            COHORT_DATE,
            false,
            COHORT_DATE,
            WORKFLOW_ID,
            Cols.ASSET_ID,
            "attempt_number"),
    /** Grain cohort_date x workflow_id x attempts bucket. */
    ATTEMPTS("attempts", EnumSet.of(Job.COST), COHORT_DATE, true, COHORT_DATE, WORKFLOW_ID, "attempts_from"),
    /** Grain cohort_date x workflow_id: the attempt-cap what-if. */
    ATTEMPT_CAP("attempt_cap", EnumSet.of(Job.COST), COHORT_DATE, true, COHORT_DATE, WORKFLOW_ID),
    /** Grain usage_date x rate_model: peaks per UTC minute against the rate limits. */
    RATE_LIMIT_HEADROOM("rate_limit_headroom", EnumSet.of(Job.COST), USAGE_DATE, true, USAGE_DATE, Cols.RATE_MODEL),
    /** Grain: one input record that could not be trusted; replaced whole by each run. */
    QUARANTINE(
            "quarantine",
            EnumSet.of(Job.COST, Job.MONTH_CLOSE),
            null,
            true,
            SOURCE,
            SOURCE_FILE,
            REASON,
            RAW_RECORD,
            DETAIL),
    /** Forecast worksheet, grain plan row. */
    FORECAST("forecast", EnumSet.of(Job.FORECAST), null, true, "plan_line"),
    /** Month close, grain month x project x model x tier x meter x rate. */
    MONTHLY_SPEND(
            "monthly_spend",
            EnumSet.of(Job.MONTH_CLOSE),
            null,
            true,
            PROJECT_ID,
            MODEL,
            SERVICE_TIER,
            METER,
            USD_PER_1M_TOKENS),
    /** Month close, grain month x quarantine reason. */
    UNPRICED_USAGE("unpriced_usage", EnumSet.of(Job.MONTH_CLOSE), null, true, BILLING_MONTH, REASON),
    /** Month close, grain day x project plus a month row per project. */
    COST_RECONCILIATION("cost_reconciliation", EnumSet.of(Job.MONTH_CLOSE), null, true, GRAIN, PROJECT_ID, USAGE_DATE),
    /** Month close, day x project x model x meter plus month rows, in dollars and tokens. */
    METER_RECONCILIATION(
            "meter_reconciliation",
            EnumSet.of(Job.MONTH_CLOSE),
            null,
            true,
            GRAIN,
            PROJECT_ID,
            MODEL,
            METER,
            USAGE_DATE),
    /**
     * Month close, FOCUS 1.4 columns (the default), grain charge day x project x workflow x model x tier x meter x
     * rate, plus rows only the bill has.
     */
    FOCUS_COSTS(
            "focus_costs",
            EnumSet.of(Job.MONTH_CLOSE),
            null,
            true,
            FocusCols.CHARGE_PERIOD_START,
            FocusCols.SUB_ACCOUNT_ID,
            FocusCols.SKU_PRICE_ID,
            FocusCols.TAGS,
            FocusCols.CHARGE_DESCRIPTION),
    /** Month close with {@code --focus-version 1.3}: the same table ({@code focus_costs}) in FOCUS 1.3 columns. */
    FOCUS_COSTS_1_3(
            "focus_costs",
            "focus_costs_1_3",
            EnumSet.of(Job.MONTH_CLOSE),
            null,
            true,
            FocusCols.CHARGE_PERIOD_START,
            FocusCols.SUB_ACCOUNT_ID,
            FocusCols.SKU_PRICE_ID,
            FocusCols.TAGS,
            FocusCols.CHARGE_DESCRIPTION),
    /** Month close with {@code --focus-version 1.2}: the same table ({@code focus_costs}) in FOCUS 1.2 columns. */
    FOCUS_COSTS_1_2(
            "focus_costs",
            "focus_costs_1_2",
            EnumSet.of(Job.MONTH_CLOSE),
            null,
            true,
            FocusCols.CHARGE_PERIOD_START,
            FocusCols.SUB_ACCOUNT_ID,
            FocusCols.SKU_PRICE_ID,
            FocusCols.TAGS,
            FocusCols.CHARGE_DESCRIPTION),
    /** Month close, billed line items matched to no model, grain line item x project. */
    UNMATCHED_LINE_ITEMS("unmatched_line_items", EnumSet.of(Job.MONTH_CLOSE), null, true, LINE_ITEM, PROJECT_ID),
    /** Month close, logs against the organization Usage API, grain day x project x model x source. */
    LOG_COVERAGE("log_coverage", EnumSet.of(Job.MONTH_CLOSE), null, true, USAGE_DATE, PROJECT_ID, MODEL, Cols.SOURCE);

    /** The jobs that write tables. */
    public enum Job {
        /** The nightly cost job ({@code io.assetcost.CostJob}). */
        COST,
        /** The month close ({@code io.assetcost.finance.ReconcileJob}). */
        MONTH_CLOSE,
        /** The forecast worksheet ({@code io.assetcost.forecast.ForecastJob}). */
        FORECAST
    }

    private final String tableName;
    private final String contract;
    private final Set<Job> writers;
    private final String partitionColumn;
    private final boolean csv;
    private final List<String> sort;

    OutputTable(String tableName, Set<Job> writers, String partitionColumn, boolean csv, String... sort) {
        this(tableName, tableName, writers, partitionColumn, csv, sort);
    }

    OutputTable(
            String tableName, String contract, Set<Job> writers, String partitionColumn, boolean csv, String... sort) {
        this.tableName = tableName;
        this.contract = contract;
        this.writers = writers;
        this.partitionColumn = partitionColumn;
        this.csv = csv;
        this.sort = List.of(sort);
    }

    /** The table's name: its directory, its CSV file's base name and its contract's name. */
    public String tableName() {
        return tableName;
    }

    /** The Hive-style partition column (a date), or null for a table replaced whole. */
    public String partitionColumn() {
        return partitionColumn;
    }

    /** Whether the table is also written as one CSV file, {@code <name>.csv}, beside it. */
    public boolean csv() {
        return csv;
    }

    /** Row order within a file and in its CSV file: stable files for stable reruns. */
    public List<String> sort() {
        return sort;
    }

    /**
     * The contract's name, {@code schemas/<contract>.avsc}: the table's name, except for a table written in
     * more than one version of a standard (focus_costs in FOCUS 1.3: {@code focus_costs_1_3}, in 1.2:
     * {@code focus_costs_1_2}).
     */
    public String contract() {
        return contract;
    }

    /** The contract, {@code schemas/<contract>.avsc}. */
    public Schema avro() {
        return Schemas.avro(contract);
    }

    /** The Spark schema of the contract, partition column included. */
    public StructType sparkSchema() {
        return Schemas.spark(contract);
    }

    /**
     * Reduces and types a dataset to the contract ({@link Schemas#conform}).
     *
     * @param df a dataset holding at least the contract's columns
     * @return exactly the contract's columns, in order
     */
    public Dataset<Row> conform(Dataset<Row> df) {
        return Schemas.conform(df, contract);
    }

    /** The tables a job writes, in the order it writes them. */
    public static List<OutputTable> writtenBy(Job job) {
        return Arrays.stream(values()).filter(t -> t.writers.contains(job)).toList();
    }
}
