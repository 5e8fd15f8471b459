package io.assetcost.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the three jobs' summaries share ({@code run_summary.json}, {@code reconcile_summary.json},
 * {@code forecast_summary.json}; README, "run_summary.json", and the JSON Schemas under docs/): the keys they open
 * with ({@link Header}), the keys the month close's and the forecast's close with ({@link Outcome}), and the
 * writer. Each job's summary is a record of its own, written by Jackson, that holds these with
 * {@code @JsonUnwrapped}, so their keys are named here once. Money is an exact decimal string (USD, never a JSON
 * number; {@link PlainDecimal}); times are ISO-8601 instants (UTC).
 */
public final class RunSummary {

    private RunSummary() {}

    /**
     * The keys every summary opens with, in this order.
     *
     * @param job the job's name ({@code assetcost}, {@code assetcost-reconcile}, {@code assetcost-forecast})
     * @param runId the run's id (its record under {@code _runs/}, its staging directory, its log lines)
     * @param startedAt when the run started (UTC)
     * @param finishedAt when the summary was written (UTC); null in the record of a run that died
     * @param exitCode the run's exit code (README, "Exit codes"); null in the record of a run that died
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Header(String job, String runId, String startedAt, String finishedAt, Integer exitCode) {

        /**
         * The header of a run that ends now.
         *
         * @param job the job's name
         * @param runId the run's id
         * @param started when it started (UTC)
         * @param exitCode its exit code
         * @return the header, finished_at now (UTC)
         */
        public static Header finished(String job, String runId, Instant started, int exitCode) {
            return new Header(job, runId, started.toString(), Instant.now().toString(), exitCode);
        }
    }

    /**
     * The keys the month close's and the forecast's summaries close with, in this order (the cost job's
     * interleaves its own among them).
     *
     * @param invariants every check, in the order checked
     * @param published whether the staged output replaced the published one
     * @param stagedTables where the unpublished output waits for the next run, or null when published
     * @param exitReason why the exit code is not 0, one line; null for 0
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Outcome(List<Invariant> invariants, boolean published, String stagedTables, String exitReason) {}

    /**
     * Writes a summary (pretty-printed JSON) to each file, replacing it.
     *
     * @param conf Hadoop configuration
     * @param summary the summary: a record Jackson writes
     * @param files target files on any Hadoop file system
     * @throws UncheckedIOException when a file cannot be written
     */
    public static void write(Configuration conf, Object summary, Path... files) {
        for (Path path : files) {
            writeJson(conf, path, summary);
        }
    }

    /**
     * Writes a JSON document (records, maps, lists, strings, numbers), pretty-printed, replacing the file.
     *
     * @param conf Hadoop configuration
     * @param path target file
     * @param value the content
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void writeJson(Configuration conf, Path path, Object value) {
        try {
            FileSystem fs = path.getFileSystem(conf);
            try (OutputStream os = fs.create(path, true)) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(os, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /**
     * Row counts per value of a column (a small aggregate collected to the driver).
     *
     * @param df the rows
     * @param column a string column; a null value counts under {@code null}
     * @return counts per value, ordered by value
     */
    public static Map<String, Long> countBy(Dataset<Row> df, String column) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : df.groupBy(column).count().collectAsList()) {
            out.put(r.isNullAt(0) ? "null" : r.getString(0), r.getLong(1));
        }
        return out;
    }
}
