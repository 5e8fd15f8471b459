package io.assetcost.ops;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code lock_taken_over} of the three jobs' summaries (README, "run_summary.json"; the JSON Schemas under docs/):
 * the run that died holding the output's lock, as this run found it ({@link OutputLock.TakenOver}, its keys first),
 * and whether this run completed a publish the dead run had begun ({@link Publisher#recover}). Written by Jackson,
 * each component's name in snake_case.
 *
 * @param dead the dead run, as its lock file and the lock's last refresh told
 * @param takenOverBy this run's id; null (and then absent) in the month close's and the forecast's summaries
 * @param takenOverAt when this run took the lock over (UTC); null (and then absent) where takenOverBy is
 * @param publishCompletedByNextRun whether this run completed a publish the dead run had begun
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LockTakenOver(
        @JsonUnwrapped OutputLock.TakenOver dead,
        @JsonInclude(JsonInclude.Include.NON_NULL) String takenOverBy,
        @JsonInclude(JsonInclude.Include.NON_NULL) String takenOverAt,
        boolean publishCompletedByNextRun) {

    /**
     * The takeover as the month close and the forecast record it: without who took over and when.
     *
     * @param lock the lock this run holds
     * @param completedPublish the run whose publish {@link Publisher#recover} completed, or null
     * @return the takeover, or null when the lock was free
     */
    public static LockTakenOver of(OutputLock lock, String completedPublish) {
        OutputLock.TakenOver dead = lock.takenOver();
        return dead == null
                ? null
                : new LockTakenOver(dead, null, null, dead.runId().equals(completedPublish));
    }
}
