package io.assetcost;

import io.assetcost.cost.CostJobOptions;
import io.assetcost.cost.CostPipeline;
import io.assetcost.run.Invariant;
import io.assetcost.run.JobLauncher;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the cost job, for {@code spark-submit --class io.assetcost.CostJob} (the class name the
 * nightly schedulers know; the job itself is in {@link io.assetcost.cost}): parse the options, build the
 * session, run {@link CostPipeline#run}, and exit with its code.
 *
 * <p>Exit codes (README, "Exit codes"): 0 the run completed and published; 2 bad options or an input that
 * cannot be read (one line on stderr names the path or option and what is wrong; nothing is written); 3
 * the run published but quarantined more than {@code --max-quarantined-fraction} of the usage records, or
 * left an unreadable file out; 4 another run holds the output's lock; 5 the window held no usage record
 * (nothing published unless {@code --allow-empty-usage}); 6 the window shrank below
 * {@code --min-kept-share} of what is published (nothing published unless {@code --allow-shrink}); 1 an
 * invariant failed (nothing published) or anything else.
 */
public final class CostJob {

    private CostJob() {}

    /**
     * Runs the job and exits the JVM with its code.
     *
     * @param args command-line options, see {@link CostJobOptions}
     */
    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err, null));
    }

    /**
     * Parses options and runs the job, without exiting the JVM.
     *
     * @param args command-line options
     * @param out where --help and --version go
     * @param err where the one-line error goes
     * @param session a session to use (and leave running), or null to build one and stop it at the end
     * @return the exit code
     */
    public static int execute(String[] args, PrintStream out, PrintStream err, SparkSession session) {
        return execute(args, out, err, session, UnaryOperator.identity());
    }

    /**
     * {@link #execute}, with the job's invariants passed through a function (see {@code CostPipeline.run}: a test
     * adds one that fails).
     */
    static int execute(
            String[] args,
            PrintStream out,
            PrintStream err,
            SparkSession session,
            UnaryOperator<List<Invariant>> invariants) {
        CostJobOptions options = new CostJobOptions();
        return JobLauncher.execute("assetcost", options, args, out, err, session, (spark, runId) -> {
            CostPipeline.RunResult result =
                    CostPipeline.run(spark, options, options.window(Clock.systemUTC()), runId, invariants);
            if (result.reason() != null) {
                err.println("assetcost: exit " + result.exitCode() + ": " + result.reason());
            }
            return result.exitCode();
        });
    }
}
