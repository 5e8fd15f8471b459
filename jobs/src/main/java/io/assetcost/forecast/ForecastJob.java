package io.assetcost.forecast;

import io.assetcost.planning.Forecast;
import io.assetcost.planning.Plan;
import io.assetcost.run.Invariant;
import io.assetcost.run.JobLauncher;
import java.io.PrintStream;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the forecast worksheet, for {@code spark-submit --class io.assetcost.forecast.ForecastJob}.
 *
 * <p>Exit codes, the cost job's (README, "Exit codes"), each failure with one line on stderr that says what to
 * fix: 0 the forecast was written and published; 2 bad options or an unusable input (the line names the option
 * or path; nothing published); 4 another run holds the output's lock (the line names it; nothing written); 1 an
 * invariant failed (the line names it; nothing published, the staged forecast kept under
 * {@code DIR/_staging/<run id>/} until the next run) or anything else (the stack trace in the run's log). Only
 * 0 publishes: otherwise, and when the run is killed, the forecast published before stays whole
 * ({@link ForecastPipeline}).
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
     * @param out where --help and, when the forecast is published, the worksheet go
     * @param err where the one-line error goes
     * @param session a session to use and leave running, or null to build one
     * @return the exit code
     */
    public static int execute(String[] args, PrintStream out, PrintStream err, SparkSession session) {
        return execute(args, out, err, session, ForecastPipeline::checks);
    }

    /**
     * {@link #execute}, with the forecast's invariants given (see {@code ForecastPipeline.run}: a test gives one
     * that fails).
     */
    static int execute(
            String[] args,
            PrintStream out,
            PrintStream err,
            SparkSession session,
            BiFunction<Plan, List<Forecast.Line>, List<Invariant>> invariants) {
        ForecastOptions options = new ForecastOptions();
        return JobLauncher.execute("assetcost-forecast", options, args, out, err, session, (spark, runId) -> {
            ForecastPipeline.RunResult result = ForecastPipeline.run(spark, options, runId, invariants);
            if (result.worksheet() != null) {
                out.print(result.worksheet());
                out.flush();
            }
            if (result.reason() != null) {
                err.println("assetcost-forecast: exit " + result.exitCode() + ": " + result.reason());
            }
            return result.exitCode();
        });
    }
}
