package io.assetcost.cost;

import io.assetcost.io.LangfuseScores;
import io.assetcost.io.UsageFormat;
import io.assetcost.io.UsageFormatMixin;
import io.assetcost.io.UsageFormatOptions;
import io.assetcost.ops.LockMixin;
import io.assetcost.ops.RunWindow;
import io.assetcost.ops.TableFormatMixin;
import io.assetcost.page.CostPage;
import io.assetcost.planning.Attempts;
import io.assetcost.quality.Bounds;
import io.assetcost.run.InputException;
import io.assetcost.run.JobLauncher;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options of the cost job, parsed by picocli before Spark starts. Paths are Hadoop paths (local, HDFS,
 * S3A, ...). {@code scripts/run-local.sh} fills in the sample-data defaults for a local run.
 */
@Command(
        name = "assetcost",
        mixinStandardHelpOptions = true,
        version = "assetcost 0.1.0",
        description = "Prices image-generation usage with an effective-dated rate card, joins it to review"
                + " outcomes, and writes cost per approved asset and retry waste.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run completed",
            "1:an invariant check failed (nothing published), or anything else failed (a write, Spark itself)",
            "2:bad options, or an input that cannot be read (nothing is written)",
            "3:the run completed and published, but quarantined more than --max-quarantined-fraction of the usage"
                    + " records, or left an unreadable file out (--on-unreadable-file quarantine)",
            "4:another run holds the output directory's lock (the message names it)",
            "5:no usage records in the window (an empty night): nothing published; --allow-empty-usage publishes"
                    + " it and exits 0",
            "6:the window shrank below --min-kept-share of what is published for the same days (a partial"
                    + " export?): nothing published; --allow-shrink publishes it"
        })
public class CostJobOptions implements JobLauncher.Validated {

    @Option(
            names = "--usage",
            required = true,
            paramLabel = "PATH",
            description = "Usage: a file or directory of .jsonl (nested usage log), .csv or .parquet (flat export),"
                    + " optionally compressed.")
    public String usage;

    @Option(
            names = "--usage-format",
            paramLabel = "FORMAT",
            defaultValue = "auto",
            description = "The shape of --usage: auto (the job's own usage log and flat export, by extension), log,"
                    + " export, batch (OpenAI Batch API files), litellm (LiteLLM spend logs), langfuse (Langfuse"
                    + " observation export). Default ${DEFAULT-VALUE}.")
    public String usageFormat;

    @Mixin
    public UsageFormatMixin formats = new UsageFormatMixin();

    @Option(
            names = "--langfuse-score-name",
            paramLabel = "NAME",
            defaultValue = "approval",
            description = "With --acceptance-format langfuse: the score name whose scores on generations are"
                    + " decisions (CATEGORICAL approved/rejected, or BOOLEAN 1/0). Default ${DEFAULT-VALUE}.")
    public String langfuseScoreName = "approval";

    @Option(
            names = "--acceptance",
            required = true,
            paramLabel = "PATH",
            description = "Acceptance records: a .csv file or a directory of them.")
    public String acceptance;

    @Option(
            names = "--acceptance-format",
            paramLabel = "FORMAT",
            defaultValue = "csv",
            description = "The shape of --acceptance: csv (the acceptance record CSV) or langfuse (the scores of a"
                    + " Langfuse blob-storage export, JSONL; see --langfuse-score-name). Default ${DEFAULT-VALUE}.")
    public String acceptanceFormat = "csv";

    /** Null: the embedded default card. */
    @Option(
            names = "--rates",
            paramLabel = "FILE",
            description = "Rate card CSV replacing the embedded default OpenAI image-model card.")
    public String rates;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output directory: Parquet tables, report CSV files and run_summary.json.")
    public String out;

    @Option(
            names = "--max-quarantined-fraction",
            paramLabel = "F",
            defaultValue = "0.05",
            description = "Exit 3 when more than this fraction of usage records is quarantined"
                    + " (0 to 1, default ${DEFAULT-VALUE}).")
    public BigDecimal maxQuarantinedFraction;

    @Option(
            names = "--run-date",
            paramLabel = "YYYY-MM-DD",
            description = "Nightly run for this UTC date: recompute the cohorts [D-K, D] from usage and decisions up to"
                    + " the end of D, replace exactly those partitions (default: yesterday, UTC).")
    public String runDate;

    @Option(
            names = "--lookback-days",
            paramLabel = "K",
            defaultValue = "7",
            description = "Cohorts recomputed before the run date (default ${DEFAULT-VALUE}).")
    public int lookbackDays;

