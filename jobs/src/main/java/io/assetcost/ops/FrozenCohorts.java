package io.assetcost.ops;

import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.DECIDED_AT;
import static io.assetcost.schema.Cols.REQUEST_ID;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The nightly-incremental rule, in one place (README, "Nightly operation"; docs/DESIGN.md, "Nightly
 * runs"). A nightly run recomputes the cohorts of its {@link RunWindow}; the cohorts before it are
 * <em>frozen</em>: the published tables hold their assets and requests, and the run must neither
 * recompute them from a partial view nor lose what arrives for them late.
 *
 * <ul>
 *   <li>requests of a frozen asset are left out of the outcomes ({@link #unfrozen});
 *   <li>decisions on requests published in frozen usage partitions are set aside, not quarantined
 *       ({@link #splitDecisions}): the run does not read those requests again;
 *   <li>a decision or a request that reaches a frozen asset after its last recompute (the night
 *       {@code cohort_date + K}) is late ({@link #lateDecisions}, {@link #lateUsage}): counted in the run
 *       summary so that the operator reruns with a wider lookback.
 * </ul>
 *
 * <p>Pure functions of their inputs: the caller reads the published tables and counts.
 */
public final class FrozenCohorts {

    private static final String FROZEN_ID = "_frozen_id";
    private static final String FROZEN_WORKFLOW = "_frozen_workflow";
    private static final String FROZEN_ASSET = "_frozen_asset";

    private FrozenCohorts() {}

    /**
     * Decisions of the run and decisions set aside.
     *
     * @param current records on requests the run reads (the input columns)
     * @param onFrozen records on requests of frozen usage partitions: the input columns plus _frozen_id,
     *     _frozen_workflow and _frozen_asset (the published request's keys)
     */
    public record Split(Dataset<Row> current, Dataset<Row> onFrozen) {}

    /**
     * The frozen assets: those of the published asset_costs whose cohort is before the window.
     *
     * @param publishedAssets the published asset_costs (empty before the first run)
     * @param window the run's window
     * @return workflow_id, asset_id, cohort_date (none for a full run)
     */
    public static Dataset<Row> assets(Dataset<Row> publishedAssets, RunWindow window) {
        return publishedAssets.filter(window.freezes(col(COHORT_DATE))).select(WORKFLOW_ID, ASSET_ID, COHORT_DATE);
    }

    /**
     * The requests of frozen usage partitions: those of the published request_costs dated before the
     * window.
     *
     * @param publishedRequests the published request_costs (empty before the first run)
     * @param window the run's window
     * @return request_id, workflow_id, asset_id (none for a full run)
     */
    public static Dataset<Row> requests(Dataset<Row> publishedRequests, RunWindow window) {
        return publishedRequests.filter(window.freezes(col(USAGE_DATE))).select(REQUEST_ID, WORKFLOW_ID, ASSET_ID);
    }

    /**
     * Splits acceptance records into those of the run and those on requests of frozen usage partitions.
     *
     * @param records acceptance records (request_id and the other input columns)
     * @param frozenRequests rows of {@link #requests}
     * @return the split; together exactly the input records
     */
    public static Split splitDecisions(Dataset<Row> records, Dataset<Row> frozenRequests) {
        Dataset<Row> ids = frozenRequests.select(
                col(REQUEST_ID).as(FROZEN_ID),
                col(WORKFLOW_ID).as(FROZEN_WORKFLOW),
                col(ASSET_ID).as(FROZEN_ASSET));
        return new Split(
                records.join(ids, col(REQUEST_ID).equalTo(col(FROZEN_ID)), "left_anti"),
                records.join(ids, col(REQUEST_ID).equalTo(col(FROZEN_ID))));
    }

    /**
     * Request costs without the requests of frozen assets.
     *
     * @param costs rows with workflow_id and asset_id
     * @param frozenAssets rows of {@link #assets}
     * @return the rows of assets the run recomputes
     */
    public static Dataset<Row> unfrozen(Dataset<Row> costs, Dataset<Row> frozenAssets) {
        return costs.join(frozenAssets.drop(COHORT_DATE), new String[] {WORKFLOW_ID, ASSET_ID}, "left_anti");
    }

    /**
     * Decisions that reached a frozen asset after its last recompute: the run's own decisions and those
     * set aside on frozen requests.
     *
     * @param decisions the run's trusted decisions (workflow_id, asset_id, decided_at)
     * @param onFrozen {@link Split#onFrozen}
     * @param onFrozenDecidedAt the time of a set-aside record (its decided_at text, parsed)
     * @param frozenAssets rows of {@link #assets}
     * @param window the run's window
     * @return the late decisions (workflow_id, asset_id, decided_at, cohort_date)
     */
    public static Dataset<Row> lateDecisions(
            Dataset<Row> decisions,
            Dataset<Row> onFrozen,
            Column onFrozenDecidedAt,
            Dataset<Row> frozenAssets,
            RunWindow window) {
        Dataset<Row> times = decisions
                .select(WORKFLOW_ID, ASSET_ID, DECIDED_AT)
                .unionByName(onFrozen.select(
                        col(FROZEN_WORKFLOW).as(WORKFLOW_ID),
                        col(FROZEN_ASSET).as(ASSET_ID),
                        onFrozenDecidedAt.as(DECIDED_AT)));
        return times.join(frozenAssets, new String[] {WORKFLOW_ID, ASSET_ID})
                .filter(col(DECIDED_AT).geq(window.lateFrom(col(COHORT_DATE))));
    }

    /**
     * Requests that reached a frozen asset after its last recompute.
     *
     * @param requestCosts the run's priced requests (workflow_id, asset_id, created_at)
     * @param frozenAssets rows of {@link #assets}
     * @param window the run's window
     * @return the late requests
     */
    public static Dataset<Row> lateUsage(Dataset<Row> requestCosts, Dataset<Row> frozenAssets, RunWindow window) {
        return requestCosts
                .join(frozenAssets, new String[] {WORKFLOW_ID, ASSET_ID})
                .filter(col(CREATED_AT).geq(window.lateFrom(col(COHORT_DATE))));
    }
}
