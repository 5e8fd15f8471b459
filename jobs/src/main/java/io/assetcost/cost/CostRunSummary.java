package io.assetcost.cost;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.assetcost.ops.LockTakenOver;
import io.assetcost.ops.ShrinkGuard;
import io.assetcost.run.Invariant;
import io.assetcost.run.RunSummary;
import io.assetcost.schema.Cols;
import java.util.List;
import java.util.Map;

/**
 * The cost job's {@code run_summary.json} as records, written by Jackson (README, "run_summary.json"; its JSON
 * Schema is docs/run_summary.schema.json). The job's own keys live here and nowhere else: each component's name in
 * snake_case ({@link JsonNaming}), or its {@link JsonProperty} where the key is a column name of the tables
 * ({@link Cols}); the keys every job's summary shares are those of {@link RunSummary.Header} (unwrapped into the
 * top level), {@link Invariant}, {@link LockTakenOver} and {@link ShrinkGuard.Shrunk}. Keys are written in the
 * order of the components. Money is an exact decimal string (USD, never
 * a JSON number); times are ISO-8601 instants (UTC), days ISO dates; counts are numbers. A key whose value is
 * unknown is written as null, except {@code attention}, which is absent when there is nothing to attend to.
 *
 * @param header job ({@link #JOB}), run_id, started_at, finished_at, exit_code (README, "Exit codes")
 * @param window the cohorts the run recomputed and the files it read
 * @param options the options as given
 * @param shufflePartitions spark.sql.shuffle.partitions during the run
 * @param inputs what each input held and how its records were accounted for
 * @param unreadableFiles the files left out (--on-unreadable-file quarantine)
 * @param lockTakenOver the run that died holding the output's lock, who took it over and when, or null
 * @param attention late activity on frozen cohorts in one line, or null (then the key is absent)
 * @param usageQuarantinedFraction share of the examined usage records quarantined, decimal string, 6 places
 * @param totals the run's asset_costs summed
 * @param gatewayCosts the gateway's own cost beside the job's, per day and model; null when the usage format
 *     carries none
 * @param invariants every check, in the order checked
 * @param shrinkGuard the window's figures against what is published for the same days
 * @param published whether the staged tables replaced the published ones
 * @param stagedTables where the unpublished tables wait for the next run, or null when published
 * @param tableFingerprints each published table's {@code "<rows> rows, <sum of row hashes>"}, by table name
 * @param tableFormat how the tables are stored, {@code parquet} or {@code delta} (--table-format)
 * @param deltaVersions each table's Delta version after this run's commit, by table name; null when the run
 *     published nothing or the tables are Parquet
 * @param exitReason why the exit code is not 0, one line; null for 0
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CostRunSummary(
        @JsonUnwrapped RunSummary.Header header,
        Window window,
        Options options,
        int shufflePartitions,
        Inputs inputs,
        List<UnreadableFile> unreadableFiles,
        LockTakenOver lockTakenOver,
        @JsonInclude(JsonInclude.Include.NON_NULL) String attention,
        String usageQuarantinedFraction,
        Totals totals,
        List<GatewayCost> gatewayCosts,
        List<Invariant> invariants,
        ShrinkGuardBlock shrinkGuard,
        boolean published,
        String stagedTables,
        Map<String, String> tableFingerprints,
        String tableFormat,
        Map<String, Long> deltaVersions,
        String exitReason) {

    /** The job's name in every summary it writes. */
    public static final String JOB = "assetcost";

    /**
     * {@code window}: what the run recomputed.
     *
     * @param mode {@code full} or {@code nightly}
     * @param runDate the run date (UTC day), null on a full run without one
     * @param lookbackDays --lookback-days
     * @param cohortsFrom the first cohort day recomputed, null on a full run
     * @param usageFilesRead usage files read
     * @param acceptanceFilesRead acceptance files read
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Window(
            String mode,
            String runDate,
            int lookbackDays,
            String cohortsFrom,
            int usageFilesRead,
            int acceptanceFilesRead) {}

    /**
     * {@code options}: each option as given (README, "Command line"); decimals as plain strings.
     *
     * @param usage --usage
     * @param acceptance --acceptance
     * @param rates --rates, or {@code embedded default}
     * @param out --out
     * @param maxQuarantinedFraction --max-quarantined-fraction
     * @param full --full
     * @param runDate --run-date, or null
     * @param lookbackDays --lookback-days
     * @param onUnreadableFile --on-unreadable-file
     * @param maxTokensPerMeter --max-tokens-per-meter
     * @param maxImagesPerRequest --max-images-per-request
     * @param maxRequestCostUsd --max-request-cost-usd (USD)
     * @param rateLimits --rate-limits, or {@code embedded default}
     * @param accountTier --account-tier, or null
     * @param attemptCap --attempt-cap
     * @param maturePendingShare --mature-pending-share (report.html)
     * @param matureAfterDays --mature-after-days (report.html)
     * @param smallSampleApprovals --small-sample-approvals (report.html)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Options(
            String usage,
            String acceptance,
            String rates,
            String out,
            String maxQuarantinedFraction,
            boolean full,
            String runDate,
            int lookbackDays,
            String onUnreadableFile,
            long maxTokensPerMeter,
            int maxImagesPerRequest,
            String maxRequestCostUsd,
            String rateLimits,
            Integer accountTier,
            int attemptCap,
            String maturePendingShare,
            int matureAfterDays,
            int smallSampleApprovals) {}

    /**
     * {@code inputs}: the two inputs and the two cards.
     *
     * @param usage the usage records
     * @param acceptance the acceptance records
     * @param rateCard the rate card used
     * @param rateLimitCard the rate-limit card used
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Inputs(UsageInput usage, AcceptanceInput acceptance, Card rateCard, Card rateLimitCard) {}

    /**
     * {@code inputs.usage}: records read = created after the run date + priced + quarantined + exact duplicates
     * dropped + blank lines skipped (docs/DESIGN.md, "Invariants").
     *
     * @param recordsRead records read
     * @param priced records priced
     * @param quarantined records quarantined
     * @param quarantinedByReason records quarantined per reason code
     * @param exactDuplicatesDropped exact duplicates beyond the first
     * @param blankLinesSkipped blank lines skipped
     * @param createdAfterRunDate records set aside, created after the run date
     * @param lateUsageOfFrozenCohorts priced requests of cohorts before the window (not recomputed)
     * @param linesInUnparsedCsvTails physical lines of CSV files after the line where they stopped parsing
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record UsageInput(
            long recordsRead,
            long priced,
            long quarantined,
            Map<String, Long> quarantinedByReason,
            long exactDuplicatesDropped,
            long blankLinesSkipped,
            long createdAfterRunDate,
            long lateUsageOfFrozenCohorts,
            long linesInUnparsedCsvTails) {}

    /**
     * {@code inputs.acceptance}: records read = decided after the run date + on requests of frozen cohorts +
     * decisions used + quarantined + exact duplicates dropped.
     *
     * @param recordsRead records read
     * @param decisionsUsed decisions used
     * @param quarantined records quarantined
     * @param quarantinedByReason records quarantined per reason code
     * @param exactDuplicatesDropped exact duplicates beyond the first
     * @param decidedAfterRunDate records set aside, decided after the run date
     * @param onRequestsOfFrozenCohorts records set aside, on requests of cohorts before the window
     * @param lateDecisionsOnFrozenCohorts of those, decisions that would change a published cohort
     * @param linesInUnparsedCsvTails physical lines of CSV files after the line where they stopped parsing
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AcceptanceInput(
            long recordsRead,
            long decisionsUsed,
            long quarantined,
            Map<String, Long> quarantinedByReason,
            long exactDuplicatesDropped,
            long decidedAfterRunDate,
            long onRequestsOfFrozenCohorts,
            long lateDecisionsOnFrozenCohorts,
            long linesInUnparsedCsvTails) {}

    /**
     * {@code inputs.rate_card}, {@code inputs.rate_limit_card}: a card and its size.
     *
     * @param source where it was loaded from
     * @param rows its rows
     */
    public record Card(String source, int rows) {}

    /**
     * {@code totals}: the run's asset_costs, summed; USD as exact decimal strings.
     *
     * @param assets assets
     * @param requests requests
     * @param totalCostUsd total_cost_usd
     * @param directCostUsd direct_cost_usd
     * @param wasteCostUsd waste_cost_usd
     * @param pendingCostUsd pending_cost_usd
     * @param cacheSavingsUsd cache_savings_usd
     */
    public record Totals(
            @JsonProperty(Cols.ASSETS) long assets,
            @JsonProperty(Cols.REQUESTS) long requests,
            @JsonProperty(Cols.TOTAL_COST_USD) String totalCostUsd,
            @JsonProperty(Cols.DIRECT_COST_USD) String directCostUsd,
            @JsonProperty(Cols.WASTE_COST_USD) String wasteCostUsd,
            @JsonProperty(Cols.PENDING_COST_USD) String pendingCostUsd,
            @JsonProperty(Cols.CACHE_SAVINGS_USD) String cacheSavingsUsd) {}

    /**
     * One row of {@code gateway_costs} ({@link io.assetcost.report.Reports#gatewayCosts}); USD as exact decimal
     * strings.
     *
     * @param usageDate the day (UTC)
     * @param model the model
     * @param requests requests that carried the gateway's cost
     * @param costUsd the job's cost of them
     * @param gatewayCostUsd the gateway's cost of them
     * @param differenceUsd the gateway's minus the job's (README, "run_summary.json")
     * @param requestsDiffering requests whose two costs differ
     */
    public record GatewayCost(
            @JsonProperty(Cols.USAGE_DATE) String usageDate,
            @JsonProperty(Cols.MODEL) String model,
            @JsonProperty(Cols.REQUESTS) long requests,
            @JsonProperty(Cols.COST_USD) String costUsd,
            @JsonProperty(Cols.GATEWAY_COST_USD) String gatewayCostUsd,
            @JsonProperty(Cols.DIFFERENCE_USD) String differenceUsd,
            @JsonProperty(Cols.REQUESTS_DIFFERING) long requestsDiffering) {}

    /**
     * One of {@code unreadable_files}.
     *
     * @param input the option that named it ({@code --usage}, {@code --acceptance})
     * @param file the file
     * @param reason what is wrong with it
     */
    public record UnreadableFile(String input, String file, String reason) {}

    /**
     * The record written under {@code _runs/} for a run that died holding the lock: the header of a summary
     * with no finish and no exit code, what happened to it, and the takeover.
     *
     * @param header the job's name, the dead run's id and start (as it wrote it); finished_at and exit_code null
     * @param outcome what happened to it, one line
     * @param lock the takeover
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DeadRun(@JsonUnwrapped RunSummary.Header header, String outcome, LockTakenOver lock) {}

    /**
     * {@code shrink_guard}: the share, whether a shrunk window may publish, and the days that shrank.
     *
     * @param minKeptShare --min-kept-share, decimal string
     * @param allowShrink --allow-shrink
     * @param daysShrunk the days whose staged figure fell below the share of the published one, by measure
     *     then day
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ShrinkGuardBlock(String minKeptShare, boolean allowShrink, List<ShrinkGuard.Shrunk> daysShrunk) {}
}
