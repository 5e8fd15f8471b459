package io.assetcost.io;

import io.assetcost.run.InputException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads Langfuse's blob-storage export of observations into the canonical usage
 * contract ({@code schemas/canonical_usage.avsc}), selected with
 * {@code --usage-format langfuse}.
 */
public final class LangfuseUsage {

    /** What the command line tells this reader. */
    public record Options() {}

    private LangfuseUsage() {}

    /**
     * Reads the files of a {@code --usage} path.
     *
     * @param spark the session
     * @param files every file under the path (sorted)
     * @param options this format's options
     * @return canonical usage rows, one per record read
     * @throws InputException always, until the reader is built
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, Options options) {
        throw new InputException("--usage-format langfuse is not available in this build");
    }
}