    @Option(
            names = "--full",
            description = "Recompute every cohort from all inputs (through --run-date when given)"
                    + " and replace whole tables.")
    public boolean full;

    @Mixin
    public LockMixin lock = new LockMixin();

    /** {@code --table-format parquet|delta}, shared with the month close. */
    @Mixin
    public TableFormatMixin tableFormat = new TableFormatMixin();

    /** Delta Lake's session settings with {@code --table-format delta}. */
    @Override
    public Map<String, String> sessionSettings() {
        return tableFormat.sessionSettings();
    }

    @Option(
            names = "--on-unreadable-file",
            paramLabel = "fail|quarantine",
            defaultValue = "fail",
            description = "A file not in the format its name says, truncated or unreadable: fail (exit 2, nothing"
                    + " written) or quarantine (leave it out, list it in quarantine, exit 3)."
                    + " Default ${DEFAULT-VALUE}.")
    public String onUnreadableFile;

    @Option(
            names = "--max-tokens-per-meter",
            paramLabel = "N",
            defaultValue = "5000000",
            description = "Quarantine a request with more tokens than this on one meter (default ${DEFAULT-VALUE}).")
    public long maxTokensPerMeter;

    @Option(
            names = "--max-images-per-request",
            paramLabel = "N",
            defaultValue = "10",
            description = "Quarantine a request asking for more images (n) than this (default ${DEFAULT-VALUE},"
                    + " the Images API's maximum).")
    public int maxImagesPerRequest;

    @Option(
            names = "--max-request-cost-usd",
            paramLabel = "USD",
            defaultValue = "100",
            description = "Quarantine a request that would cost more than this, USD (default ${DEFAULT-VALUE}).")
    public BigDecimal maxRequestCostUsd;

    /** Null: the embedded default card. */
    @Option(
            names = "--rate-limits",
            paramLabel = "FILE",
            description = "Rate-limit card CSV (images and tokens per minute by usage tier) replacing the embedded"
                    + " default.")
    public String rateLimits;

    /** Null: not given. */
    @Option(
            names = "--account-tier",
            paramLabel = "T",
            description = "Your organization's usage tier (1 to 5): rate_limit_headroom counts the minutes over it.")
    public Integer accountTier;

    @Option(
            names = "--attempt-cap",
            paramLabel = "N",
            defaultValue = "" + Attempts.DEFAULT_CAP,
            description = "Attempts per asset the attempt_cap what-if assumes (default ${DEFAULT-VALUE}).")
    public int attemptCap;

    @Option(
            names = "--mature-pending-share",
            paramLabel = "F",
            defaultValue = "0.1",
            description = "report.html compares only mature cohort days: those with less than this share of their"
                    + " assets pending review (0 to 1, default ${DEFAULT-VALUE}), or old enough"
                    + " (--mature-after-days).")
    public BigDecimal maturePendingShare;

    @Option(
            names = "--mature-after-days",
            paramLabel = "N",
            defaultValue = "7",
            description = "report.html counts a cohort day as mature, whatever is still pending, once it is N days"
                    + " or more before the latest cohort day (default ${DEFAULT-VALUE}, the nightly"
                    + " --lookback-days: older cohorts are no longer recomputed).")
    public int matureAfterDays;

    @Option(
            names = "--small-sample-approvals",
            paramLabel = "N",
            defaultValue = "5",
            description = "report.html marks a cost per approved asset resting on fewer approvals than this"
                    + " (default ${DEFAULT-VALUE}: below it one retry more or less moves the figure by a fifth"
                    + " or more).")
    public int smallSampleApprovals;

    @Option(
            names = "--allow-empty-usage",
            description = "Publish a window without usage records and exit 0 (else exit 5, nothing published).")
    public boolean allowEmptyUsage;

    @Option(
            names = "--min-kept-share",
            paramLabel = "F",
            defaultValue = "0.5",
            description = "Exit 6 and publish nothing when a day's priced requests, cost or decided assets fall below"
                    + " this share of what is published for that day (0 to 1, default ${DEFAULT-VALUE}; 0 turns"
                    + " the guard off).")
    public BigDecimal minKeptShare;

    @Option(
            names = "--allow-shrink",
            description = "Publish a window that shrank below --min-kept-share (a deliberate correction); the summary"
                    + " still names the days.")
    public boolean allowShrink;

    /** What report.html counts as a mature cohort and a small sample. */
    CostPage.Options reportOptions() {
        return new CostPage.Options(maturePendingShare, matureAfterDays, smallSampleApprovals);
    }

