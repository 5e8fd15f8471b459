package io.assetcost.finance;

import io.assetcost.io.UsageFormatMixin;
import io.assetcost.ops.LockMixin;
import io.assetcost.run.InputException;
import io.assetcost.run.JobLauncher;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options of the reconciliation job, parsed by picocli before Spark starts. {@code scripts/reconcile.sh}
 * fills in the sample-data defaults for a local run.
 */
@Command(
        name = "assetcost-reconcile",
        mixinStandardHelpOptions = true,
        version = "assetcost 0.1.0",
        description = "Closes a billing month: spend by project, model and meter, reconciled against the"
                + " provider's billed costs per day, project, model and meter (dollars and tokens), the logs'"
                + " coverage against the Usage API, and a FinOps FOCUS 1.4 (or 1.3, 1.2) export.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run completed (whatever the reconciliation statuses)",
            "1:an invariant check failed (nothing published), or anything else failed (a write, Spark itself)",
            "2:bad options, or an input that cannot be read (nothing is written)",
            "4:another run holds the lock of --out (the message names it; nothing is written)"
        })
public class ReconcileOptions implements JobLauncher.Validated {

    @Option(names = "--month", required = true, paramLabel = "YYYY-MM", description = "Billing month (UTC).")
    public String month;

    @Option(
            names = "--tables",
            required = true,
            paramLabel = "DIR",
            description = "The cost job's output directory (request_costs/, quarantine/).")
    public String tables;

    @Option(
            names = "--costs",
            required = true,
            paramLabel = "PATH",
            description = "Costs API pages: .json files (one page each) or .jsonl (one page a line), or a directory.")
    public String costs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    public String out;

    @Option(
            names = "--tolerance-usd",
            defaultValue = "0.01",
            paramLabel = "USD",
            description = "A difference up to this many USD is a match (default ${DEFAULT-VALUE}).")
    public BigDecimal toleranceUsd;

    @Option(
            names = "--tolerance-pct",
            defaultValue = "0.5",
            paramLabel = "PCT",
            description = "A difference up to this percent of the billed amount is a match (default ${DEFAULT-VALUE}).")
    public BigDecimal tolerancePct;

    @Option(
            names = "--tolerance-tokens",
            defaultValue = "0",
            paramLabel = "N",
            description = "A token difference up to this many tokens is a match (default ${DEFAULT-VALUE}; the"
                    + " --tolerance-pct of billed tokens also counts).")
    public long toleranceTokens;

    @Option(
            names = "--line-items",
            paramLabel = "FILE",
            description = "Line item mapping CSV (pattern,model[,meter]) replacing the embedded default.")
    public String lineItems;

    @Option(
            names = "--usage-api",
            paramLabel = "PATH",
            description = "Pages of GET /v1/organization/usage/images (same files and paging as --costs);"
                    + " when given, log_coverage is written.")
    public String usageApi;

    @Option(
            names = "--project-names",
            paramLabel = "FILE",
            description = "CSV project_id,project_name: FOCUS SubAccountName (else the Costs API's project_name,"
                    + " else the project id).")
    public String projectNames;

    @Option(
            names = "--focus-version",
            defaultValue = "1.4",
            paramLabel = "VERSION",
            description = "FOCUS version of focus_costs: 1.4, 1.3 or 1.2 (default ${DEFAULT-VALUE}).")
    public String focusVersion;

    @Option(
            names = "--billing-account-id",
            required = true,
            paramLabel = "ID",
            description = "FOCUS BillingAccountId: your OpenAI organization id (org-...).")
    public String billingAccountId;

    @Option(
            names = "--billing-account-name",
            required = true,
            paramLabel = "NAME",
            description = "FOCUS BillingAccountName: your OpenAI organization's name.")
    public String billingAccountName;

    @Mixin
    public LockMixin lock = new LockMixin();

    /** {@code --table-format parquet|delta} of the close's own tables, shared with the cost job. */
    @Mixin
    public io.assetcost.ops.TableFormatMixin tableFormat = new io.assetcost.ops.TableFormatMixin();

    /** Delta Lake's session settings: for {@code --table-format delta}, or for Delta tables in {@code --tables}. */
    @Override
    public java.util.Map<String, String> sessionSettings() {
        return tableFormat.delta()
                ? tableFormat.sessionSettings()
                : io.assetcost.ops.TableFormatMixin.forReading(tables);
    }

    /** The FOCUS version to write. */
    public FocusExport.Version focus() {
        return FocusExport.Version.of(focusVersion);
    }

    /** The match tolerances. */
    public MeterReconciliation.Tolerances tolerances() {
        return new MeterReconciliation.Tolerances(toleranceUsd, tolerancePct, toleranceTokens);
    }

    /** The parsed month. */
    public YearMonth billingMonth() {
        return YearMonth.parse(month);
    }

    /**
     * The options the cost job read the usage with, when it read another tool's export: the month close reads
     * the night's quarantined records again with the same keys (log_coverage, unpriced_usage).
     */
    @Mixin
    public UsageFormatMixin formats = new UsageFormatMixin();

    /** Each run's log is kept under {@code DIR/_runs} of the output directory. */
    @Override
    public String runRecords() {
        return new io.assetcost.ops.OutputLayout(out).runs().toString();
    }

    @Override
    public void validate() {
        try {
            billingMonth();
        } catch (DateTimeParseException e) {
            throw new InputException("--month must be YYYY-MM, got '" + month + "'");
        }
        if (toleranceUsd.signum() < 0 || tolerancePct.signum() < 0 || toleranceTokens < 0) {
            throw new InputException("--tolerance-usd, --tolerance-pct and --tolerance-tokens must not be negative");
        }
        if (billingAccountId.isBlank() || billingAccountName.isBlank()) {
            throw new InputException("--billing-account-id and --billing-account-name must not be empty: FOCUS"
                    + " requires both (your OpenAI organization's id and name)");
        }
        formats.options();
        lock.staleAfter();
        tableFormat.validate();
        try {
            focus();
        } catch (IllegalArgumentException e) {
            throw new InputException("--focus-version: " + e.getMessage());
        }
    }
}
