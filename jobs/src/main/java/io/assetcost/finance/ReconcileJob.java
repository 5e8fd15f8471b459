package io.assetcost.finance;

import io.assetcost.run.JobLauncher;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the reconciliation job (the month close), for
 * {@code spark-submit --class io.assetcost.finance.ReconcileJob}.
 *
 * <p>Exit codes, the cost job's (README, "Exit codes"), each failure with one line on stderr that says what to
 * fix: 0 the close completed and was published (whatever the statuses say); 2 bad options or an input that
 * cannot be used (the line names the option, path or Costs page; nothing published); 4 another run holds the
 * output's lock (the line names it; nothing written); 1 an invariant failed (the line names it and its figures;
 * nothing published, the staged close kept under {@code DIR/_staging/<run id>/} until the next run) or anything
 * else (the stack trace in the run's log). Only 0 publishes: on any other code, and when the run is killed, the
 * close published before stays whole ({@link ReconcilePipeline}).
 */
public final class ReconcileJob {

    private ReconcileJob() {}

    /**
     * Runs the job and exits the JVM with its code.
     *
     * @param args see {@link ReconcileOptions}
     */
    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, null));
    }

    /**
     * Parses options and runs, without exiting the JVM.
     *
     * @param args command-line options
     * @param out where --help goes
     * @param err where the one-line error goes
     * @param session a session to use and leave running, or null to build one
     * @return the exit code
     */
    public static int execute(String[] args, PrintStream out, PrintStream err, SparkSession session) {
        ReconcileOptions options = new ReconcileOptions();
        return JobLauncher.execute("assetcost-reconcile", options, args, out, err, session, (spark, runId) -> {
            ReconcilePipeline.RunResult result = ReconcilePipeline.run(spark, options, runId);
            if (result.reason() != null) {
                err.println("assetcost-reconcile: exit " + result.exitCode() + ": " + result.reason());
            }
            return result.exitCode();
        });
    }
}
