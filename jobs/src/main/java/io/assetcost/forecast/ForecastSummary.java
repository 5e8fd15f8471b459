package io.assetcost.forecast;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.assetcost.ops.LockTakenOver;
import io.assetcost.run.RunSummary;
import java.util.List;
import java.util.Map;

/**
 * The forecast's {@code forecast_summary.json} as records, written by Jackson (README, "The forecast worksheet"; its
 * JSON Schema is docs/forecast_summary.schema.json). The forecast's own keys live here and nowhere else: each
 * component's name in snake_case ({@link JsonNaming}) or its {@link JsonProperty}; the keys every job's summary
 * shares are those of {@link RunSummary.Header} and {@link RunSummary.Outcome} (unwrapped into the top level) and
 * {@link LockTakenOver}. Keys are written in the order of the components. Money is an exact decimal string (USD,
 * never a JSON number); times are ISO-8601 instants (UTC), days ISO dates; counts are numbers; a key whose value is
 * unknown is written as null.
 *
 * @param header job ({@link #JOB}), run_id, started_at, finished_at, exit_code (0 published, 1 an invariant failed)
 * @param options the options as given
 * @param lockTakenOver the run that died holding the output's lock, or null
 * @param asOf the window's last cohort day (ISO date)
 * @param windowFrom the window's first cohort day (ISO date)
 * @param planRows the plan's rows
 * @param basisCounts plan rows per basis ({@code measured}, {@code planning_factor})
 * @param window the window asked for and the days the data covers
 * @param flagCounts plan rows per flag
 * @param warnings every row's warnings, as the worksheet says them
 * @param totals expected cost and budget over the plan
 * @param outcome invariants, published, staged_tables, exit_reason
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ForecastSummary(
        @JsonUnwrapped RunSummary.Header header,
        Options options,
        LockTakenOver lockTakenOver,
        String asOf,
        String windowFrom,
        int planRows,
        Map<String, Long> basisCounts,
        Window window,
        Map<String, Long> flagCounts,
        List<String> warnings,
        Totals totals,
        @JsonUnwrapped RunSummary.Outcome outcome) {

    /** The job's name in every summary it writes. */
    public static final String JOB = "assetcost-forecast";

    /**
     * {@code options}: each option as given (README, "The forecast worksheet"); decimals as plain strings.
     *
     * @param plan --plan
     * @param tables --tables
     * @param out --out
     * @param asOf --as-of, or null (the latest cohort)
     * @param trailingDays --trailing-days
     * @param buffer --buffer
     * @param minApprovals --min-approvals
     * @param rateLimits --rate-limits, or null (the embedded card)
     * @param accountTier --account-tier, or null
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Options(
            String plan,
            String tables,
            String out,
            String asOf,
            int trailingDays,
            String buffer,
            int minApprovals,
            String rateLimits,
            Integer accountTier) {}

    /**
     * {@code window}: the cohort days asked for and those the data covers in them, for a tool to read.
     *
     * @param askedFrom the first day asked for (ISO date)
     * @param askedTo the last day asked for (ISO date)
     * @param askedDays --trailing-days
     * @param dataFrom the first day with data (ISO date), or null when none has
     * @param dataTo the last day with data (ISO date), or null when none has
     * @param dataDays the days the data covers
     * @param shortWindow {@code short}: whether the data covers fewer days than asked for
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Window(
            String askedFrom,
            String askedTo,
            int askedDays,
            String dataFrom,
            String dataTo,
            long dataDays,
            @JsonProperty("short") boolean shortWindow) {}

    /**
     * {@code totals}: summed over the plan rows, USD as exact decimal strings.
     *
     * @param expectedCostUsd the rows' expected_cost_usd
     * @param budgetUsd the rows' budget_usd
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Totals(String expectedCostUsd, String budgetUsd) {}
}
