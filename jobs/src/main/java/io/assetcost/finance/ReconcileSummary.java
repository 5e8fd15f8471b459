package io.assetcost.finance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.assetcost.ops.LockTakenOver;
import io.assetcost.run.RunSummary;
import io.assetcost.schema.Cols;
import java.util.Map;

/**
 * The month close's {@code reconcile_summary.json} as records, written by Jackson (README, "Monthly finance: closing
 * a month"; its JSON Schema is docs/reconcile_summary.schema.json). The close's own keys live here and nowhere
 * else: each component's name in snake_case ({@link JsonNaming}), or its {@link JsonProperty} where the key is a
 * grain of the tables ({@link Cols}); the keys every job's summary shares are those of {@link RunSummary.Header}
 * and {@link RunSummary.Outcome} (unwrapped into the top level) and {@link LockTakenOver}. Keys are written in the
 * order of the components. Money is an exact decimal string (USD, never a JSON number); times are ISO-8601 instants
 * (UTC), days ISO dates; counts are numbers. A key whose value is unknown is written as null, except
 * {@code usage_api} and {@code status_counts.log_coverage}, which are absent without --usage-api.
 *
 * @param header job ({@link #JOB}), run_id, started_at, finished_at, exit_code (0 published, 1 an invariant failed)
 * @param billingMonth the month closed, {@code YYYY-MM} (UTC)
 * @param monthCoverage how much of the month the close has data for ({@link MonthCoverage})
 * @param options the options as given
 * @param billedCosts the Costs API input and how its results were accounted for
 * @param totals the month's computed and billed spend
 * @param statusCounts rows per status of the reconciliations (and log_coverage)
 * @param usageApi the Usage API input and how its results were accounted for; null without --usage-api (then
 *     the key is absent)
 * @param lockTakenOver the run that died holding the output's lock, or null
 * @param outcome invariants, published, staged_tables, exit_reason
 * @param tableFormat how the close's tables are stored, {@code parquet} or {@code delta} (--table-format)
 * @param deltaVersions each table's Delta version after this close's commit, by table name; null when the close
 *     published nothing or its tables are Parquet
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReconcileSummary(
        @JsonUnwrapped RunSummary.Header header,
        String billingMonth,
        Coverage monthCoverage,
        Options options,
        BilledCosts billedCosts,
        Totals totals,
        StatusCounts statusCounts,
        @JsonInclude(JsonInclude.Include.NON_NULL) UsageApi usageApi,
        LockTakenOver lockTakenOver,
        @JsonUnwrapped RunSummary.Outcome outcome,
        String tableFormat,
        Map<String, Long> deltaVersions) {

    /** The job's name in every summary it writes. */
    public static final String JOB = "assetcost-reconcile";

    /**
     * {@code month_coverage}: the last UTC day with usage or a billed cost, against the month's days.
     *
     * @param complete whether the data reaches the month's last day
     * @param dataThrough the last day with usage or a billed cost (ISO date), null when the month has neither
     * @param lastDayOfMonth the month's last day (ISO date)
     * @param daysWithData days of the month with usage or a billed cost
     * @param daysInMonth the month's days
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Coverage(
            boolean complete, String dataThrough, String lastDayOfMonth, long daysWithData, int daysInMonth) {}

    /**
     * {@code options}: each option as given (README, "Monthly finance: closing a month"); decimals as plain
     * strings.
     *
     * @param tables --tables
     * @param costs --costs
     * @param out --out
     * @param toleranceUsd --tolerance-usd (USD)
     * @param tolerancePct --tolerance-pct
     * @param toleranceTokens --tolerance-tokens
     * @param lineItems --line-items, or the embedded mapping's description
     * @param usageApi --usage-api, or null
     * @param projectNames --project-names, or null
     * @param focusVersion --focus-version, as its label
     * @param billingAccountId --billing-account-id
     * @param billingAccountName --billing-account-name
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Options(
            String tables,
            String costs,
            String out,
            String toleranceUsd,
            String tolerancePct,
            long toleranceTokens,
            String lineItems,
            String usageApi,
            String projectNames,
            String focusVersion,
            String billingAccountId,
            String billingAccountName) {}

    /**
     * {@code billed_costs}: results read = used + quarantined + overlapping duplicates dropped.
     *
     * @param pagesRead Costs API pages read
     * @param resultsRead billed results read
     * @param resultsUsed results used
     * @param quarantined results quarantined
     * @param quarantinedByReason results quarantined per reason code
     * @param overlappingDuplicatesDropped results repeated by an overlapping page, counted once
     * @param unmatchedLineItems rows of unmatched_line_items
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BilledCosts(
            long pagesRead,
            long resultsRead,
            long resultsUsed,
            long quarantined,
            Map<String, Long> quarantinedByReason,
            long overlappingDuplicatesDropped,
            long unmatchedLineItems) {}

    /**
     * {@code totals}: the month's spend, USD as exact decimal strings.
     *
     * @param computedCostUsd request_costs of the month
     * @param billedImageCostUsd the month's billed cost of line items mapped to an image model
     * @param billedUnmatchedUsd the billed cost of line items mapped to no image model (unmatched_line_items)
     * @param differenceUsd computed minus billed image cost
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Totals(
            String computedCostUsd, String billedImageCostUsd, String billedUnmatchedUsd, String differenceUsd) {}

    /**
     * {@code status_counts}: rows per status (a null status counts under {@code null}).
     *
     * @param day cost_reconciliation's day rows
     * @param month cost_reconciliation's month rows
     * @param meterDay meter_reconciliation's day rows, by status (dollars)
     * @param meterDayTokens meter_reconciliation's day rows, by token_status
     * @param meterMonth meter_reconciliation's month rows, by status
     * @param meterMonthTokens meter_reconciliation's month rows, by token_status
     * @param logCoverage log_coverage's rows; null without --usage-api (then the key is absent)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StatusCounts(
            @JsonProperty(Cols.GRAIN_DAY) Map<String, Long> day,
            @JsonProperty(Cols.GRAIN_MONTH) Map<String, Long> month,
            Map<String, Long> meterDay,
            Map<String, Long> meterDayTokens,
            Map<String, Long> meterMonth,
            Map<String, Long> meterMonthTokens,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Long> logCoverage) {}

    /**
     * {@code usage_api}: results read = used + quarantined + overlapping duplicates dropped.
     *
     * @param pagesRead Usage API pages read
     * @param resultsRead results read
     * @param resultsUsed results used
     * @param quarantined results quarantined
     * @param overlappingDuplicatesDropped results repeated by an overlapping page, counted once
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record UsageApi(
            long pagesRead, long resultsRead, long resultsUsed, long quarantined, long overlappingDuplicatesDropped) {}
}
