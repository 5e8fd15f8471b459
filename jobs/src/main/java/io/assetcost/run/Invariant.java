package io.assetcost.run;

import java.math.BigDecimal;
import java.util.List;
import org.slf4j.Logger;

/**
 * The result of one invariant check (docs/DESIGN.md, "Invariants"): its name, whether it held, and the
 * figures compared. A run whose checks do not all pass exits 1; every result goes into the run summary, written
 * by Jackson as {@code name, passed, detail}.
 *
 * @param name what was checked
 * @param passed whether it held
 * @param detail the figures compared, e.g. {@code 62.395677750000 vs 62.395677750000}
 */
public record Invariant(String name, boolean passed, String detail) {

    /**
     * Two exact amounts that must agree to the last decimal.
     *
     * @param name what is compared
     * @param expected the reference amount, USD
     * @param actual the amount compared to it, USD (null = 0)
     * @return the result, with both figures as plain decimals
     */
    public static Invariant equal(String name, BigDecimal expected, BigDecimal actual) {
        BigDecimal a = actual == null ? BigDecimal.ZERO : actual;
        return new Invariant(name, expected.compareTo(a) == 0, expected.toPlainString() + " vs " + a.toPlainString());
    }

    /** Accounting of one input: records examined = used + quarantined + exact duplicates dropped + skipped. */
    public static Invariant accounted(String input, InputCounts counts) {
        return new Invariant(
                "accounted: " + input + " examined = used + quarantined + duplicates dropped + skipped",
                counts.accounted(),
                counts.examined() + " = " + counts.used() + " + " + counts.quarantined() + " + " + counts.duplicates()
                        + " + " + counts.skipped());
    }

    /** Whether every check passed. */
    public static boolean allPassed(List<Invariant> checks) {
        return checks.stream().allMatch(Invariant::passed);
    }

    /**
     * The first failed check as the one line a job prints when it refuses to publish.
     *
     * @param checks the results
     * @return {@code invariant failed: <name> (<figures>)}, or null when every check passed
     */
    public static String firstFailure(List<Invariant> checks) {
        return checks.stream()
                .filter(c -> !c.passed())
                .findFirst()
                .map(c -> "invariant failed: " + c.name() + " (" + c.detail() + ")")
                .orElse(null);
    }

    /** Logs every failed check at ERROR, one line each, to the job's logger. */
    public static void logFailures(List<Invariant> checks, Logger log) {
        for (Invariant c : checks) {
            if (!c.passed()) {
                log.error("invariant failed: {} ({})", c.name(), c.detail());
            }
        }
    }
}
