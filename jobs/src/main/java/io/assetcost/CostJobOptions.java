package io.assetcost;

import java.math.BigDecimal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Options of the cost job, parsed by picocli before Spark starts. Paths are Hadoop paths (local, HDFS,
 * S3A, ...). {@code scripts/run-local.sh} fills in the sample-data defaults for a local run.
 */
@Command(name = "assetcost", mixinStandardHelpOptions = true, version = "assetcost 0.1.0",
    description = "Prices image-generation usage with an effective-dated rate card, joins it to review"
        + " outcomes, and writes cost per approved asset and retry waste.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the run completed",
        "1:anything else failed (an invariant check, a write, Spark itself)",
        "2:bad options, or an input that cannot be read (nothing is written)",
        "3:the run completed but quarantined more than --max-quarantined-fraction of the usage records"})
public class CostJobOptions implements JobLauncher.Validated {

  /** Usage logs: a file or directory of .jsonl (nested log), .csv or .parquet (flat export). */
  @Option(names = "--usage", required = true, paramLabel = "PATH",
      description = "Usage: a file or directory of .jsonl (nested usage log), .csv or .parquet (flat export),"
          + " optionally compressed.")
  public String usage;

  /** Acceptance records: a CSV file or directory of CSV files. */
  @Option(names = "--acceptance", required = true, paramLabel = "PATH",
      description = "Acceptance records: a .csv file or a directory of them.")
  public String acceptance;

  /** Rate card CSV replacing the embedded default; null = the default card. */
  @Option(names = "--rates", paramLabel = "FILE",
      description = "Rate card CSV replacing the embedded default OpenAI image-model card.")
  public String rates;

  /** Output directory. */
  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output directory: Parquet tables, report CSV files and run_summary.json.")
  public String out;

  /** Largest share of usage records that may be quarantined before the run exits 3. */
  @Option(names = "--max-quarantined-fraction", paramLabel = "F", defaultValue = "0.05",
      description = "Exit 3 when more than this fraction of usage records is quarantined"
          + " (0 to 1, default ${DEFAULT-VALUE}).")
  public BigDecimal maxQuarantinedFraction;

  /**
   * Checks values picocli cannot.
   *
   * @throws InputException naming the option and what to give instead
   */
  @Override
  public void validate() {
    if (maxQuarantinedFraction.signum() < 0 || maxQuarantinedFraction.compareTo(BigDecimal.ONE) > 0) {
      throw new InputException("--max-quarantined-fraction must be between 0 and 1, got "
          + maxQuarantinedFraction.toPlainString());
    }
    for (String[] o : new String[][] {{"--usage", usage}, {"--acceptance", acceptance}, {"--out", out}}) {
      if (o[1].isBlank()) {
        throw new InputException(o[0] + " must not be empty");
      }
    }
  }
}
