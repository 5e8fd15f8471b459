package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kill test on an S3-compatible store ({@link S3Store}), as {@code scripts/kill-test.sh} does it on the local file
 * system: a nightly run in a child JVM (the store stays in this one) is killed with SIGKILL while it writes, and
 * another while it publishes. Killed while writing, it leaves the published tables byte for byte as they were; killed
 * while publishing, it leaves its journal, and the next run completes that publish. Either way the next run takes over
 * the dead run's lock, records it, clears its staging and writes the same tables as a clean run.
 *
 * <p>{@link #formatArgs} is the one place a subclass changes to run the same test on another table format.
 */
// Off unless -Dassetcost.s3=true, for CI's time: on a quiet 2-core machine S3StoreRunTest passed in about 4 minutes
// and S3KillTest in 9 (2026-12-07); the Delta subclasses had not yet been run to their end.
@EnabledIfSystemProperty(named = "assetcost.s3", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3KillTest extends SparkTestBase {

    @RegisterExtension
    static final S3Store STORE = new S3Store();

    private String usage;
    private String acceptance;
    private JsonNode cleanFingerprints;

    /** The job options that choose the table format ({@code --table-format}); none: the default, Parquet. */
    List<String> formatArgs() {
        return List.of();
    }

    /** Settings the format needs on the session (Delta's extension and catalog); none for Parquet. */
    java.util.Map<String, String> sessionSettings() {
        return java.util.Map.of();
    }

    private List<String> args(String outKey, String... extra) {
        List<String> args =
                new ArrayList<>(List.of("--usage", usage, "--acceptance", acceptance, "--out", STORE.uri(outKey)));
        args.addAll(List.of(extra));
        args.addAll(formatArgs());
        return args;
    }

    private S3StoreRunTest.Outcome run(String outKey, String... extra) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                args(outKey, extra).toArray(new String[0]),
                System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                spark);
        return new S3StoreRunTest.Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    /** The job in a JVM of its own, on the test's class path, reaching the store through the same settings. */
    private Process child(String outKey, java.nio.file.Path log, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of(System.getProperty("spark.module.options").trim().split("\\s+")));
        cmd.addAll(List.of(
                "-Xmx1g",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dspark.master=local[2]",
                "-Dspark.ui.enabled=false",
                "-Dspark.driver.host=127.0.0.1",
                "-Dspark.sql.shuffle.partitions=2"));
        cmd.addAll(STORE.sparkJavaOptions());
        sessionSettings().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CostJob.class.getName()));
        cmd.addAll(args(outKey, extra));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    @BeforeAll
    void sampleDataOnTheStore() throws Exception {
        if (!sessionSettings().isEmpty()) {
            spark.stop();
            spark = localSession(sessionSettings());
        }
        STORE.configure(spark.sparkContext().hadoopConfiguration());
        usage = STORE.upload(repoRoot().resolve("sample-data/usage"), "sample/usage");
        acceptance = STORE.upload(repoRoot().resolve("sample-data/acceptance"), "sample/acceptance");
        S3StoreRunTest.Outcome clean = run("clean", "--full");
        assertThat(clean.code()).as(clean.err()).isZero();
        S3StoreRunTest.Outcome night = run("clean", "--run-date", S3StoreRunTest.NIGHT);
        assertThat(night.code()).as(night.err()).isZero();
        cleanFingerprints = summary("clean").get("table_fingerprints");
    }

    private static JsonNode summary(String outKey) throws Exception {
        try (InputStream in = STORE.fileSystem().open(new Path(STORE.uri(outKey + "/" + OutputLayout.RUN_SUMMARY)))) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Every published table file of the data tables: path under the output to SHA-256 of its bytes. */
    private static Map<String, String> snapshot(String outKey) throws Exception {
        FileSystem fs = STORE.fileSystem();
        Map<String, String> out = new TreeMap<>();
        for (String t : S3StoreRunTest.DATA_TABLES) {
            Path table = new Path(STORE.uri(outKey + "/" + t));
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(table, true);
            while (files.hasNext()) {
                Path p = files.next().getPath();
                try (InputStream in = fs.open(p)) {
                    out.put(
                            t + p.toString().substring(table.toString().length()),
                            HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
                }
            }
        }
        return out;
    }

    private static boolean exists(String pattern) {
        try {
            var found = STORE.fileSystem().globStatus(new Path(STORE.uri(pattern)));
            return found != null && found.length > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Kills the child with SIGKILL as soon as {@code when} holds; fails when the child ended first. */
    private static void killWhen(Process child, BooleanSupplier when, java.nio.file.Path log) throws Exception {
        while (!when.getAsBoolean()) {
            assertThat(child.isAlive())
                    .as("the run ended before it could be killed: " + java.nio.file.Files.readString(log))
                    .isTrue();
            Thread.sleep(20);
        }
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }

    private String lockHolder(String outKey) throws Exception {
        try (InputStream in = STORE.fileSystem().open(new Path(STORE.uri(outKey + "/" + OutputLayout.LOCK)))) {
            return new ObjectMapper().readTree(in).path("run_id").asText();
        }
    }

    /** The run after a killed one takes over its lock, records it, clears up and writes the clean tables. */
    private void nextRunRecovers(String outKey, String killed, boolean publishCompleted) throws Exception {
        S3StoreRunTest.Outcome next = run(outKey, "--run-date", S3StoreRunTest.NIGHT);
        assertThat(next.code()).as(next.err()).isZero();
        JsonNode s = summary(outKey);
        assertThat(s.get("lock_taken_over").get("run_id").asText()).isEqualTo(killed);
        assertThat(s.get("lock_taken_over").get("why").asText()).isEqualTo("its process is gone");
        assertThat(s.get("lock_taken_over").get("publish_completed_by_next_run").asBoolean())
                .isEqualTo(publishCompleted);
        assertThat(s.get("table_fingerprints")).isEqualTo(cleanFingerprints);
        assertThat(STORE.fileSystem().exists(new Path(STORE.uri(outKey + "/_runs/" + killed + ".json"))))
                .as("the dead run's record")
                .isTrue();
        S3StoreRunTest.assertNoRunLeftoversOn(STORE, outKey);
    }

    @Test
    void aRunKilledWhileWritingLeavesThePublishedTablesByteForByte() throws Exception {
        assertThat(run("write", "--full").code()).isZero();
        Map<String, String> before = snapshot("write");
        java.nio.file.Path log = tempDir("kill-write").resolve("child.log");
        Process child = child("write", log, "--run-date", S3StoreRunTest.NIGHT);
        killWhen(child, () -> exists("write/_staging/*/request_costs/*/*.parquet"), log);

        assertThat(exists("write/" + OutputLayout.LOCK))
                .as("the dead run's lock")
                .isTrue();
        assertThat(exists("write/_staging/*")).as("its staging").isTrue();
        assertThat(exists("write/" + OutputLayout.JOURNAL))
                .as("it never began to publish")
                .isFalse();
        assertThat(snapshot("write")).as("published tables, byte for byte").isEqualTo(before);
        nextRunRecovers("write", lockHolder("write"), false);
    }

    @Test
    void aRunKilledWhilePublishingIsCompletedByTheNextRun() throws Exception {
        assertThat(run("publish", "--full").code()).isZero();
        java.nio.file.Path log = tempDir("kill-publish").resolve("child.log");
        Process child = child("publish", log, "--run-date", S3StoreRunTest.NIGHT);
        killWhen(child, () -> exists("publish/" + OutputLayout.JOURNAL), log);

        assertThat(exists("publish/" + OutputLayout.JOURNAL))
                .as("killed in the middle of its publish: the journal is left")
                .isTrue();
        nextRunRecovers("publish", lockHolder("publish"), true);
    }
}
