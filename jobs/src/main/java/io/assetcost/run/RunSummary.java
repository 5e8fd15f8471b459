package io.assetcost.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A run's summary, as JSON ({@code run_summary.json}, {@code reconcile_summary.json}): what the run read,
 * used and set aside, its totals and invariant results, and its exit code. Both jobs build theirs here, so
 * the header ({@code job, run_id, started_at, finished_at, exit_code}), the per-input block and the
 * invariant list have one shape. Values are JSON-ready: strings, numbers, booleans, lists and maps; money
 * is a plain decimal string (exact, never a JSON number).
 */
public final class RunSummary {

    private final Map<String, Object> document = new LinkedHashMap<>();

    /**
     * Starts a summary.
     *
     * @param job the job's name ({@code assetcost}, {@code assetcost-reconcile})
     * @param runId the run's id, or null when the job has none
     * @param started when the run started (UTC)
     */
    public RunSummary(String job, String runId, Instant started) {
        document.put("job", job);
        if (runId != null) {
            document.put("run_id", runId);
        }
        document.put("started_at", started.toString());
        document.put("finished_at", null);
        document.put("exit_code", null);
    }

    /**
     * Adds a top-level entry (kept in insertion order).
     *
     * @param key its name
     * @param value a JSON-ready value
     * @return this summary
     */
    public RunSummary put(String key, Object value) {
        document.put(key, value);
        return this;
    }

    /** The value of a top-level entry, or null. */
    public Object get(String key) {
        return document.get(key);
    }

    /**
     * The block of one input: records_read, the used count under its own name, quarantined,
     * quarantined_by_reason, exact_duplicates_dropped, then any extra counts.
     *
     * @param counts the input's counts
     * @param usedName what "used" is called for this input ({@code priced}, {@code decisions_used})
     * @param reasons quarantined records per reason code
     * @return a map to put under the input's name, open for extra entries
     */
    public static Map<String, Object> input(InputCounts counts, String usedName, Map<String, Long> reasons) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records_read", counts.read());
        m.put(usedName, counts.used());
        m.put("quarantined", counts.quarantined());
        m.put("quarantined_by_reason", reasons);
        m.put("exact_duplicates_dropped", counts.duplicates());
        return m;
    }

    /**
     * Adds the invariant results under {@code invariants}.
     *
     * @param checks the results, in the order checked
     * @return this summary
     */
    public RunSummary invariants(List<Invariant> checks) {
        document.put("invariants", checks.stream().map(Invariant::toMap).toList());
        return this;
    }

    /**
     * Completes the header: finished_at (now) and the exit code.
     *
     * @param exitCode the run's exit code
     * @return the document, ready to write
     */
    public Map<String, Object> finish(int exitCode) {
        document.put("finished_at", Instant.now().toString());
        document.put("exit_code", exitCode);
        return document;
    }

    /**
     * Writes the document (pretty-printed JSON) to each file, replacing it.
     *
     * @param conf Hadoop configuration
     * @param files target files on any Hadoop file system
     * @throws UncheckedIOException when a file cannot be written
     */
    public void write(Configuration conf, Path... files) {
        for (Path path : files) {
            writeJson(conf, path, document);
        }
    }

    /**
     * Writes a JSON document (maps, lists, strings, numbers), pretty-printed, replacing the file.
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
