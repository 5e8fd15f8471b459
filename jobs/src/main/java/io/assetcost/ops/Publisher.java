package io.assetcost.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.schema.OutputTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a run's tables safely. Spark writes every table of the run under
 * {@code DIR/_staging/<run id>/}; only when all of them are written does {@link #publish} swap them in:
 * per replaced partition (a whole table for a full run) the live directory moves to
 * {@code DIR/_trash/<run id>/} and the staged one takes its place, a rename each. The list of swaps is
 * written first to {@code DIR/_publish.json}; a run that dies in the middle of publishing is completed by
 * the next run ({@link #recover}), which also clears staging left by dead runs. A run that dies while
 * writing (the long part) never touched the live tables. The journal is written beside its name and renamed
 * into it once whole, so a run killed while writing it leaves no journal (nothing had moved yet) rather than
 * half of one that would stop every later run.
 *
 * <p>Every step can be repeated: a swap whose staged directory is gone is done; a partition the run has
 * nothing for is moved to the trash only while it is still live. Runs are exclusive ({@link OutputLock}),
 * so nothing else moves these directories meanwhile. On an object store ({@code s3a://}) a directory rename
 * is a copy of each file and a delete, so a swap can be cut in the middle of either move: a marker written
 * between the two moves says which one, and a staged directory cut while moving in is merged into the live
 * one (each staged subdirectory that has no live counterpart moves whole, the others are merged the same way
 * inside) rather than taken for the old table (docs/DESIGN.md, "On an object store").
 *
 * <p>With Delta tables ({@link #publishDelta}, {@code --table-format delta}) a table is not swapped: its staged
 * rows are committed to the live Delta table, one commit per table (the window's partitions replaced, or the
 * whole table), each an idempotent write whose {@code txnVersion} the journal records before the first
 * commit. A run killed between two tables' commits is rolled forward by the next run, which re-issues every
 * commit of the journal from the staged rows: Delta skips those already in a table's log (docs/DESIGN.md,
 * "Delta tables").
 */
public final class Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    private Publisher() {}

    /**
     * Completes a publish that a dead run left unfinished, then removes the staging, trash and checkpoints
     * that dead runs left behind. Call it holding the lock, before writing anything.
     *
     * @param conf Hadoop configuration
     * @param out the output directory
     * @return the id of the dead run whose publish this completed, or null when there was none
     */
    public static String recover(Configuration conf, OutputLayout out) {
        return recover(conf, null, out);
    }

    /**
     * {@link #recover(Configuration, OutputLayout)}, able to complete a publish of Delta tables: the jobs call
     * this one.
     *
     * @param spark the session (configured for Delta when the journal holds Delta commits)
     * @param out the output directory
     * @return the id of the dead run whose publish this completed, or null when there was none
     * @throws io.assetcost.run.InputException (exit 2) when the journal holds Delta commits and the session
     *     cannot write Delta tables
     */
    public static String recover(SparkSession spark, OutputLayout out) {
        return recover(spark.sparkContext().hadoopConfiguration(), spark, out);
    }

    private static String recover(Configuration conf, SparkSession spark, OutputLayout out) {
        Path journal = out.journal();
        String completed = null;
        try {
            FileSystem fs = journal.getFileSystem(conf);
            fs.delete(out.partialJournal(), false);
            JsonNode j = fs.exists(journal) ? readJournal(fs, journal) : null;
            if (j != null) {
                LOG.warn(
                        "completing the publish of run {}, which died while publishing",
                        j.path("run_id").asText());
                List<Swap> swaps = new ArrayList<>();
                for (JsonNode s : j.path("swaps")) {
                    swaps.add(new Swap(
                            new Path(s.get("live").asText()),
                            s.get("staged").isNull()
                                    ? null
                                    : new Path(s.get("staged").asText()),
                            new Path(s.get("trash").asText())));
                }
                List<Commit> commits = new ArrayList<>();
                for (JsonNode c : j.path("commits")) {
                    commits.add(new Commit(
                            OutputTable.valueOf(c.get("table").asText()),
                            new Path(c.get("live").asText()),
                            new Path(c.get("staged").asText()),
                            c.get("replace_where").isNull()
                                    ? null
                                    : c.get("replace_where").asText(),
                            c.get("txn_version").asLong(),
                            new Path(c.get("trash").asText())));
                }
                if (!commits.isEmpty()) {
                    if (spark == null) {
                        throw new IllegalStateException("the journal " + journal + " holds Delta commits");
                    }
                    DeltaTables.requireSession(
                            spark,
                            "completing the publish of Delta tables of run "
                                    + j.path("run_id").asText());
                    commit(spark, fs, commits);
                }
                apply(fs, swaps);
                completed = j.path("run_id").asText();
            }
            finish(fs, out);
            fs.delete(out.checkpointsRoot(), true);
            return completed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover the output " + out.root(), e);
        }
    }

    /**
     * One swap of a publish: the live directory (or file) to its trash, then the staged one in its place.
     *
     * @param live the live table, partition or file
     * @param staged what replaces it, or null to remove it
     * @param trash where the live one goes
     */
    private record Swap(Path live, Path staged, Path trash) {

        /**
         * The marker written once the live directory is in the trash (or there was none), before the staged one
         * moves in: from then on the live path holds nothing but staged files. On an object store a directory
         * rename is a copy of each file, so a run killed while moving the staged directory in leaves some files
         * at the live path and the rest still staged; the marker tells the next run to merge the rest in rather
         * than to take those files for the old table (docs/DESIGN.md, "On an object store").
         */
        Path moved() {
            return new Path(trash.getParent(), trash.getName() + MOVED);
        }
    }

    /** The suffix of a swap's marker ({@link Swap#moved}), beside its trash. */
    static final String MOVED = ".live-moved";

    /**
     * One Delta commit of a publish: the staged rows of a table into its live Delta table.
     *
     * @param table the table's contract
     * @param live the live table's directory
     * @param staged the staged Parquet directory the rows come from
     * @param replaceWhere the partitions replaced ({@link DeltaTables#replaceWhere}), or null for the whole table
     * @param txnVersion the idempotent write's version
     * @param trash where a live directory that is not yet a Delta table goes first (a full run converting it)
     */
    private record Commit(
            OutputTable table, Path live, Path staged, String replaceWhere, long txnVersion, Path trash) {}

    /**
     * Publishes the staged tables into Delta tables at the tables' paths, and the files beside them as {@link
     * #publishWhole} does: the journal first (every commit with its {@code txnVersion}, every file swap), then one
     * Delta commit per table, then the swaps. A table the run did not stage is removed as with Parquet. The
     * caller has checked, holding the lock, that a nightly window finds Delta tables (or none) to replace
     * partitions of.
     *
     * @param spark the session, configured for Delta ({@link DeltaTables#requireSession})
     * @param out the output directory
     * @param runId the run
     * @param tables the tables the run may stage (each under {@link OutputLayout#staging}, as Parquet)
     * @param window the partitions the run replaces (a full window: whole tables)
     * @param files names of files directly under the output directory, swapped in as by {@link #publishWhole}
     * @return each published table's new Delta version, by table name
     */
    public static Map<String, Long> publishDelta(
            SparkSession spark,
            OutputLayout out,
            String runId,
            List<OutputTable> tables,
            RunWindow window,
            List<String> files) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            FileSystem fs = out.journal().getFileSystem(conf);
            Plan plan = plan(fs, out, runId, tables, window, files, spark);
            writeJournal(fs, out, runId, plan.swaps(), plan.commits());
            commit(spark, fs, plan.commits());
            apply(fs, plan.swaps());
            Map<String, Long> versions = new LinkedHashMap<>();
            for (Commit c : plan.commits()) {
                versions.put(c.table().tableName(), DeltaTables.version(spark, c.live()));
            }
            finish(fs, out);
            return versions;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish run " + runId + " to " + out.root(), e);
        }
    }

    /** What a publish does, in the order it does it: the Delta commits (none for Parquet), then the swaps. */
    private record Plan(List<Swap> swaps, List<Commit> commits) {}

    /**
     * Plans a publish. Each table is one entry however often it is listed (focus_costs in two FOCUS versions).
     * With {@code delta} set, a staged table is one Delta commit (the window's partitions, or the whole table)
     * and a table the run did not stage is removed whole; with Parquet, a whole table (a full window, or an
     * unpartitioned table) is one swap and a partitioned table in a nightly window is one swap per partition
     * that the staged or the live table holds in the window. Every file is one swap.
     *
     * @param delta the session to read Delta versions with, or null to publish Parquet
     */
    private static Plan plan(
            FileSystem fs,
            OutputLayout out,
            String runId,
            List<OutputTable> tables,
            RunWindow window,
            List<String> files,
            SparkSession delta)
            throws IOException {
        Path staging = out.staging(runId);
        Path trash = out.trash(runId);
        List<Swap> swaps = new ArrayList<>();
        List<Commit> commits = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (OutputTable t : tables) {
            Path live = out.table(t);
            if (!seen.add(live)) {
                continue;
            }
            Path staged = out.staged(runId, t);
            Path tableTrash = new Path(trash, t.tableName());
            boolean isStaged = fs.exists(staged);
            if (delta != null && isStaged) {
                commits.add(new Commit(
                        t,
                        live,
                        staged,
                        DeltaTables.replaceWhere(t, window),
                        DeltaTables.version(delta, live) + 1,
                        tableTrash));
            } else if (delta != null || window.full() || t.partitionColumn() == null) {
                swaps.add(new Swap(live, isStaged ? staged : null, tableTrash));
            } else {
                TreeSet<String> partitions = new TreeSet<>();
                partitions.addAll(partitions(fs, staged, t.partitionColumn(), window));
                partitions.addAll(partitions(fs, live, t.partitionColumn(), window));
                fs.mkdirs(live);
                for (String p : partitions) {
                    Path s = new Path(staged, p);
                    swaps.add(new Swap(new Path(live, p), fs.exists(s) ? s : null, new Path(tableTrash, p)));
                }
            }
        }
        for (String name : new TreeSet<>(files)) {
            Path staged = new Path(staging, name);
            swaps.add(new Swap(new Path(out.root(), name), fs.exists(staged) ? staged : null, new Path(trash, name)));
        }
        return new Plan(swaps, commits);
    }

    /** After a publish: the journal, the trash and the staging go (runs are exclusive: nothing else is there). */
    private static void finish(FileSystem fs, OutputLayout out) throws IOException {
        fs.delete(out.journal(), false);
        fs.delete(out.trashRoot(), true);
        fs.delete(out.stagingRoot(), true);
    }

    /**
     * Issues each commit; one Delta already holds (its {@code txnVersion}) is skipped by Delta. A live directory
     * that is not a Delta table (a full run converting Parquet tables) is moved to the trash first.
     */
    private static void commit(SparkSession spark, FileSystem fs, List<Commit> commits) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        for (Commit c : commits) {
            if (fs.exists(c.live()) && !DeltaTables.isDelta(conf, c.live())) {
                fs.mkdirs(c.trash().getParent());
                fs.delete(c.trash(), true);
                if (!fs.rename(c.live(), c.trash())) {
                    throw new IOException("cannot move " + c.live() + " to " + c.trash());
                }
            }
            DeltaTables.write(
                    TableReader.read(spark, c.staged(), c.table()),
                    c.live(),
                    c.table(),
                    c.replaceWhere(),
                    c.txnVersion());
        }
    }

    /**
     * Swaps the staged tables in.
     *
     * @param conf Hadoop configuration
     * @param out the output directory
     * @param runId the run
     * @param tables the tables the run staged (each under {@link OutputLayout#staging})
     * @param window the partitions the run replaces (every partition for a full run)
     */
    public static void publish(
            Configuration conf, OutputLayout out, String runId, List<OutputTable> tables, RunWindow window) {
        publish(conf, out, runId, tables, window, List.of());
    }

    /**
     * Swaps the staged tables in whole, and with them the files beside them, in one journalled publish: the
     * month close's and the forecast's tables, their CSV files and the month close's page are replaced
     * together or not at all (README, "Exit codes"), so a reader never sees this month's tables beside last
     * month's CSV files. A table or file the run did not stage is removed (an earlier run's {@code
     * log_coverage} when this one ran without {@code --usage-api}).
     *
     * @param conf Hadoop configuration
     * @param out the output directory
     * @param runId the run
     * @param tables the tables the run may stage (each under {@link OutputLayout#staging}); two entries of one
     *     table name (focus_costs in two FOCUS versions) are one table
     * @param files names of files directly under the output directory (a CSV file, a page), each staged under
     *     the same name in {@link OutputLayout#staging}
     */
    public static void publishWhole(
            Configuration conf, OutputLayout out, String runId, List<OutputTable> tables, List<String> files) {
        publish(conf, out, runId, tables, new RunWindow(true, null, 0), files);
    }

    private static void publish(
            Configuration conf,
            OutputLayout out,
            String runId,
            List<OutputTable> tables,
            RunWindow window,
            List<String> files) {
        try {
            FileSystem fs = out.journal().getFileSystem(conf);
            Plan plan = plan(fs, out, runId, tables, window, files, null);
            writeJournal(fs, out, runId, plan.swaps(), List.of());
            apply(fs, plan.swaps());
            finish(fs, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish run " + runId + " to " + out.root(), e);
        }
    }

    /** Partition directories {@code col=YYYY-MM-DD} of a table that the window replaces. */
    private static List<String> partitions(FileSystem fs, Path table, String column, RunWindow window)
            throws IOException {
        List<String> out = new ArrayList<>();
        if (!fs.exists(table)) {
            return out;
        }
        for (FileStatus st : fs.listStatus(table)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.startsWith(column + "=")) {
                String value = name.substring(column.length() + 1);
                if (value.matches("\\d{4}-\\d{2}-\\d{2}") && window.replaces(LocalDate.parse(value))) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    private static void apply(FileSystem fs, List<Swap> swaps) throws IOException {
        for (Swap s : swaps) {
            if (s.staged() != null && !fs.exists(s.staged())) {
                continue; // already swapped in
            }
            if (s.staged() != null && fs.exists(s.moved())) {
                // A run died moving the staged directory in: what is live came from it.
                LOG.warn("completing the move of {} into {}: a run died while moving it in", s.staged(), s.live());
                mergeInto(fs, s.staged(), s.live());
                continue;
            }
            if (fs.exists(s.live())) {
                fs.mkdirs(s.trash().getParent());
                fs.delete(s.trash(), true);
                if (!fs.rename(s.live(), s.trash())) {
                    throw new IOException("cannot move " + s.live() + " to " + s.trash());
                }
            }
            if (s.staged() != null) {
                fs.mkdirs(s.trash().getParent());
                fs.create(s.moved(), true).close();
                fs.mkdirs(s.live().getParent());
                if (!fs.rename(s.staged(), s.live())) {
                    throw new IOException("cannot move " + s.staged() + " to " + s.live());
                }
            }
        }
    }

    /**
     * Moves what is left of a staged directory (or file) into the live one, replacing a live file of the same
     * relative path (a copy whose source was not yet deleted when the run died), then removes the staged directory.
     * A staged directory with no counterpart at the live path moves whole; on a file system whose rename is atomic
     * the live path is absent here and this is one rename. Run again after a kill inside it, it goes on where it
     * stopped.
     */
    private static void mergeInto(FileSystem fs, Path staged, Path live) throws IOException {
        if (!fs.exists(live) || fs.getFileStatus(staged).isFile()) {
            fs.delete(live, true);
            fs.mkdirs(live.getParent());
            if (!fs.rename(staged, live)) {
                throw new IOException("cannot move " + staged + " to " + live);
            }
            return;
        }
        for (FileStatus child : fs.listStatus(staged)) {
            mergeInto(fs, child.getPath(), new Path(live, child.getPath().getName()));
        }
        fs.delete(staged, true);
    }

    /**
     * The journal, or null for one that is not whole JSON (deleted: a journal is whole before any swap, so
     * such a file means nothing moved).
     */
    private static JsonNode readJournal(FileSystem fs, Path journal) throws IOException {
        try (InputStream in = fs.open(journal)) {
            JsonNode j = new ObjectMapper().readTree(in);
            if (j != null && j.path("swaps").isArray()) {
                return j;
            }
        } catch (JsonProcessingException e) {
            // handled below
        }
        LOG.warn("removing {}: a journal cut short while it was written; no table had been moved", journal);
        fs.delete(journal, false);
        return null;
    }

    private static void writeJournal(
            FileSystem fs, OutputLayout out, String runId, List<Swap> swaps, List<Commit> commits) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("run_id", runId);
        List<Map<String, String>> list = new ArrayList<>();
        for (Swap s : swaps) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("live", s.live().toString());
            m.put("staged", s.staged() == null ? null : s.staged().toString());
            m.put("trash", s.trash().toString());
            list.add(m);
        }
        j.put("swaps", list);
        if (!commits.isEmpty()) {
            List<Map<String, Object>> cs = new ArrayList<>();
            for (Commit c : commits) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", c.table().name());
                m.put("live", c.live().toString());
                m.put("staged", c.staged().toString());
                m.put("replace_where", c.replaceWhere());
                m.put("txn_app_id", DeltaTables.TXN_APP_ID);
                m.put("txn_version", c.txnVersion());
                m.put("trash", c.trash().toString());
                cs.add(m);
            }
            j.put("commits", cs);
        }
        try (OutputStream os = fs.create(out.partialJournal(), true)) {
            os.write(new ObjectMapper().writeValueAsBytes(j));
        }
        if (!fs.rename(out.partialJournal(), out.journal())) {
            throw new IOException("cannot move " + out.partialJournal() + " to " + out.journal());
        }
    }
}
