package io.assetcost.finance;

import io.assetcost.run.JobLauncher;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the reconciliation job, for
 * {@code spark-submit --class io.assetcost.finance.ReconcileJob}. Exit codes: 0 completed, 2 bad options
 * or unusable input (nothing written), 1 anything else.
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
        return JobLauncher.execute(
                "assetcost-reconcile",
                options,
                args,
                out,
                err,
                session,
                (spark, runId) -> ReconcilePipeline.run(spark, options).exitCode());
    }
}
