package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The month close reads the night's quarantined records again ({@link UsageReader#reread}): a record of
 * another tool's export comes back as the night read it, whether it reads alone (a Langfuse line, a LiteLLM
 * JSON row) or only with its file (a LiteLLM CSV record, a Batch output line and its input line).
 */
class UsageRereadTest extends SparkTestBase {

    /** Every column the night's reader decides, lineage included. */
    private static final Column[] READ = Stream.of(
                    REQUEST_ID,
                    CREATED_AT,
                    PROJECT_ID,
                    WORKFLOW_ID,
                    ASSET_ID,
                    MODEL,
                    ENDPOINT,
                    SERVICE_TIER,
                    STATUS,
                    N,
                    TEXT_TOKENS,
                    IMAGE_TOKENS,
                    CACHED_TEXT_TOKENS,
                    CACHED_IMAGE_TOKENS,
                    OUTPUT_IMAGE_TOKENS,
                    OUTPUT_TEXT_TOKENS,
                    GATEWAY_COST_USD,
                    RAW_RECORD,
                    SOURCE_FILE,
                    SOURCE_FORMAT,
                    PARSE_REASON,
                    PARSE_DETAIL)
            .map(c -> col(c))
            .toArray(Column[]::new);

    private static Dataset<Row> night(String format, Path dir) {
        UsageFormat f = UsageFormat.of(format);
        return UsageReader.read(
                spark,
                f,
                InputFiles.list(spark.sparkContext().hadoopConfiguration(), "--usage", dir.toString(), f.kinds()),
                UsageFormatOptions.defaults());
    }

    @ParameterizedTest
    @CsvSource({"batch, sample-data/batch", "litellm, sample-data/litellm/usage", "langfuse, sample-data/langfuse"})
    void everyRecordOfAnExportReadsAgainAsTheNightReadIt(String format, String dir) {
        Dataset<Row> night = night(format, repoRoot().resolve(dir));
        Dataset<Row> again =
                UsageReader.reread(night.select(RAW_RECORD, SOURCE_FILE, SOURCE_FORMAT), UsageFormatOptions.defaults());
        List<Row> expected = night.select(READ).collectAsList();
        assertThat(expected).hasSizeGreaterThan(3);
        assertThat(again.select(READ).collectAsList()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aRecordWhoseFilesAreGoneSaysSoAndIsKept() throws Exception {
        Path copy = tempDir("reread").resolve("batch");
        FileUtils.copyDirectory(repoRoot().resolve("sample-data/batch").toFile(), copy.toFile());
        Dataset<Row> night = night("batch", copy)
                .select(RAW_RECORD, SOURCE_FILE, SOURCE_FORMAT)
                .cache();
        long records = night.count();
        try (Stream<Path> files = Files.list(copy)) {
            for (Path batch : files.toList()) {
                FileUtils.deleteDirectory(batch.toFile());
            }
        }
        List<Row> again = UsageReader.reread(night, UsageFormatOptions.defaults())
                .select(PARSE_REASON, PARSE_DETAIL, SOURCE_FORMAT)
                .collectAsList();
        night.unpersist();
        assertThat(again).hasSize((int) records).allSatisfy(r -> {
            assertThat(r.getString(0)).isEqualTo("malformed_record");
            assertThat(r.getString(1)).startsWith("a batch record is no longer in its file ");
            assertThat(r.getString(2)).isEqualTo("batch");
        });
    }

    @Test
    void aRecordOfAnUnknownFormatIsKeptAndSaysSo() {
        Dataset<Row> odd = spark.range(1)
                .select(
                        lit("{}").as(RAW_RECORD),
                        lit("/x/a.jsonl").as(SOURCE_FILE),
                        lit("helicone").as(SOURCE_FORMAT));
        Row r = UsageReader.reread(odd, UsageFormatOptions.defaults())
                .select(PARSE_REASON, PARSE_DETAIL)
                .first();
        assertThat(r.getString(0)).isEqualTo("malformed_record");
        assertThat(r.getString(1)).isEqualTo("a helicone record is of no format this job reads");
    }
}