    /** The usage format the options name ({@code --usage-format}). */
    public UsageFormat usageFormat() {
        return UsageFormat.of(usageFormat);
    }

    /** The options of the usage formats that are not the job's own. */
    public UsageFormatOptions usageFormatOptions() {
        return formats.options();
    }

    /**
     * Whether {@code --acceptance} holds Langfuse's exported scores rather than acceptance CSV.
     *
     * @throws InputException when {@code --acceptance-format} is neither csv nor langfuse
     */
    public boolean langfuseAcceptance() {
        String f = acceptanceFormat == null ? "csv" : acceptanceFormat.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("csv", "langfuse").contains(f)) {
            throw new InputException("--acceptance-format must be csv or langfuse, got '" + acceptanceFormat + "'");
        }
        return f.equals("langfuse");
    }

    /** The options of {@code --acceptance-format langfuse}. */
    public LangfuseScores.Options langfuseScoreOptions() {
        return new LangfuseScores.Options(langfuseScoreName);
    }

    /** The plausibility bounds of the options. */
    public Bounds bounds() {
        return new Bounds(maxTokensPerMeter, maxImagesPerRequest, maxRequestCostUsd);
    }

    /** Whether unreadable files are quarantined rather than fatal. */
    public boolean quarantineUnreadableFiles() {
        return "quarantine".equals(onUnreadableFile);
    }

    /**
     * The run's window.
     *
     * @param clock the clock that says what "yesterday" is (the entry point's; never read in a transform)
     */
    public RunWindow window(Clock clock) {
        LocalDate date = runDate != null
                ? LocalDate.parse(runDate)
                : full ? null : LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(1);
        return new RunWindow(full, date, lookbackDays);
    }

    /** Each run's summary and log are kept under {@code DIR/_runs} of the output directory. */
    @Override
    public String runRecords() {
        return new io.assetcost.ops.OutputLayout(out).runs().toString();
    }

    /**
     * Checks values picocli cannot.
     *
     * @throws InputException naming the option and what to give instead
     */
    @Override
    public void validate() {
        tableFormat.validate();
        if (maxQuarantinedFraction.signum() < 0 || maxQuarantinedFraction.compareTo(BigDecimal.ONE) > 0) {
            throw new InputException("--max-quarantined-fraction must be between 0 and 1, got "
                    + maxQuarantinedFraction.toPlainString());
        }
        if (minKeptShare.signum() < 0 || minKeptShare.compareTo(BigDecimal.ONE) > 0) {
            throw new InputException("--min-kept-share must be between 0 and 1, got " + minKeptShare.toPlainString());
        }
        if (runDate != null) {
            try {
                LocalDate.parse(runDate);
            } catch (DateTimeParseException e) {
                throw new InputException("--run-date must be YYYY-MM-DD, got '" + runDate + "'");
            }
        }
        if (lookbackDays < 0) {
            throw new InputException("--lookback-days must be 0 or more, got " + lookbackDays);
        }
        lock.staleAfter();
        if (attemptCap < 1) {
            throw new InputException("--attempt-cap must be at least 1, got " + attemptCap);
        }
        if (maturePendingShare.signum() < 0 || maturePendingShare.compareTo(BigDecimal.ONE) > 0) {
            throw new InputException(
                    "--mature-pending-share must be between 0 and 1, got " + maturePendingShare.toPlainString());
        }
        if (matureAfterDays < 0) {
            throw new InputException("--mature-after-days must be 0 or more, got " + matureAfterDays);
        }
        if (smallSampleApprovals < 1) {
            throw new InputException("--small-sample-approvals must be at least 1, got " + smallSampleApprovals);
        }
        if (accountTier != null && accountTier < 1) {
            throw new InputException("--account-tier must be a usage tier, 1 or more, got " + accountTier);
        }
        if (!List.of("fail", "quarantine").contains(onUnreadableFile)) {
            throw new InputException("--on-unreadable-file must be fail or quarantine, got '" + onUnreadableFile + "'");
        }
        usageFormat();
        usageFormatOptions();
        langfuseAcceptance();
        langfuseScoreOptions();
        try {
            bounds();
        } catch (IllegalArgumentException e) {
            throw new InputException(
                    "--max-tokens-per-meter, --max-images-per-request, --max-request-cost-usd: " + e.getMessage());
        }
        for (String[] o : new String[][] {{"--usage", usage}, {"--acceptance", acceptance}, {"--out", out}}) {
            if (o[1].isBlank()) {
                throw new InputException(o[0] + " must not be empty");
            }
        }
    }
}
