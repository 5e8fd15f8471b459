package io.assetcost.finance;

import io.assetcost.run.InputException;
import io.assetcost.run.JobLauncher;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
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
                + " provider's billed costs, and a FinOps FOCUS 1.2 export.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run completed (whatever the reconciliation statuses)",
            "1:anything else failed (an invariant check, a write, Spark itself)",
            "2:bad options, or an input that cannot be read (nothing is written)"
        })
public class ReconcileOptions implements JobLauncher.Validated {

    /** Billing month, YYYY-MM (UTC). */
    @Option(names = "--month", required = true, paramLabel = "YYYY-MM", description = "Billing month (UTC).")
    public String month;

    /** The cost job's output directory. */
    @Option(
            names = "--tables",
            required = true,
            paramLabel = "DIR",
            description = "The cost job's output directory (request_costs/, quarantine/).")
    public String tables;

    /** Costs API pages. */
    @Option(
            names = "--costs",
            required = true,
            paramLabel = "PATH",
            description = "Costs API pages: .json files (one page each) or .jsonl (one page a line), or a directory.")
    public String costs;

    /** Output directory. */
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    public String out;

    /** Absolute tolerance. */
    @Option(
            names = "--tolerance-usd",
            defaultValue = "0.01",
            paramLabel = "USD",
            description = "A difference up to this many USD is a match (default ${DEFAULT-VALUE}).")
    public BigDecimal toleranceUsd;

    /** Relative tolerance. */
    @Option(
            names = "--tolerance-pct",
            defaultValue = "0.5",
            paramLabel = "PCT",
            description = "A difference up to this percent of the billed amount is a match (default ${DEFAULT-VALUE}).")
    public BigDecimal tolerancePct;

    /** Line item mapping replacing the default. */
    @Option(
            names = "--line-items",
            paramLabel = "FILE",
            description = "Line item to model mapping CSV (pattern,model) replacing the embedded default.")
    public String lineItems;

    /** FOCUS BillingAccountId. */
    @Option(
            names = "--billing-account-id",
            defaultValue = "openai",
            paramLabel = "ID",
            description = "FOCUS BillingAccountId: your OpenAI organization id (default ${DEFAULT-VALUE}).")
    public String billingAccountId;

    /** FOCUS BillingAccountName. */
    @Option(names = "--billing-account-name", paramLabel = "NAME", description = "FOCUS BillingAccountName.")
    public String billingAccountName;

    /** The parsed month. */
    public YearMonth billingMonth() {
        return YearMonth.parse(month);
    }

    @Override
    public void validate() {
        try {
            billingMonth();
        } catch (DateTimeParseException e) {
            throw new InputException("--month must be YYYY-MM, got '" + month + "'");
        }
        if (toleranceUsd.signum() < 0 || tolerancePct.signum() < 0) {
            throw new InputException("--tolerance-usd and --tolerance-pct must not be negative");
        }
        if (billingAccountId.isBlank()) {
            throw new InputException("--billing-account-id must not be empty");
        }
    }
}
