package io.assetcost.io;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.schema.Cols;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** One rule decides a file's kind, on the driver (the listing) and in Spark (quarantined rows read again). */
class InputFilesTest extends SparkTestBase {

    private static final String LINE = "{\"request_id\":\"r1\",\"created\":1762077600,\"workflow_id\":\"wf\","
            + "\"model\":\"gpt-image-2\",\"status\":\"succeeded\",\"n\":1}";

    @Test
    void kindIsCaseInsensitiveAndLooksThroughHadoopCodecs() {
        assertThat(InputFiles.kindOf("s3a://b/usage/day.JSONL")).isEqualTo(InputFiles.Kind.JSON_LINES);
        assertThat(InputFiles.kindOf("/u/day.NdJson.gz")).isEqualTo(InputFiles.Kind.JSON_LINES);
        assertThat(InputFiles.kindOf("/u/day.Json.bz2")).isEqualTo(InputFiles.Kind.JSON_LINES);
        assertThat(InputFiles.kindOf("/u/export.CSV.zst")).isEqualTo(InputFiles.Kind.CSV);
        assertThat(InputFiles.kindOf("/u/export.PARQUET")).isEqualTo(InputFiles.Kind.PARQUET);
        assertThat(InputFiles.kindOf("/u/notes.txt")).isNull();
        // Spark decompresses only what Hadoop's codecs recognise, and they match their suffix exactly.
        assertThat(InputFiles.kindOf("/u/day.jsonl.GZ")).isNull();
    }

    @Test
    void oneDocumentPerLineIsTheSameRule() {
        assertThat(InputFiles.oneDocumentPerLine("/c/page.JSONL")).isTrue();
        assertThat(InputFiles.oneDocumentPerLine("/c/pages.ndjson.gz")).isTrue();
        assertThat(InputFiles.oneDocumentPerLine("/c/page.JSON")).isFalse();
    }

    @Test
    void quarantinedRowsOfAnUpperCaseOrCompressedFileAreReadAgainByTheirKind() {
        List<String> files = List.of("/in/DAY.JSONL", "/in/day.jsonl.gz", "/in/day.Ndjson.bz2", "/in/day.txt");
        Dataset<Row> quarantined = spark.createDataset(files, Encoders.STRING())
                .toDF(Cols.SOURCE_FILE)
                .withColumn(Cols.RAW_RECORD, org.apache.spark.sql.functions.lit(LINE));
        List<Row> reread = UsageReader.reread(quarantined, UsageFormatOptions.defaults())
                .select(col(Cols.SOURCE_FILE), col(Cols.REQUEST_ID), col(Cols.CREATED_AT))
                .orderBy(Cols.SOURCE_FILE)
                .collectAsList();
        assertThat(reread)
                .extracting(r -> r.getString(0))
                .containsExactly(files.subList(0, 3).stream().sorted().toArray(String[]::new));
        assertThat(reread).allSatisfy(r -> {
            assertThat(r.getString(1)).isEqualTo("r1");
            assertThat(r.get(2)).as("created, so the month is known").isNotNull();
        });
        assertThat(quarantined
                        .select(InputFiles.kindOf(col(Cols.SOURCE_FILE)))
                        .as(Encoders.STRING())
                        .collectAsList())
                .containsExactly("JSON_LINES", "JSON_LINES", "JSON_LINES", null);
    }
}
