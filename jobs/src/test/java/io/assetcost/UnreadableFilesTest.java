package io.assetcost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Files that cannot be read at all: by default the run stops with exit 2 and one line naming the file,
 * nothing written; with {@code --on-unreadable-file quarantine} it leaves them out, lists them in quarantine
 * and the run summary, and exits 3.
 */
class UnreadableFilesTest extends SparkTestBase {

    private record Outcome(int code, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                args,
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    /** A usage directory with one good file and one bad one; the acceptance directory of the same requests. */
    private static Path inputs(String badName, byte[] badBytes) throws Exception {
        Path dir = tempDir("unreadable");
        Path usage = Files.createDirectories(dir.resolve("usage"));
        Files.writeString(
                usage.resolve("good.jsonl"),
                line("u_good", "2026-11-02T10:00:00Z", "gpt-image-2", "default", 500, 0, 0, 0, 4160, 0) + "\n");
        Files.write(usage.resolve(badName), badBytes);
        Path acceptance = Files.createDirectories(dir.resolve("acceptance"));
        Files.writeString(
                acceptance.resolve("decisions.csv"),
                "request_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\n"
                        + "u_good,0,,,approved,2026-11-02T12:00:00Z,rev,\n");
        return dir;
    }

    private static String[] args(Path dir, String... extra) {
        String[] base = {
            "--usage", dir.resolve("usage").toString(),
            "--acceptance", dir.resolve("acceptance").toString(),
            "--out", dir.resolve("out").toString(),
            "--full"
        };
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void aParquetFileThatIsNotParquetStopsTheRunWithOneLineAndNothingWritten() throws Exception {
        Path dir = inputs("export.parquet", "this is not parquet".getBytes(StandardCharsets.UTF_8));
        Outcome o = run(args(dir));
        assertThat(o.code()).as(o.err()).isEqualTo(2);
        assertThat(o.err().strip().lines().count()).as(o.err()).isEqualTo(1);
        assertThat(o.err()).contains("export.parquet", "cannot be read", "--on-unreadable-file quarantine");
        assertThat(Files.exists(dir.resolve("out/run_summary.json")))
                .as("nothing written")
                .isFalse();
    }

    @Test
    void aTruncatedGzipStopsTheRunNamingIt() throws Exception {
        byte[] whole = gzip((line("u_gz", "2026-11-02T10:00:00Z", "gpt-image-2", "default", 5, 0, 0, 0, 4160, 0) + "\n")
                .repeat(200));
        Path dir = inputs("day.jsonl.gz", Arrays.copyOf(whole, whole.length / 2));
        Outcome o = run(args(dir));
        assertThat(o.code()).as(o.err()).isEqualTo(2);
        assertThat(o.err().strip().lines().count()).as(o.err()).isEqualTo(1);
        assertThat(o.err()).contains("day.jsonl.gz", "cannot be read");
        assertThat(Files.exists(dir.resolve("out/run_summary.json")))
                .as("nothing written")
                .isFalse();
    }

    @Test
    void withQuarantineTheRunGoesOnListsTheFilesAndExitsThree() throws Exception {
        Path dir = inputs("export.parquet", "this is not parquet".getBytes(StandardCharsets.UTF_8));
        Files.write(
                dir.resolve("usage/mislabelled.csv.gz"), "request_id,created_at\n".getBytes(StandardCharsets.UTF_8));
        byte[] decisions = gzip("request_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\n"
                + "u_good,0,,,approved,2026-11-02T12:00:00Z,rev,second opinion\n".repeat(300));
        Files.write(dir.resolve("acceptance/more.csv.gz"), Arrays.copyOf(decisions, decisions.length / 2));
        Outcome o = run(args(dir, "--on-unreadable-file", "quarantine"));
        assertThat(o.code()).as(o.err()).isEqualTo(3);
        assertThat(o.err()).contains("3 unreadable file(s) left out");
        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve("out/run_summary.json").toFile());
        assertThat(summary.get("unreadable_files").findValuesAsText("file"))
                .hasSize(3)
                .anyMatch(f -> f.endsWith("export.parquet"))
                .anyMatch(f -> f.endsWith("mislabelled.csv.gz"))
                .anyMatch(f -> f.endsWith("more.csv.gz"));
        assertThat(summary.get("inputs").get("usage").get("priced").asLong())
                .as("the good file is priced")
                .isEqualTo(1);
        String quarantine = Files.readString(dir.resolve("out/quarantine.csv"));
        assertThat(quarantine.lines().filter(l -> l.startsWith("file,unreadable_file,")))
                .hasSize(3);
        for (JsonNode check : summary.get("invariants")) {
            assertThat(check.get("passed").asBoolean()).as(check.toString()).isTrue();
        }
    }
}
