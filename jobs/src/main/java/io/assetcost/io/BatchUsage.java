package io.assetcost.io;

import io.assetcost.run.InputException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads OpenAI Batch API files (an input file with its output and error files, and the Batch object
 * beside them) into the canonical usage
 * contract ({@code schemas/canonical_usage.avsc}), selected with
 * {@code --usage-format batch}.
 */
public final class BatchUsage {

    /** What the command line tells this reader. */
    public record Options() {}

    private BatchUsage() {}

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
        throw new InputException("--usage-format batch is not available in this build");
    }
}
