package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.schema.OutputTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publish journal on the local file system: a publish leaves no journal, and the next run's recovery
 * completes a whole journal and sets aside one that was being written when its run was killed, leaving the
 * published tables as they were (the kill test, {@code scripts/kill-test.sh}, does the same with real kills).
 */
class PublisherTest {

    private static final Configuration CONF = new Configuration();
    private static final OutputTable TABLE = OutputTable.ASSET_COSTS;

    @TempDir
    Path dir;

    private OutputLayout layout() {
        return new OutputLayout(dir.toUri().toString());
    }

    private Path live() {
        return dir.resolve(TABLE.tableName());
    }

    private void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void aPublishSwapsInTheStagedTableAndFileAndLeavesNoJournal() throws Exception {
        write(live().resolve("part-0.parquet"), "old");
        write(dir.resolve("_staging/run-2").resolve(TABLE.tableName()).resolve("part-0.parquet"), "new");
        write(dir.resolve("_staging/run-2/report.html"), "<p>new</p>");

        Publisher.publishWhole(CONF, layout(), "run-2", List.of(TABLE), List.of("report.html"));

        assertThat(Files.readString(live().resolve("part-0.parquet"))).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("report.html"))).isEqualTo("<p>new</p>");
        assertThat(dir.resolve(OutputLayout.JOURNAL)).doesNotExist();
        assertThat(dir.resolve(OutputLayout.PARTIAL_JOURNAL)).doesNotExist();
        assertThat(dir.resolve(OutputLayout.STAGING)).doesNotExist();
        assertThat(dir.resolve(OutputLayout.TRASH)).doesNotExist();
    }

    @Test
    void aJournalKilledWhileBeingWrittenLeavesThePublishedTablesAlone() throws Exception {
        write(live().resolve("part-0.parquet"), "published");
        write(dir.resolve("_staging/run-3").resolve(TABLE.tableName()).resolve("part-0.parquet"), "staged");
        write(dir.resolve(OutputLayout.PARTIAL_JOURNAL), "{\"run_id\":\"run-3\",\"swaps\":[{\"live\":");

        assertThat(Publisher.recover(CONF, layout()))
                .as("no publish to complete")
                .isNull();

        assertThat(Files.readString(live().resolve("part-0.parquet"))).isEqualTo("published");
        assertThat(dir.resolve(OutputLayout.PARTIAL_JOURNAL)).doesNotExist();
        assertThat(dir.resolve(OutputLayout.STAGING))
                .as("a dead run's staging is cleared")
                .doesNotExist();
    }

    @Test
    void aJournalCutShortByAnOlderBuildIsRemovedNotFollowed() throws Exception {
        write(live().resolve("part-0.parquet"), "published");
        write(dir.resolve(OutputLayout.JOURNAL), "{\"run_id\":\"run-4\",\"swa");

        assertThat(Publisher.recover(CONF, layout())).isNull();

        assertThat(Files.readString(live().resolve("part-0.parquet"))).isEqualTo("published");
        assertThat(dir.resolve(OutputLayout.JOURNAL)).doesNotExist();
    }

    @Test
    void aWholeJournalIsCompletedByTheNextRun() throws Exception {
        // The dead run had moved the live table to its trash and died before moving the staged one in.
        Path staged = dir.resolve("_staging/run-5").resolve(TABLE.tableName());
        Path trash = dir.resolve("_trash/run-5").resolve(TABLE.tableName());
        write(staged.resolve("part-0.parquet"), "staged");
        write(trash.resolve("part-0.parquet"), "replaced");
        write(
                dir.resolve(OutputLayout.JOURNAL),
                "{\"run_id\":\"run-5\",\"swaps\":[{\"live\":\"" + live().toUri() + "\",\"staged\":\"" + staged.toUri()
                        + "\",\"trash\":\"" + trash.toUri() + "\"}]}");

        assertThat(Publisher.recover(CONF, layout())).isEqualTo("run-5");

        assertThat(Files.readString(live().resolve("part-0.parquet"))).isEqualTo("staged");
        assertThat(dir.resolve(OutputLayout.JOURNAL)).doesNotExist();
        assertThat(dir.resolve(OutputLayout.TRASH)).doesNotExist();
    }

    @Test
    void aTableCutWhileMovingInIsMergedWholeNotSetAside() throws Exception {
        SplitSwaps.cutWhileMovingIn(CONF, dir.toUri().toString());
    }

    @Test
    void aTableCutWhileMovingToTheTrashIsReplacedWhole() throws Exception {
        SplitSwaps.cutWhileMovingToTheTrash(CONF, dir.toUri().toString());
    }

    @Test
    void theMarkerIsWrittenOnlyOnceTheLiveTableIsInTheTrashAndBeforeTheStagedOneMovesIn() throws Exception {
        write(live().resolve("part-0.parquet"), "old");
        write(dir.resolve("_staging/run-8").resolve(TABLE.tableName()).resolve("part-1.parquet"), "new");
        java.nio.file.Path trash = dir.resolve("_trash/run-8").resolve(TABLE.tableName());
        java.nio.file.Path marker = trash.resolveSibling(TABLE.tableName() + Publisher.MOVED);
        try {
            FailingRenames.failFrom = "/" + TABLE.tableName();
            assertThatThrownBy(() ->
                            Publisher.publishWhole(FailingRenames.conf(), layout(), "run-8", List.of(TABLE), List.of()))
                    .rootCause()
                    .hasMessageStartingWith("killed before moving");
            assertThat(Files.readString(live().resolve("part-0.parquet"))).isEqualTo("old");
            assertThat(marker).as("killed moving the live table out: no marker").doesNotExist();

            FailingRenames.failFrom = "/_staging/";
            assertThatThrownBy(() ->
                            Publisher.publishWhole(FailingRenames.conf(), layout(), "run-8", List.of(TABLE), List.of()))
                    .rootCause()
                    .hasMessageStartingWith("killed before moving");
            assertThat(live()).as("the live table is in the trash").doesNotExist();
            assertThat(Files.readString(trash.resolve("part-0.parquet"))).isEqualTo("old");
            assertThat(marker)
                    .as("killed moving the staged table in: the marker")
                    .exists();
        } finally {
            FailingRenames.failFrom = null;
        }

        assertThat(Publisher.recover(CONF, layout())).isEqualTo("run-8");
        assertThat(live().resolve("part-0.parquet")).doesNotExist();
        assertThat(Files.readString(live().resolve("part-1.parquet"))).isEqualTo("new");
    }
}
