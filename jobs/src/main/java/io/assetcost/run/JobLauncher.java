package io.assetcost.run;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What every job's {@code main} does, once: parse the options with picocli before Spark starts, build the
 * session (no master: spark-submit or {@code spark.master} sets it), run, and map the outcome to an exit
 * code: 2 for bad options or an unusable input ({@link InputException}, one line on stderr), 4 when another
 * run holds the output's lock, 1 for anything else (one line on stderr, the stack trace in the log), else
 * the run's own code. Every run that gets this far has a run id and a log file of its own ({@link RunLog}),
 * copied to the output's {@code _runs/} when the run ends (unless it exited 2 or 4, which write nothing).
 */
public final class JobLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(JobLauncher.class);

    /** Options that can check themselves after parsing. */
    public interface Validated {
        /**
         * Checks values picocli cannot.
         *
         * @throws InputException naming the option and what to give instead
         */
        void validate();

        /**
         * Where the job keeps its run records ({@code DIR/_runs}), which receives each run's log
         * ({@link RunLog}); null for a job that keeps none.
         */
        default String runRecords() {
            return null;
        }

        /**
         * Static Spark SQL settings the session must start with (Delta Lake's extension and catalog for
         * {@code --table-format delta}), set when the launcher builds the session; a session handed in is
         * used as it is.
         *
         * @return settings by key; empty by default
         */
        default java.util.Map<String, String> sessionSettings() {
            return java.util.Map.of();
        }
    }

    /** A job, given its session and its run's id ({@link RunLog#newRunId}). */
    @FunctionalInterface
    public interface Job {
        /**
         * Runs the job.
         *
         * @param spark the session
         * @param runId the run's id, shared by its log file and its records
         * @return the exit code
         */
        int run(SparkSession spark, String runId);
    }

    private JobLauncher() {}

    /**
     * Parses and runs.
     *
     * @param appName Spark application name
     * @param options the annotated options object to fill
     * @param args command-line arguments
     * @param out where --help and --version go
     * @param err where the one-line error goes
     * @param session a session to use and leave running, or null to build one and stop it
     * @param run the job, given the session and the run id (options are already filled); returns its exit code
     * @return the exit code
     */
    public static int execute(
            String appName,
            Validated options,
            String[] args,
            PrintStream out,
            PrintStream err,
            SparkSession session,
            Job run) {
        CommandLine cli = new CommandLine(options)
                .registerConverter(BigDecimal.class, JobLauncher::decimal)
                .registerConverter(Long.class, text -> decimal(text).longValueExact())
                .registerConverter(Long.TYPE, text -> decimal(text).longValueExact())
                .registerConverter(Integer.class, text -> decimal(text).intValueExact())
                .registerConverter(Integer.TYPE, text -> decimal(text).intValueExact());
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (parsed.isUsageHelpRequested()) {
                cli.usage(out);
                return 0;
            }
            if (parsed.isVersionHelpRequested()) {
                cli.printVersionHelp(out);
                return 0;
            }
            options.validate();
        } catch (CommandLine.ParameterException e) {
            err.println(appName + ": " + e.getMessage() + " (see --help)");
            return 2;
        } catch (InputException e) {
            err.println(appName + ": " + e.getMessage());
            return 2;
        }
        String runId = RunLog.newRunId(Instant.now());
        RunLog log = RunLog.start(appName, runId);
        SparkSession spark = null;
        int code = 1;
        String why = "";
        try {
            if (session != null) {
                spark = session;
            } else {
                SparkSession.Builder builder =
                        SparkSettings.apply(SparkSession.builder().appName(appName));
                options.sessionSettings().forEach(builder::config);
                spark = builder.getOrCreate();
            }
            SparkSettings.apply(spark);
            code = run.run(spark, runId);
        } catch (InputException | LockedException e) {
            err.println(appName + ": " + e.getMessage());
            code = e instanceof InputException ? 2 : 4;
            why = " (" + e.getMessage() + ")";
        } catch (Exception e) { // also Spark's checked exceptions, which Dataset actions throw undeclared
            code = failed(appName, e, err);
        } finally {
            LOG.info("{} run {}: exit {}{}", appName, runId, code, why);
            log.close();
            // Exit 2 and 4 write nothing to the output (README, "Exit codes"): their log stays local.
            if (spark != null && code != 2 && code != 4 && options.runRecords() != null) {
                log.copyTo(spark.sparkContext().hadoopConfiguration(), new Path(options.runRecords()));
            }
            if (session == null && spark != null) {
                spark.stop();
            }
        }
        return code;
    }

    /** The exit code of a run that threw: 2 for an unreadable input file, else 1; one line on stderr. */
    private static int failed(String appName, Exception e, PrintStream err) {
        UnreadableFileException unreadable = UnreadableFileException.find(e);
        if (unreadable != null) {
            LOG.error(appName + ": unreadable input file", e);
            err.println(appName + ": file " + unreadable.file() + " cannot be read (" + unreadable.reason()
                    + "); fix or remove it");
            return 2;
        }
        LOG.error(appName + " run failed", e);
        err.println(appName + ": run failed: " + oneLine(e));
        return 1;
    }

    /** A number option's value, with a message that says what was expected (not Java's exception text). */
    private static BigDecimal decimal(String text) {
        try {
            return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }
}
