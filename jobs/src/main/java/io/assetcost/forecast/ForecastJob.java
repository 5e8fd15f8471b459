package io.assetcost.forecast;

import io.assetcost.run.JobLauncher;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the forecast worksheet, for {@code spark-submit --class io.assetcost.forecast.ForecastJob}.
 * Exit codes: 0 written, 2 bad options or an unusable input (nothing written), 1 anything else.
 */
public final class ForecastJob {

    private ForecastJob() {}

    /**
     * Runs the job and exits the JVM with its code.
     *
     * @param args see {@link ForecastOptions}
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
        ForecastOptions options = new ForecastOptions();
        return JobLauncher.execute(
                "assetcost-forecast",
                options,
                args,
                out,
                err,
                session,
                (spark, runId) -> ForecastPipeline.run(spark, options).exitCode());
    }
}
