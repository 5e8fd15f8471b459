package io.assetcost.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.run.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --usage-format auto}: another tool's export told by keys only it writes, the job's own shapes not. */
class UsageFormatDetectorTest {

    @TempDir
    Path dir;

    @Test
    void eachExportIsToldByKeysOnlyItWrites() {
        assertThat(UsageFormatDetector.ofJson(
                        "{\"id\": \"batch_req_1\", \"custom_id\": \"wf/a/1\", \"response\": null, \"error\": null}"))
                .isEqualTo(UsageFormat.BATCH);
        assertThat(UsageFormatDetector.ofJson("{\"custom_id\": \"wf/a/1\", \"method\": \"POST\", \"url\": \"x\"}"))
                .isEqualTo(UsageFormat.BATCH);
        assertThat(UsageFormatDetector.ofJson(
                        "{\"request_id\": \"r\", \"call_type\": \"aimage_generation\"," + " \"spend\": 0.04}"))
                .isEqualTo(UsageFormat.LITELLM);
        assertThat(UsageFormatDetector.ofJson("[{\"request_id\": \"r\", \"call_type\": \"x\", \"spend\": 0}]"))
                .isEqualTo(UsageFormat.LITELLM);
        assertThat(UsageFormatDetector.ofJson("{\"id\": \"batch_abc\", \"object\": \"batch\", \"created_at\": 1}"))
                .isEqualTo(UsageFormat.BATCH);
        assertThat(UsageFormatDetector.ofJson("{\"id\": \"o\", \"trace_id\": \"t\", \"type\": \"GENERATION\"}"))
                .isEqualTo(UsageFormat.LANGFUSE);
        assertThat(UsageFormatDetector.ofHeader("\uFEFF\"request_id\",\"call_type\",\"spend\",\"startTime\""))
                .isEqualTo(UsageFormat.LITELLM);
    }

    @Test
    void theJobsOwnShapesAndAnythingUncertainStayAuto() {
        assertThat(UsageFormatDetector.ofJson("{\"request_id\": \"req_1\", \"created\": 1763683200, \"usage\": {}}"))
                .isEqualTo(UsageFormat.AUTO);
        assertThat(UsageFormatDetector.ofJson("not json")).isNull();
        assertThat(UsageFormatDetector.ofJson("[")).isNull();
        assertThat(UsageFormatDetector.ofJson("{")).isNull();
        assertThat(UsageFormatDetector.ofJson("{\"spend\": 1}")).isEqualTo(UsageFormat.AUTO);
        // The job's own log may carry keys of its own: custom_id alone is no Batch line.
        assertThat(UsageFormatDetector.ofJson("{\"request_id\": \"req_1\", \"custom_id\": \"wf/a/1\"}"))
                .isEqualTo(UsageFormat.AUTO);
        assertThat(UsageFormatDetector.ofHeader("request_id,created_at,project_id,spend"))
                .isEqualTo(UsageFormat.AUTO);
    }

    @Test
    void aListingIsOneFormatOrRefused() throws IOException {
        Path log = write("usage.jsonl", "\n  \n{\"request_id\": \"req_1\", \"created\": 1763683200}\n");
        Path batch =
                write("output.jsonl", "{\"id\": \"batch_req_1\", \"custom_id\": \"wf/a/1\", \"response\": null}\n");
        Path batch2 = write("errors.jsonl", "{\"id\": \"batch_req_2\", \"custom_id\": \"wf/a/2\", \"error\": null}\n");
        Path batchObject = write("zz/batch.json", "{\n  \"id\": \"batch_abc\",\n  \"object\": \"batch\"\n}\n");
        Configuration conf = new Configuration();
        assertThat(UsageFormatDetector.detect(conf, Map.of(InputFiles.Kind.JSON_LINES, List.of(log.toString()))))
                .isEqualTo(UsageFormat.AUTO);
        assertThat(UsageFormatDetector.detect(
                        conf, Map.of(InputFiles.Kind.JSON_LINES, List.of(batch.toString(), batch2.toString()))))
                .isEqualTo(UsageFormat.BATCH);
        // A pretty-printed batch.json says nothing on its first line: it neither decides nor conflicts.
        assertThat(UsageFormatDetector.detect(
                        conf, Map.of(InputFiles.Kind.JSON_LINES, List.of(batch.toString(), batchObject.toString()))))
                .isEqualTo(UsageFormat.BATCH);
        assertThat(UsageFormatDetector.detect(conf, Map.of())).isEqualTo(UsageFormat.AUTO);
        // A Langfuse export given whole: its scores and traces beside the observations are not sampled.
        Path observation = write(
                "lf/p1/observations/2026-11-03T00-00-00.jsonl",
                "{\"id\": \"o1\", \"trace_id\": \"t1\", \"type\": \"GENERATION\"}\n");
        Path score = write(
                "lf/p1/scores/2026-11-03T00-00-00.jsonl",
                "{\"id\": \"s1\", \"trace_id\": \"t1\", \"name\": \"approval\"}\n");
        Path trace = write("lf/p1/traces/2026-11-03T00-00-00.jsonl", "{\"id\": \"t1\", \"name\": \"x\"}\n");
        assertThat(UsageFormatDetector.detect(
                        conf,
                        Map.of(
                                InputFiles.Kind.JSON_LINES,
                                List.of(observation.toString(), score.toString(), trace.toString()))))
                .isEqualTo(UsageFormat.LANGFUSE);
        assertThatThrownBy(() -> UsageFormatDetector.detect(
                        conf, Map.of(InputFiles.Kind.JSON_LINES, List.of(batch.toString(), log.toString()))))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("two formats")
                .hasMessageContaining("--usage-format");
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }
}
