package io.assetcost;

import static org.apache.spark.sql.functions.lit;

import io.assetcost.io.UsageReader;
import io.assetcost.run.SparkSettings;
import io.assetcost.schema.Cols;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One local SparkSession per test class (local[2], two shuffle partitions, UI off, UTC session zone, the
 * job's SQL settings), and fixtures that build inputs in memory. Surefire runs the JVM in
 * Pacific/Kiritimati (UTC+14) so that nothing may lean on the default zone.
 */
public abstract class SparkTestBase {

    /**
     * The session settings and the job option of Delta tables, in one place for every test that runs the jobs
     * with {@code --table-format delta}: a class restarts {@link #spark} with {@code localSession(DELTA_SESSION)}
     * and adds {@link #DELTA_OPTION} to the jobs' arguments.
     */
    public static final java.util.Map<String, String> DELTA_SESSION = io.assetcost.ops.DeltaTables.sessionSettings();

    /** The jobs' option for Delta tables. */
    public static final String[] DELTA_OPTION = {"--table-format", "delta"};

    /** The class's session. */
    protected static SparkSession spark;

    @BeforeAll
    static void startSpark() throws Exception {
        spark = localSession();
    }

    /**
     * A local session as every test class has one: local[2], two shuffle partitions, UI off, UTC session
     * zone, the job's SQL settings; the active one if a session is running.
     *
     * @return the session
     * @throws java.io.IOException when the scratch directory cannot be made
     */
    public static SparkSession localSession() throws java.io.IOException {
        return localSession(java.util.Map.of());
    }

    /**
     * {@link #localSession()} with static settings of its own, for a test class that needs Delta Lake's
     * ({@link #DELTA_SESSION}): it stops the class's session and starts this one.
     *
     * @param settings settings given to the builder
     * @return the session
     * @throws java.io.IOException when the scratch directory cannot be made
     */
    public static SparkSession localSession(java.util.Map<String, String> settings) throws java.io.IOException {
        Path local = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "spark-local"));
        SparkSession.Builder builder = SparkSettings.apply(SparkSession.builder());
        settings.forEach(builder::config);
        SparkSession session = builder.master("local[2]")
                .appName("assetcost-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.local.dir", local.toString())
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
        SparkSettings.apply(session);
        return session;
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
    }

    /** Canonical usage rows parsed from JSON lines by the real reader. */
    protected static Dataset<Row> usageLines(String... lines) {
        return UsageReader.fromJsonLines(spark.createDataset(List.of(lines), Encoders.STRING())
                .toDF(Cols.RAW_RECORD)
                .withColumn(Cols.SOURCE_FILE, lit("memory.jsonl")));
    }

    /** Unix seconds of an ISO-8601 instant. */
    protected static long epoch(String iso) {
        return java.time.Instant.parse(iso).getEpochSecond();
    }

    /**
     * One usage log line: a succeeded request with the given tokens (all counts in tokens).
     *
     * @param id request_id
     * @param createdIso created, ISO-8601 UTC
     * @param model model
     * @param tier service tier
     * @param text text input tokens (cached included)
     * @param cachedText cached text tokens
     * @param image image input tokens (cached included)
     * @param cachedImage cached image tokens
     * @param outImage image output tokens
     * @param outText text output tokens
     */
    protected static String line(
            String id,
            String createdIso,
            String model,
            String tier,
            long text,
            long cachedText,
            long image,
            long cachedImage,
            long outImage,
            long outText) {
        return String.format(
                Locale.ROOT,
                "{\"request_id\":\"%s\",\"created\":%d,\"project_id\":\"proj_t\",\"workflow_id\":\"wf\","
                        + "\"asset_id\":\"a-%s\",\"model\":\"%s\",\"endpoint\":\"images.generations\","
                        + "\"service_tier\":\"%s\",\"status\":\"succeeded\",\"n\":1,"
                        + "\"usage\":{\"input_tokens\":%d,\"total_tokens\":%d,\"output_tokens\":%d,"
                        + "\"input_tokens_details\":{\"text_tokens\":%d,\"image_tokens\":%d},"
                        + "\"output_tokens_details\":{\"image_tokens\":%d,\"text_tokens\":%d}},"
                        + "\"input_cached_text_tokens\":%d,\"input_cached_image_tokens\":%d}",
                id,
                epoch(createdIso),
                id,
                model,
                tier,
                text + image,
                text + image + outImage + outText,
                outImage + outText,
                text,
                image,
                outImage,
                outText,
                cachedText,
                cachedImage);
    }

    /** A fresh directory under the test temp dir. */
    protected static Path tempDir(String prefix) throws Exception {
        Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        return Files.createTempDirectory(base, prefix);
    }

    /**
     * What a job has published in {@code dir}, relative path to bytes: every table's files, the CSV files and the
     * report; not the run's own records ({@code summary}, and {@code _runs/}, {@code _staging/} and the lock, whose
     * names start with an underscore), which say what the last run did.
     *
     * @param dir the job's {@code --out}
     * @param summary the file name of the job's summary ({@code run_summary.json}, {@code reconcile_summary.json})
     * @return the files in path order
     * @throws java.io.IOException when a file cannot be read
     */
    protected static java.util.Map<String, byte[]> publishedFiles(Path dir, String summary) throws java.io.IOException {
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString();
                if (!rel.startsWith("_") && !rel.equals(summary)) {
                    files.put(rel, Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    /**
     * Asserts that {@code after} holds the same files as {@code before}, each byte for byte, naming the first that
     * differs.
     *
     * @param before {@link #publishedFiles} before a run
     * @param after {@link #publishedFiles} after it
     */
    protected static void assertSameFiles(java.util.Map<String, byte[]> before, java.util.Map<String, byte[]> after) {
        org.assertj.core.api.Assertions.assertThat(after.keySet())
                .as("the same files")
                .isEqualTo(before.keySet());
        before.forEach((name, bytes) -> org.assertj.core.api.Assertions.assertThat(after.get(name))
                .as(name + " unchanged")
                .isEqualTo(bytes));
    }

    /** The repository root (set by surefire). */
    public static Path repoRoot() {
        return Path.of(System.getProperty("assetcost.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    /** Job arguments for a full run on the shipped sample data into {@code out}, then {@code extra}. */
    protected static String[] sampleArgs(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--usage",
                repoRoot().resolve("sample-data/usage").toString(),
                "--acceptance",
                repoRoot().resolve("sample-data/acceptance").toString(),
                "--out",
                out.toString(),
                "--full"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }
}
