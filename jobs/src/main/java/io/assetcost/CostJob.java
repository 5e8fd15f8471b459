package io.assetcost;

import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point of the cost job, for {@code spark-submit --class io.assetcost.CostJob}: parse the options,
 * build the session (no master here: spark-submit or {@code spark.master} sets it), run
 * {@link CostPipeline#run}, and exit with its code.
 *
 * <p>Exit codes: 0 the run completed; 2 bad options or an input that cannot be read (one line on stderr
 * names the path or option and what is wrong; nothing is written); 3 the run completed but quarantined
 * more than {@code --max-quarantined-fraction} of the usage records; 1 anything else.
 */
public final class CostJob {

  private static final Logger LOG = LoggerFactory.getLogger(CostJob.class);

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
    CostJobOptions options = new CostJobOptions();
    CommandLine cli = new CommandLine(options);
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
      err.println("assetcost: " + e.getMessage() + " (see --help)");
      return 2;
    } catch (InputException e) {
      err.println("assetcost: " + e.getMessage());
      return 2;
    }

    SparkSession spark = session != null ? session
        : SparkSession.builder().appName("assetcost")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
            .getOrCreate();
    try {
      return CostPipeline.run(spark, options).exitCode();
    } catch (InputException e) {
      err.println("assetcost: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      LOG.error("assetcost run failed", e);
      err.println("assetcost: run failed: " + oneLine(e));
      return 1;
    } finally {
      if (session == null) {
        spark.stop();
      }
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
