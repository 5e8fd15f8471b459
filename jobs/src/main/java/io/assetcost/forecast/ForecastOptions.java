package io.assetcost.forecast;

import io.assetcost.ops.LockMixin;
import io.assetcost.planning.Forecast;
import io.assetcost.run.InputException;
import io.assetcost.run.JobLauncher;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options of the forecast worksheet, parsed by picocli before Spark starts. {@code scripts/forecast.sh} fills
 * in the sample defaults.
 */
@Command(
        name = "assetcost-forecast",
        mixinStandardHelpOptions = true,
        version = "assetcost 0.1.0",
        description = "Forecasts a plan (finals per workflow) from the cost job's published tables: measured"
                + " iteration factor and cost per approved asset over a trailing window, the seeds' planning"
                + " factors beside them, a spread and a budget with a buffer; each row checked against its P90, the"
                + " workflows the tables know, the window the data covers and the rate-limit card at the plan's"
                + " pace. Prints the worksheet and writes forecast.txt and forecast.html.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the forecast was written",
            "1:an invariant check failed (nothing published), or anything else failed",
            "2:bad options or an unusable input (nothing written)",
            "4:another run holds the lock of --out (the message names it; nothing is written)"
        })
public class ForecastOptions implements JobLauncher.Validated {

    @Option(
            names = "--plan",
            required = true,
            paramLabel = "FILE",
            description = "Plan CSV: workflow_id,finals[,period,label,hours] (hours: the generation time the row is"
                    + " spread over, its pace for the rate-limit check).")
    public String plan;

    @Option(
            names = "--tables",
            required = true,
            paramLabel = "DIR",
            description = "The cost job's output (asset_costs/).")
    public String tables;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    public String out;

    /** Null: the latest cohort date in the tables. */
    @Option(
            names = "--as-of",
            paramLabel = "YYYY-MM-DD",
            description = "Last cohort date measured (default: the latest).")
    public String asOf;

    @Option(
            names = "--trailing-days",
            paramLabel = "N",
            defaultValue = "28",
            description = "Cohort days measured, ending at --as-of (default ${DEFAULT-VALUE}).")
    public int trailingDays;

    @Option(
            names = "--buffer",
            paramLabel = "F",
            defaultValue = "0.2",
            description =
                    "Budget buffer over the expected cost, 0 to 1 (default ${DEFAULT-VALUE}; the guides: 0.1 to 0.3).")
    public BigDecimal buffer;

    @Option(
            names = "--min-approvals",
            paramLabel = "N",
            defaultValue = "" + Forecast.DEFAULT_MIN_APPROVALS,
            description = "Fewer approvals of a workflow in the window and it is forecast with the 1.8x planning factor"
                    + " (default ${DEFAULT-VALUE}).")
    public int minApprovals;

    /** Null: the embedded default card. */
    @Option(
            names = "--rate-limits",
            paramLabel = "FILE",
            description = "Rate-limit card CSV (images and tokens per minute by usage tier) replacing the embedded"
                    + " default: each plan row's pace (its hours) is checked against it.")
    public String rateLimits;

    /** Null: not given. */
    @Option(
            names = "--account-tier",
            paramLabel = "T",
            description = "Your organization's usage tier (1 to 5): a plan row whose pace needs a higher one is"
                    + " flagged above_account_tier.")
    public Integer accountTier;

    @Mixin
    public LockMixin lock = new LockMixin();

    /** The as-of date, or null. */
    public LocalDate asOfDate() {
        return asOf == null ? null : LocalDate.parse(asOf);
    }

    /** Delta Lake's session settings when {@code --tables} holds Delta tables (the forecast writes Parquet). */
    @Override
    public java.util.Map<String, String> sessionSettings() {
        return io.assetcost.ops.TableFormatMixin.forReading(tables);
    }

    /** Each run's log is kept under {@code DIR/_runs} of the output directory. */
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
        try {
            asOfDate();
        } catch (DateTimeParseException e) {
            throw new InputException("--as-of must be YYYY-MM-DD, got '" + asOf + "'");
        }
        if (trailingDays < 1) {
            throw new InputException("--trailing-days must be at least 1, got " + trailingDays);
        }
        if (buffer.signum() < 0 || buffer.compareTo(BigDecimal.ONE) > 0) {
            throw new InputException("--buffer must be between 0 and 1, got " + buffer.toPlainString());
        }
        lock.staleAfter();
        if (accountTier != null && accountTier < 1) {
            throw new InputException("--account-tier must be a usage tier, 1 or more, got " + accountTier);
        }
        if (minApprovals < 1) {
            throw new InputException("--min-approvals must be at least 1, got " + minApprovals);
        }
    }
}
