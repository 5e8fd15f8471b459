package io.assetcost.ops;

import io.assetcost.run.InputException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The command-line option of the output lock ({@link OutputLock}), the same for every job that publishes: the
 * cost job, the month close and the forecast (README, "Nightly operation").
 */
public class LockMixin {

    @Option(
            names = "--lock-stale-minutes",
            paramLabel = "M",
            defaultValue = "5",
            description =
                    "Take over a lock whose holder has not refreshed it for this long (default ${DEFAULT-VALUE}).")
    public int lockStaleMinutes = 5;

    /**
     * How long a lock may go without a heartbeat before another run takes it over.
     *
     * @return the option as a duration
     * @throws InputException when the option is below one minute
     */
    public Duration staleAfter() {
        if (lockStaleMinutes < 1) {
            throw new InputException("--lock-stale-minutes must be at least 1, got " + lockStaleMinutes);
        }
        return Duration.ofMinutes(lockStaleMinutes);
    }
}
