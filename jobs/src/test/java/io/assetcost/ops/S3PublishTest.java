package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.schema.OutputTable;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publish on an S3-compatible store (S3Proxy through s3a), no Spark: a publish swaps in and leaves nothing of
 * its own, and a whole-table swap cut in the middle of either move is completed whole by the next run ({@link
 * SplitSwaps}).
 */
class S3PublishTest {

    @RegisterExtension
    static final S3Store STORE = new S3Store();

    private static Configuration conf() {
        return STORE.configure(new Configuration());
    }

    @Test
    void aWholeTableSwapOnTheStoreLeavesTheStagedTableAndNoMarker() throws Exception {
        OutputLayout out = new OutputLayout(STORE.uri("whole/out"));
        FileSystem fs = STORE.fileSystem();
        OutputTable t = OutputTable.ATTEMPT_CAP;
        try (var os = fs.create(new Path(out.table(t), "part-0"))) {
            os.write('o');
        }
        try (var os = fs.create(new Path(out.staged("run-1", t), "part-1"))) {
            os.write('n');
        }

        Publisher.publish(conf(), out, "run-1", List.of(t), new RunWindow(true, null, 0));

        assertThat(SplitSwaps.contents(fs, out.table(t))).containsOnlyKeys("part-1");
        assertThat(fs.exists(out.trashRoot())).as("the trash and its markers").isFalse();
        assertThat(fs.exists(out.journal())).isFalse();
    }

    @Test
    void aTableCutWhileMovingInIsMergedWhole() throws Exception {
        SplitSwaps.cutWhileMovingIn(conf(), STORE.uri("in/out"));
    }

    @Test
    void aTableCutWhileMovingToTheTrashIsReplacedWhole() throws Exception {
        SplitSwaps.cutWhileMovingToTheTrash(conf(), STORE.uri("trash/out"));
    }
}
