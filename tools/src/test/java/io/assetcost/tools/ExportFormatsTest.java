package io.assetcost.tools;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.io.InputFiles;
import io.assetcost.io.UsageFormat;
import io.assetcost.io.UsageFormatOptions;
import io.assetcost.io.UsageReader;
import io.assetcost.run.SparkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the generator's export shapes (scripts/bench.sh's export rows): a few hundred generated requests
 * written as each export and its twin, each read back with the job's own reader, give the same canonical
 * rows (every column but the lineage: raw_record, record_text, source_file, source_format, parse_detail,
 * gateway_cost_usd), and no quarantine beyond the generator's bad-on-purpose rows.
 *
 * <p>The session is made here as the jobs module's SparkTestBase makes it (local[2], UTC, the job's
 * settings): the tools module does not see the jobs module's test classes.
 */
class ExportFormatsTest {

    private static SparkSession spark;
    private static Path out;

    /** Canonical columns compared; the rest say where a row came from, not what it is. */
    private static final List<String> COMPARED = List.of(
            "request_id",
            "created_at",
            "project_id",
            "workflow_id",
            "asset_id",
            "model",
            "endpoint",
            "service_tier",
            "status",
            "error_code",
            "n",
            "size",
            "quality",
            "text_tokens",
            "cached_text_tokens",
            "image_tokens",
            "cached_image_tokens",
            "output_image_tokens",
            "output_text_tokens");

    @BeforeAll
    static void generate() throws Exception {
        Path local = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "spark-local"));
        spark = SparkSettings.apply(SparkSession.builder())
                .master("local[2]")
                .appName("assetcost-tools-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.local.dir", local.toString())
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
        SparkSettings.apply(spark);
        out = Files.createTempDirectory("export-formats");
        UsageGenerator.Options o = new UsageGenerator.Options();
        o.requests = 600;
        o.days = 2;
        o.workflows = 3;
        o.seed = 20261122;
        o.out = out.toString();
        o.formats = List.of("jsonl", "batch", "litellm", "langfuse");
        o.recordsPerChunk = 150;
        UsageGenerator.generate(spark, o);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> read(UsageFormat format, String dir) {
        String location = out.resolve(dir).toString();
        return UsageReader.read(
                        spark,
                        format,
                        InputFiles.list(
                                spark.sparkContext().hadoopConfiguration(), "--usage", location, format.kinds()),
                        UsageFormatOptions.defaults())
                .cache();
    }

    /**
     * The compared columns of the rows that are not cut off mid-write (a cut-off line has no fields to
     * compare; readers differ in the defaults they give it). A reader's own quarantine reason is not compared
     * either: the Batch reader quarantines a custom_id without a workflow itself, where validation does it for
     * the usage log, with the same reason (scripts/bench.sh compares the quarantine counts by reason).
     */
    private static Dataset<Row> compared(Dataset<Row> rows) {
        return rows.where(col("parse_reason").isNull().or(col("parse_reason").notEqual("malformed_record")))
                .select(COMPARED.stream().map(c -> col(c)).toArray(Column[]::new));
    }

    private static void assertSameRows(Dataset<Row> export, Dataset<Row> twin) {
        assertThat(export.count()).isEqualTo(twin.count());
        assertThat(compared(export).exceptAll(compared(twin)).collectAsList()).isEmpty();
        assertThat(compared(twin).exceptAll(compared(export)).collectAsList()).isEmpty();
    }

    /** Rows the generator cut off mid-write: the only ones a reader may find malformed. */
    private static long quarantinedByReader(Dataset<Row> rows) {
        return rows.where(col("parse_reason").equalTo("malformed_record")).count();
    }

    @Test
    void aBatchExportReadsBackAsItsTwinAtTheBatchTier() throws Exception {
        Dataset<Row> batch = read(UsageFormat.BATCH, "usage-batch");
        Dataset<Row> twin = read(UsageFormat.LOG, "usage-batch-twin");
        assertSameRows(batch, twin);
        assertThat(batch.where(col("service_tier").notEqual("batch")).count()).isZero();
        assertThat(quarantinedByReader(batch)).isEqualTo(quarantinedByReader(twin));
        // The layout the docs describe: a directory per batch with its input, output and error files and
        // batch.json; failed requests only in error files.
        try (Stream<Path> files = Files.walk(out.resolve("usage-batch"))) {
            List<String> names = files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .toList();
            assertThat(names).anyMatch(n -> n.startsWith("batchinput-"));
            assertThat(names).anyMatch(n -> n.contains("_output-"));
            assertThat(names).anyMatch(n -> n.contains("_error-"));
            assertThat(names).contains("batch.json");
        }
        assertThat(batch.where(col("status")
                                .equalTo("failed")
                                .and(col("output_image_tokens").notEqual(0L)))
                        .count())
                .isZero();
    }

    @Test
    void aLiteLlmSpendLogReadsBackAsItsTwinWithTheGatewaysSpend() {
        Dataset<Row> litellm = read(UsageFormat.LITELLM, "usage-litellm");
        Dataset<Row> twin = read(UsageFormat.LOG, "usage-litellm-twin");
        assertSameRows(litellm, twin);
        assertThat(litellm.where(col("parse_reason")
                                .isNull()
                                .and(col("gateway_cost_usd").isNull()))
                        .count())
                .isZero();
        assertThat(quarantinedByReader(litellm)).isEqualTo(quarantinedByReader(twin));
    }

    @Test
    void aLangfuseExportReadsBackAsTheUsageLogItself() {
        Dataset<Row> langfuse = read(UsageFormat.LANGFUSE, "usage-langfuse");
        Dataset<Row> jsonl = read(UsageFormat.LOG, "usage-jsonl");
        assertSameRows(langfuse, jsonl);
        assertThat(langfuse.where(col("cached_text_tokens").gt(0)).count()).isPositive();
        assertThat(langfuse.where(col("service_tier").equalTo("batch")).count()).isPositive();
        assertThat(quarantinedByReader(langfuse)).isEqualTo(quarantinedByReader(jsonl));
    }
}
