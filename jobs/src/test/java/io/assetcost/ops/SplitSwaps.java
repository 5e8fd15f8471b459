package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.schema.OutputTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * A whole-table swap cut in the middle of one of its two moves, as a kill leaves it on an object store, where a
 * directory rename is a copy of each file and a delete (docs/DESIGN.md, "On an object store"); then the next run's
 * recovery. Built file by file, so the same cases run on the local file system ({@link PublisherTest}) and on the
 * S3-compatible store ({@link S3PublishTest}).
 */
final class SplitSwaps {

    private static final OutputTable TABLE = OutputTable.ASSET_COSTS;
    private static final String DAY1 = "cohort_date=2026-11-01/";
    private static final String DAY2 = "cohort_date=2026-11-02/";

    private SplitSwaps() {}

    private static void write(FileSystem fs, Path p, String text) throws IOException {
        try (OutputStream os = fs.create(p, true)) {
            os.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Every file under {@code dir}, by its path relative to it, with its text. */
    static Map<String, String> contents(FileSystem fs, Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        String root = fs.makeQualified(dir).toUri().getPath();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            Path f = it.next().getPath();
            try (InputStream in = fs.open(f)) {
                out.put(
                        f.toUri().getPath().substring(root.length() + 1),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private record Paths(FileSystem fs, OutputLayout out, Path live, Path staged, Path trash) {}

    private static Paths paths(Configuration conf, String root, String runId) throws IOException {
        OutputLayout out = new OutputLayout(root);
        Path live = out.table(TABLE);
        return new Paths(
                live.getFileSystem(conf),
                out,
                live,
                out.staged(runId, TABLE),
                new Path(out.trash(runId), TABLE.tableName()));
    }

    private static void journal(Paths p, String runId) throws IOException {
        Map<String, Object> j = Map.of(
                "run_id",
                runId,
                "swaps",
                List.of(Map.of(
                        "live", p.live().toString(),
                        "staged", p.staged().toString(),
                        "trash", p.trash().toString())));
        write(p.fs(), p.out().journal(), new ObjectMapper().writeValueAsString(j));
    }

    private static void assertRecovered(Configuration conf, Paths p, String runId) throws IOException {
        assertThat(Publisher.recover(conf, p.out())).isEqualTo(runId);
        assertThat(contents(p.fs(), p.live()))
                .as("the staged table, whole, and nothing of the old one")
                .isEqualTo(Map.of(DAY1 + "part-0", "new-0", DAY1 + "part-1", "new-1", DAY2 + "part-2", "new-2"));
        for (Path gone : List.of(p.out().journal(), p.out().trashRoot(), p.out().stagingRoot())) {
            assertThat(p.fs().exists(gone)).as(gone.toString()).isFalse();
        }
    }

    /**
     * Killed while the staged table moved in: the old table is in the trash and its marker written; part-0 has
     * moved, part-1 was copied but its staged source not yet deleted, part-2 is still staged only. Before the marker
     * the next run took the moved files for the old table, set them aside with it and published part-1 and part-2
     * alone.
     */
    static void cutWhileMovingIn(Configuration conf, String root) throws IOException {
        String runId = "run-6";
        Paths p = paths(conf, root, runId);
        write(p.fs(), new Path(p.trash(), DAY1 + "part-0"), "old-0");
        write(p.fs(), new Path(p.trash(), DAY1 + "part-1"), "old-1");
        write(p.fs(), new Path(p.trash().getParent(), p.trash().getName() + Publisher.MOVED), "");
        write(p.fs(), new Path(p.live(), DAY1 + "part-0"), "new-0");
        write(p.fs(), new Path(p.live(), DAY1 + "part-1"), "new-1");
        write(p.fs(), new Path(p.staged(), DAY1 + "part-1"), "new-1");
        write(p.fs(), new Path(p.staged(), DAY2 + "part-2"), "new-2");
        journal(p, runId);
        assertRecovered(conf, p, runId);
    }

    /**
     * Killed while the live table moved to the trash: part-0 of the old table is in the trash, part-1 still live, no
     * marker; the staged table is whole. The swap is finished as planned: the new table, whole.
     */
    static void cutWhileMovingToTheTrash(Configuration conf, String root) throws IOException {
        String runId = "run-7";
        Paths p = paths(conf, root, runId);
        write(p.fs(), new Path(p.trash(), DAY1 + "part-0"), "old-0");
        write(p.fs(), new Path(p.live(), DAY1 + "part-1"), "old-1");
        write(p.fs(), new Path(p.staged(), DAY1 + "part-0"), "new-0");
        write(p.fs(), new Path(p.staged(), DAY1 + "part-1"), "new-1");
        write(p.fs(), new Path(p.staged(), DAY2 + "part-2"), "new-2");
        journal(p, runId);
        assertRecovered(conf, p, runId);
    }
}
