package io.assetcost.ops;

import io.assetcost.run.InputException;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The command-line option {@code --table-format parquet|delta} of the jobs that publish the cost job's and the
 * month close's tables (README, "Outputs"; docs/DESIGN.md, "Delta tables"). One place for the option, its
 * check and the session settings it needs, so that every test and every job passes it the same way.
 */
public class TableFormatMixin {

    @Option(
            names = "--table-format",
            paramLabel = "parquet|delta",
            defaultValue = "parquet",
            description = "How the published tables are stored: parquet (Hive-partitioned Parquet directories,"
                    + " the default) or delta (Delta Lake tables at the same paths: one commit per table and"
                    + " run, time travel; Delta must be on the classpath, spark-submit --packages"
                    + " " + DeltaTables.PACKAGE + ").")
    public String tableFormat = "parquet";

    /**
     * Whether the tables are Delta tables.
     *
     * @return true for {@code --table-format delta}
     * @throws InputException when the option is neither parquet nor delta
     */
    public boolean delta() {
        String f = tableFormat.toLowerCase(Locale.ROOT);
        if (!f.equals("parquet") && !f.equals("delta")) {
            throw new InputException("--table-format must be parquet or delta, got " + tableFormat);
        }
        return f.equals("delta");
    }

    /**
     * Checks the option before Spark starts: a valid value and, for delta, Delta Lake's classes on the classpath.
     *
     * @throws InputException (exit 2) for another value, or for delta without Delta Lake on the classpath; the
     *     message says which package to add
     */
    public void validate() {
        if (delta()) {
            DeltaTables.requireClasses();
        }
    }

    /**
     * The static Spark SQL settings a session needs for this format ({@link DeltaTables#sessionSettings}), to be
     * set when the job builds its session.
     *
     * @return the settings; empty for parquet
     */
    public Map<String, String> sessionSettings() {
        return delta() ? DeltaTables.sessionSettings() : Map.of();
    }

    /**
     * The session settings a job needs to read the cost job's tables in {@code --tables DIR}: Delta's when its
     * {@code request_costs} is a Delta table and Delta is on the classpath (without it, reading the table says
     * what to add, exit 2), else none. Looked up before Spark starts, with the Hadoop settings spark-submit
     * passes ({@code spark.hadoop.*}).
     *
     * @param tables the cost job's output directory
     * @return the settings; empty for Parquet tables or when the directory cannot be looked at yet
     */
    public static Map<String, String> forReading(String tables) {
        try {
            DeltaTables.requireClasses();
            org.apache.hadoop.conf.Configuration conf =
                    org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(new org.apache.spark.SparkConf());
            org.apache.hadoop.fs.Path requestCosts =
                    new OutputLayout(tables).table(io.assetcost.schema.OutputTable.REQUEST_COSTS);
            return DeltaTables.isDelta(conf, requestCosts) ? DeltaTables.sessionSettings() : Map.of();
        } catch (java.io.IOException | RuntimeException e) {
            // No Delta on the classpath, or the directory cannot be looked at yet: the read says what to fix.
            return Map.of();
        }
    }
}
