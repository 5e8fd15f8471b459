package io.assetcost.ops;

import io.assetcost.schema.OutputTable;
import org.apache.hadoop.fs.Path;

/**
 * The one owner of an output directory's layout (README, "Nightly operation"): where the published
 * tables and their CSV files are, and the run's own files beside them.
 *
 * <pre>
 * DIR/request_costs/usage_date=2026-11-17/part-....parquet   a published table (one directory each)
 * DIR/cost_per_approved_asset.csv                            a table's CSV file, rewritten after each run
 * DIR/run_summary.json                                       the latest run's summary
 * DIR/_runs/RUNID.json                                       every run's summary
 * DIR/_runs/RUNID.log                                        every run's log
 * DIR/_lock                                                  the lock of the run in progress
 * DIR/_staging/RUNID/TABLE/...                               what a run writes before publishing (a run
 *                                                            that refused to publish leaves it until the next run)
 * DIR/_trash/RUNID/TABLE/...                                 what a publish replaced, until it completes
 * DIR/_checkpoints/RUNID/...                                 what a run reads twice, until it ends
 * DIR/_publish.json                                          the journal of a publish in progress
 * DIR/_publish.json.partial                                  the journal while it is written (renamed when whole)
 * </pre>
 *
 * <p>The constants below are these names. Names starting with {@code _} are the job's own: Spark, DuckDB, Trino and
 * Athena skip them when they read a table directory, and the input listing skips them too.
 *
 * @param root the output directory (any Hadoop path)
 */
public record OutputLayout(String root) {

    public static final String STAGING = "_staging";
    public static final String TRASH = "_trash";
    public static final String CHECKPOINTS = "_checkpoints";
    public static final String JOURNAL = "_publish.json";
    public static final String PARTIAL_JOURNAL = "_publish.json.partial";
    public static final String LOCK = "_lock";
    public static final String RUNS = "_runs";
    public static final String RUN_SUMMARY = "run_summary.json";
    /** The month close's summary. */
    public static final String RECONCILE_SUMMARY = "reconcile_summary.json";
    /** The cost job's report page. */
    public static final String REPORT = "report.html";
    /** The month close's report page. */
    public static final String MONTH_CLOSE_REPORT = "month_close.html";
    /** The forecast worksheet's summary. */
    public static final String FORECAST_SUMMARY = "forecast_summary.json";

    /** A published table's directory. */
    public Path table(OutputTable table) {
        return new Path(root, table.tableName());
    }

    /** A table's CSV file beside it, {@code DIR/<name>.csv}. */
    public Path csv(OutputTable table) {
        return new Path(root, table.tableName() + ".csv");
    }

    /** Where staging lives: {@code DIR/_staging}. */
    public Path stagingRoot() {
        return new Path(root, STAGING);
    }

    /** A run's staging directory, {@code DIR/_staging/<run id>}. */
    public Path staging(String runId) {
        return new Path(stagingRoot(), runId);
    }

    /** A table as a run staged it, {@code DIR/_staging/<run id>/<table>}. */
    public Path staged(String runId, OutputTable table) {
        return new Path(staging(runId), table.tableName());
    }

    /**
     * A run's staging directory as a layout of its own, for a job that replaces whole tables and the files
     * beside them (the month close, the forecast): a table, its CSV file or a page written there has the same
     * name under {@link #staging} as it will have under the output once {@link Publisher#publish} swaps it in.
     *
     * @param runId the run
     * @return the layout rooted at {@code DIR/_staging/<run id>}
     */
    public OutputLayout stagingLayout(String runId) {
        return new OutputLayout(staging(runId).toString());
    }

    /** Where replaced partitions wait: {@code DIR/_trash}. */
    public Path trashRoot() {
        return new Path(root, TRASH);
    }

    /** A run's trash directory, {@code DIR/_trash/<run id>}. */
    public Path trash(String runId) {
        return new Path(trashRoot(), runId);
    }

    /** Where runs checkpoint what they read twice: {@code DIR/_checkpoints} (a directory per run under it). */
    public Path checkpointsRoot() {
        return new Path(root, CHECKPOINTS);
    }

    /** The publish journal, {@code DIR/_publish.json}. */
    public Path journal() {
        return new Path(root, JOURNAL);
    }

    /** The publish journal while it is written, {@code DIR/_publish.json.partial}. */
    public Path partialJournal() {
        return new Path(root, PARTIAL_JOURNAL);
    }

    /** The lock, {@code DIR/_lock}. */
    public Path lock() {
        return new Path(root, LOCK);
    }

    /** The latest run's summary, {@code DIR/run_summary.json}. */
    public Path runSummary() {
        return new Path(root, RUN_SUMMARY);
    }

    /** Where every run's summary and log are kept, {@code DIR/_runs}. */
    public Path runs() {
        return new Path(root, RUNS);
    }

    /** One run's kept summary, {@code DIR/_runs/<run id>.json}. */
    public Path runRecord(String runId) {
        return new Path(runs(), runId + ".json");
    }

    /** The cost job's report, {@code DIR/report.html}. */
    public Path report() {
        return new Path(root, REPORT);
    }

    /** The month close's report, {@code DIR/month_close.html}. */
    public Path monthCloseReport() {
        return new Path(root, MONTH_CLOSE_REPORT);
    }

    /** The forecast worksheet's summary, {@code DIR/forecast_summary.json}. */
    public Path forecastSummary() {
        return new Path(root, FORECAST_SUMMARY);
    }

    /** The month close's summary, {@code DIR/reconcile_summary.json}. */
    public Path reconcileSummary() {
        return new Path(root, RECONCILE_SUMMARY);
    }
}
