package io.assetcost.io;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The unparsed tails of CSV files one read met, counted by {@link CsvSource} as it meets them: a file that
 * stops parsing becomes one quarantined record holding the rest of the file, and the run summary reports
 * how many physical lines those records hold ({@code lines_in_unparsed_csv_tails}, README "Inputs").
 *
 * <p>The reader adds (file, lines) to a Spark collection accumulator from inside its task. A task may run
 * more than once (a retry, a dataset read twice), so the driver keeps one count per file: a file's tail
 * starts at the same line every time it is read. Read {@link #lines} only after an action has read every
 * file, for example after the staged tables are written.
 */
public final class CsvTails implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One file's tail: its path as the reader named it, and its physical lines. */
    record Tail(String file, long lines) implements Serializable {}

    /** Null for {@link #uncounted()}. */
    private final CollectionAccumulator<Tail> tails;

    private CsvTails(CollectionAccumulator<Tail> tails) {
        this.tails = tails;
    }

    /**
     * A counter registered with the session's context; make one per read of an input.
     *
     * @param spark the session
     * @param input what the read is of, for Spark's UI (for example {@code usage})
     * @return an empty counter
     */
    public static CsvTails register(SparkSession spark, String input) {
        return new CsvTails(spark.sparkContext().collectionAccumulator("CSV tails of " + input));
    }

    /**
     * A counter that keeps nothing, for reads whose tails no summary reports (tests, re-reads of quarantined
     * records).
     *
     * @return a counter whose {@link #lines} is always 0
     */
    public static CsvTails uncounted() {
        return new CsvTails(null);
    }

    /** Called by the reader, in a task, when a file stops parsing. */
    void add(String file, long lines) {
        if (tails != null) {
            tails.add(new Tail(file, lines));
        }
    }

    /**
     * The physical lines in the unparsed tails met so far, each file counted once. Call on the driver.
     *
     * @return the lines (0 when no file stopped parsing)
     */
    public long lines() {
        if (tails == null) {
            return 0;
        }
        Map<String, Long> byFile = new TreeMap<>();
        for (Tail t : tails.value()) {
            byFile.put(t.file(), t.lines());
        }
        return byFile.values().stream().mapToLong(Long::longValue).sum();
    }
}
