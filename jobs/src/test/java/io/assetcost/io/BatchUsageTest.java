package io.assetcost.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.run.InputException;
import io.assetcost.schema.Cols;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The Batch reader ({@link BatchUsage}) on small in-memory batches: the mapping field by field, the time a
 * failed line takes from batch.json, and where every line that cannot be a priced request ends up.
 */
class BatchUsageTest extends SparkTestBase {

    private static final StructType LINES =
            new StructType().add(Cols.RAW_RECORD, DataTypes.StringType).add(Cols.SOURCE_FILE, DataTypes.StringType);

    private static final String IN = "file:/t/b1/batchinput.jsonl";
    private static final String OUT = "file:/t/b1/output.jsonl";
    private static final String ERR = "file:/t/b1/errors.jsonl";
    private static final String BATCH = "file:/t/b1/batch.json";

    private static String input(String customId, String url, String body) {
        return "{\"custom_id\": \"" + customId + "\", \"method\": \"POST\", \"url\": \"" + url + "\", \"body\": " + body
                + "}";
    }

    private static String generation(String customId) {
        return input(
                customId,
                "/v1/images/generations",
                "{\"model\": \"gpt-image-2\", \"prompt\": \"a cat\", \"n\": 2, \"size\": \"1024x1024\","
                        + " \"quality\": \"high\"}");
    }

    private static String ok(String customId, String requestId, long created) {
        return "{\"id\": \"batch_req_" + requestId + "\", \"custom_id\": \"" + customId + "\", \"response\":"
                + " {\"status_code\": 200, \"request_id\": \"" + requestId + "\", \"body\": {\"created\": "
                + created + ", \"data\": [{\"b64_json\": \"AAAA\"}], \"usage\": {\"input_tokens\": 50,"
                + " \"total_tokens\": 8370, \"output_tokens\": 8320, \"input_tokens_details\": {\"text_tokens\":"
                + " 40, \"image_tokens\": 10}, \"output_tokens_details\": {\"image_tokens\": 8300,"
                + " \"text_tokens\": 20}}}}, \"error\": null}";
    }

    private static Dataset<Row> frame(List<String[]> rows) {
        List<Row> out = new ArrayList<>();
        for (String[] r : rows) {
            out.add(RowFactory.create(r[1], r[0]));
        }
        return spark.createDataFrame(out, LINES);
    }

    private static Map<String, Row> byRaw(Dataset<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : rows.collectAsList()) {
            out.put(r.getAs(Cols.RAW_RECORD), r);
        }
        return out;
    }

    private static Map<String, Row> read(List<String[]> lines, List<String[]> objects, String pattern) {
        Dataset<Row> rows = BatchUsage.fromLines(frame(lines), frame(objects), BatchCustomId.of(pattern));
        assertThat(rows.count()).as("rows of %s", lines).isEqualTo(byRaw(rows).size());
        return byRaw(rows);
    }

    private static Map<String, Row> read(List<String[]> lines, List<String[]> objects) {
        return read(lines, objects, BatchCustomId.DEFAULT);
    }

    private static String batchObject(String status, Long completedAt, Long expiredAt) {
        return "{\n  \"id\": \"batch_1\",\n  \"object\": \"batch\",\n  \"status\": \"" + status + "\",\n"
                + "  \"created_at\": 1793696400,\n  \"completed_at\": " + completedAt + ",\n  \"expired_at\": "
                + expiredAt + "\n}\n";
    }

    @Test
    void aSucceededLineTakesTheRequestFromItsInputAndTheResultFromItsOutput() {
        String out = ok("wf-a/asset-1/3", "req_1", 1793697125L);
        Map<String, Row> rows =
                read(List.of(new String[] {IN, generation("wf-a/asset-1/3")}, new String[] {OUT, out}), List.of());
        assertThat(rows).hasSize(1);
        Row r = rows.get(out);
        assertThat(r.<String>getAs(Cols.REQUEST_ID)).isEqualTo("req_1");
        assertThat(r.<Instant>getAs(Cols.CREATED_AT).getEpochSecond()).isEqualTo(1793697125L);
        assertThat(r.<String>getAs(Cols.PROJECT_ID)).isNull();
        assertThat(r.<String>getAs(Cols.WORKFLOW_ID)).isEqualTo("wf-a");
        assertThat(r.<String>getAs(Cols.ASSET_ID)).isEqualTo("asset-1");
        assertThat(r.<String>getAs(Cols.MODEL)).isEqualTo("gpt-image-2");
        assertThat(r.<String>getAs(Cols.ENDPOINT)).isEqualTo("images.generations");
        assertThat(r.<String>getAs(Cols.SERVICE_TIER)).isEqualTo("batch");
        assertThat(r.<String>getAs(Cols.STATUS)).isEqualTo("succeeded");
        assertThat(r.<String>getAs(Cols.ERROR_CODE)).isNull();
        assertThat(r.<Integer>getAs(Cols.N)).isEqualTo(2);
        assertThat(r.<String>getAs(Cols.SIZE)).isEqualTo("1024x1024");
        assertThat(r.<String>getAs(Cols.QUALITY)).isEqualTo("high");
        assertThat(r.<Long>getAs(Cols.TEXT_TOKENS)).isEqualTo(40L);
        assertThat(r.<Long>getAs(Cols.IMAGE_TOKENS)).isEqualTo(10L);
        assertThat(r.<Long>getAs(Cols.CACHED_TEXT_TOKENS)).isZero();
        assertThat(r.<Long>getAs(Cols.CACHED_IMAGE_TOKENS)).isZero();
        assertThat(r.<Long>getAs(Cols.OUTPUT_IMAGE_TOKENS)).isEqualTo(8300L);
        assertThat(r.<Long>getAs(Cols.OUTPUT_TEXT_TOKENS)).isEqualTo(20L);
        assertThat(r.<Object>getAs(Cols.GATEWAY_COST_USD)).isNull();
        assertThat(r.<String>getAs(Cols.SOURCE_FILE)).isEqualTo(OUT);
        assertThat(r.<String>getAs(Cols.SOURCE_FORMAT)).isEqualTo("batch");
        assertThat(r.<String>getAs(Cols.RECORD_TEXT)).startsWith("{\"custom_id\":\"wf-a/asset-1/3\",\"error\":null");
        assertThat(r.<String>getAs(Cols.PARSE_REASON)).isNull();
    }

    @Test
    void anEditWithoutOutputDetailsOrNIsOneImageOfImageTokens() {
        String in = input(
                "wf/a/1",
                "/v1/images/edits",
                "{\"model\": \"gpt-image-1\", \"images\": [{\"file_id\": \"file-1\"}], \"prompt\": \"x\"}");
        String out = "{\"id\": \"batch_req_2\", \"custom_id\": \"wf/a/1\", \"response\": {\"status_code\": 200,"
                + " \"request_id\": \"req_2\", \"body\": {\"created\": 1793697125, \"usage\": {\"input_tokens\":"
                + " 300, \"total_tokens\": 4460, \"output_tokens\": 4160, \"input_tokens_details\":"
                + " {\"text_tokens\": 100, \"image_tokens\": 200}}}}}";
        Row r = read(List.of(new String[] {IN, in}, new String[] {OUT, out}), List.of())
                .get(out);
        assertThat(r.<String>getAs(Cols.ENDPOINT)).isEqualTo("images.edits");
        assertThat(r.<Integer>getAs(Cols.N))
                .as("n absent = 1, the Images API's default")
                .isEqualTo(1);
        assertThat(r.<String>getAs(Cols.SIZE)).isNull();
        assertThat(r.<Long>getAs(Cols.OUTPUT_IMAGE_TOKENS)).isEqualTo(4160L);
        assertThat(r.<Long>getAs(Cols.OUTPUT_TEXT_TOKENS)).isZero();
        assertThat(r.<String>getAs(Cols.PARSE_REASON)).isNull();
    }

    @Test
    void aFailedLineTakesTheBatchsEndFromBatchJson() {
        String serverError = "{\"id\": \"batch_req_3\", \"custom_id\": \"wf/a/2\", \"response\": {\"status_code\":"
                + " 500, \"request_id\": \"req_3\", \"body\": {\"error\": {\"message\": \"The server had an error\","
                + " \"type\": \"server_error\", \"param\": null, \"code\": null}}}, \"error\": null}";
        String expired = "{\"id\": \"batch_req_4\", \"custom_id\": \"wf/b/1\", \"response\": null, \"error\":"
                + " {\"code\": \"batch_expired\", \"message\": \"This request could not be executed\"}}";
        List<String[]> lines = List.of(
                new String[] {IN, generation("wf/a/2")},
                new String[] {IN, generation("wf/b/1")},
                new String[] {ERR, serverError},
                new String[] {ERR, expired});
        Map<String, Row> completed =
                read(lines, List.<String[]>of(new String[] {BATCH, batchObject("completed", 1793698872L, null)}));
        Row failed = completed.get(serverError);
        assertThat(failed.<String>getAs(Cols.STATUS)).isEqualTo("failed");
        assertThat(failed.<String>getAs(Cols.ERROR_CODE))
                .as("code null: the error's type")
                .isEqualTo("server_error");
        assertThat(failed.<String>getAs(Cols.REQUEST_ID)).isEqualTo("req_3");
        assertThat(failed.<Instant>getAs(Cols.CREATED_AT).getEpochSecond())
                .as("completed_at")
                .isEqualTo(1793698872L);
        assertThat(failed.<Long>getAs(Cols.TEXT_TOKENS)).isZero();
        assertThat(failed.<String>getAs(Cols.PARSE_REASON)).isNull();
        Row gone = completed.get(expired);
        assertThat(gone.<String>getAs(Cols.REQUEST_ID))
                .as("no response: the line's own id")
                .isEqualTo("batch_req_4");
        assertThat(gone.<String>getAs(Cols.ERROR_CODE)).isEqualTo("batch_expired");
        assertThat(gone.<String>getAs(Cols.PARSE_REASON)).isNull();
        Row expiredBatch = read(
                        lines, List.<String[]>of(new String[] {BATCH, batchObject("expired", null, 1793916005L)}))
                .get(expired);
        assertThat(expiredBatch.<Instant>getAs(Cols.CREATED_AT).getEpochSecond())
                .as("no completed_at: expired_at")
                .isEqualTo(1793916005L);
        Row alone = read(lines, List.of()).get(expired);
        assertThat(alone.<String>getAs(Cols.PARSE_REASON)).isEqualTo("missing_field");
        assertThat(alone.<String>getAs(Cols.PARSE_DETAIL)).contains("created", "no batch.json lies in file:/t/b1");
        Row broken = read(lines, List.<String[]>of(new String[] {BATCH, "{\"created_at\": \"yesterday\"}"}))
                .get(expired);
        assertThat(broken.<String>getAs(Cols.PARSE_DETAIL)).contains("is not a Batch object", "created_at");
    }

    @Test
    void everyLineThatIsNoPricedRequestHasAReason() {
        String noResult = generation("wf/pending/1");
        String noInput = ok("wf/orphan/1", "req_orphan", 1793697125L);
        String twiceA = ok("wf/twice/1", "req_t1", 1793697125L);
        String twiceB = ok("wf/twice/1", "req_t2", 1793697125L);
        String copy = ok("wf/copy/1", "req_c", 1793697125L);
        String unmatched = ok("not-a-path", "req_u", 1793697125L);
        String both = ok("wf/both/1", "req_b", 1793697125L)
                .replace("\"error\": null", "\"error\": {\"code\": \"request_timeout\", \"message\": \"x\"}");
        String chat = ok("wf/chat/1", "req_chat", 1793697125L);
        String wrongType = ok("wf/types/1", "req_w", 1793697125L)
                .replace("\"output_tokens\": 8320", "\"output_tokens\": \"8320\"");
        String neither = "{\"custom_id\": \"wf/x/1\", \"hello\": 1}";
        String notJson = "{\"custom_id\": \"wf/x/2\", ";
        List<String[]> lines = new ArrayList<>(List.of(
                new String[] {IN, noResult},
                new String[] {OUT, noInput},
                new String[] {IN, generation("wf/twice/1")},
                new String[] {OUT, twiceA},
                new String[] {ERR, twiceB},
                new String[] {IN, generation("wf/copy/1")},
                new String[] {OUT, copy},
                new String[] {OUT, copy},
                new String[] {IN, generation("not-a-path")},
                new String[] {OUT, unmatched},
                new String[] {IN, generation("wf/both/1")},
                new String[] {OUT, both},
                new String[] {IN, input("wf/chat/1", "/v1/chat/completions", "{\"model\": \"gpt-4o\"}")},
                new String[] {OUT, chat},
                new String[] {IN, generation("wf/types/1")},
                new String[] {OUT, wrongType},
                new String[] {OUT, neither},
                new String[] {OUT, notJson},
                new String[] {OUT, "  "}));
        Dataset<Row> rows =
                BatchUsage.fromLines(frame(lines), frame(List.of()), BatchCustomId.of(BatchCustomId.DEFAULT));
        List<Row> all = rows.collectAsList();
        assertThat(all)
                .as("one row per result line (9), unmatched input line (1) and other line (3)")
                .hasSize(13);
        Map<String, List<String>> reasons = new HashMap<>();
        for (Row r : all) {
            reasons.computeIfAbsent(r.getAs(Cols.RAW_RECORD), k -> new ArrayList<>())
                    .add(r.getAs(Cols.PARSE_REASON) + ": " + r.getAs(Cols.PARSE_DETAIL));
        }
        assertThat(reasons.get(noResult))
                .singleElement()
                .asString()
                .startsWith("missing_field: no output or error line with custom_id 'wf/pending/1' in file:/t/b1");
        assertThat(reasons.get(noInput))
                .singleElement()
                .asString()
                .startsWith("missing_field: no input line with custom_id 'wf/orphan/1'");
        assertThat(reasons.get(twiceA))
                .singleElement()
                .asString()
                .startsWith("conflicting_duplicate: custom_id 'wf/twice/1' is on 2 output or error lines");
        assertThat(reasons.get(twiceB)).singleElement().asString().startsWith("conflicting_duplicate");
        assertThat(reasons.get(copy))
                .as("identical copies pass the reader; validation counts them once")
                .containsExactly("null: null", "null: null");
        assertThat(reasons.get(unmatched))
                .singleElement()
                .asString()
                .isEqualTo("missing_field: workflow_id: custom_id 'not-a-path' does not match --batch-custom-id"
                        + " '{workflow_id}/{asset_id}/{attempt}'");
        assertThat(reasons.get(both))
                .singleElement()
                .asString()
                .startsWith("malformed_record: both response (status_code 200) and error (request_timeout)");
        assertThat(reasons.get(chat))
                .singleElement()
                .asString()
                .startsWith("invalid_value: url '/v1/chat/completions' is not an Images API endpoint");
        assertThat(reasons.get(wrongType))
                .singleElement()
                .asString()
                .contains("malformed_record", "response.body.usage.output_tokens");
        assertThat(reasons.get(neither))
                .singleElement()
                .asString()
                .startsWith("malformed_record: the line is neither a Batch input line");
        assertThat(reasons.get(notJson)).singleElement().asString().startsWith("malformed_record: not one JSON");
        assertThat(reasons.get("  ")).containsExactly("blank_line: null");
        for (Row r : all) {
            if (r.getAs(Cols.RECORD_TEXT) == null) {
                assertThat(r.<Integer>getAs(Cols.N)).as("no input, no n: %s", r).isNull();
            }
        }
    }

    @Test
    void inputLinesOfOneCustomIdThatDifferLeaveItsResultUntrusted() {
        String out = ok("wf/a/1", "req_1", 1793697125L);
        String other = generation("wf/a/1").replace("\"n\": 2", "\"n\": 1");
        Map<String, Row> rows = read(
                List.of(new String[] {IN, generation("wf/a/1")}, new String[] {IN, other}, new String[] {OUT, out}),
                List.of());
        assertThat(rows).hasSize(1);
        assertThat(rows.get(out).<String>getAs(Cols.PARSE_DETAIL))
                .isEqualTo("custom_id 'wf/a/1' is on 2 input lines in file:/t/b1 that differ: which request was made"
                        + " is unknown");
        Map<String, Row> same = read(
                List.of(new String[] {IN, generation("wf/a/1")}, new String[] {IN, generation("wf/a/1")}, new String[] {
                    OUT, out
                }),
                List.of());
        assertThat(same.get(out).<String>getAs(Cols.PARSE_REASON)).isNull();
    }

    @Test
    void linesOfAnotherDirectoryAreAnotherBatch() {
        String out = ok("wf/a/1", "req_1", 1793697125L);
        Map<String, Row> rows = read(
                List.of(new String[] {IN, generation("wf/a/1")}, new String[] {"file:/t/b2/output.jsonl", out}),
                List.of());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(out).<String>getAs(Cols.PARSE_DETAIL)).startsWith("no input line");
    }

    @Test
    void aRegularExpressionNamesTheParts() {
        String out = ok("job-17:sku_9:front#2", "req_1", 1793697125L);
        Row r = read(
                        List.of(new String[] {IN, generation("job-17:sku_9:front#2")}, new String[] {OUT, out}),
                        List.of(),
                        "(?<workflow_id>[^:]+):(?<asset_id>[^#]+)#(\\d+)")
                .get(out);
        assertThat(r.<String>getAs(Cols.WORKFLOW_ID)).isEqualTo("job-17");
        assertThat(r.<String>getAs(Cols.ASSET_ID)).isEqualTo("sku_9:front");
        Row noAsset = read(
                        List.of(new String[] {IN, generation("job-17:sku_9:front#2")}, new String[] {OUT, out}),
                        List.of(),
                        "{workflow_id}:{rest}")
                .get(out);
        assertThat(noAsset.<String>getAs(Cols.WORKFLOW_ID)).isEqualTo("job-17");
        assertThat(noAsset.<String>getAs(Cols.ASSET_ID))
                .as("no asset_id: its own asset")
                .isNull();
    }

    @Test
    void theCustomIdOptionIsCheckedAndItsMessageNamesIt() {
        BatchCustomId template = BatchCustomId.of("{workflow_id}/{asset_id}/{attempt}");
        assertThat(template.workflowGroup()).isEqualTo(1);
        assertThat(template.assetGroup()).isEqualTo(2);
        assertThat("wf/a/b/1".matches(template.regex())).isTrue();
        BatchCustomId regex = BatchCustomId.of("(x)(?:y)[(](?<assetId>\\()(?<workflow_id>.+)");
        assertThat(regex.assetGroup()).isEqualTo(2);
        assertThat(regex.workflowGroup()).isEqualTo(3);
        for (String bad : List.of(
                "",
                "{asset_id}/{attempt}",
                "{workflow_id}{asset_id}",
                "{workflow_id}/{workflow_id}",
                "{workflow_id}/{asset-id}",
                "(?<assetId>.+)",
                "(?<workflowId>[a-)")) {
            assertThatThrownBy(() -> new BatchUsage.Options(bad))
                    .as("'%s'", bad)
                    .isInstanceOf(InputException.class)
                    .hasMessageStartingWith("--batch-custom-id");
        }
        assertThat(new BatchUsage.Options().customId()).isEqualTo(BatchCustomId.DEFAULT);
    }

    @Test
    void batchJsonIsToldByItsName() {
        assertThat(BatchUsage.isBatchObject("file:/x/b1/batch.json")).isTrue();
        assertThat(BatchUsage.isBatchObject("file:/x/b1/Batch.JSON")).isTrue();
        assertThat(BatchUsage.isBatchObject("file:/x/b1/batch_6a_output.jsonl")).isFalse();
        assertThat(BatchUsage.isBatchObject("file:/x/batch.json/input.jsonl")).isFalse();
    }

    // ---- the sample through the whole job ----

    private static Path batchOut;

    /** The job on sample-data/batch/ (run once for the tests that read its tables). */
    private static synchronized Path sampleRun() throws Exception {
        if (batchOut == null) {
            Path out = tempDir("batch-sample").resolve("out");
            assertThat(runJob(out, "--usage-format", "batch", "--usage", sample("batch")))
                    .as("the sample runs clean")
                    .isZero();
            batchOut = out;
        }
        return batchOut;
    }

    private static String sample(String dir) {
        return repoRoot().resolve("sample-data").resolve(dir).toString();
    }

    private static int runJob(Path out, String... usage) {
        List<String> args = new ArrayList<>(List.of(usage));
        args.addAll(List.of("--acceptance", sample("batch-acceptance"), "--out", out.toString(), "--full"));
        return CostJob.execute(args.toArray(new String[0]), System.out, System.err, spark);
    }

    private static Dataset<Row> requestCosts(Path out) {
        return spark.read().parquet(out.resolve("request_costs").toString());
    }

    @Test
    void theSampleIsPricedAsWorkedByHand() throws Exception {
        Map<String, BigDecimal> cost = new HashMap<>();
        Map<String, Row> rows = new HashMap<>();
        for (Row r : requestCosts(sampleRun()).collectAsList()) {
            cost.put(r.getAs(Cols.REQUEST_ID), r.getAs(Cols.COST_USD));
            rows.put(r.getAs(Cols.REQUEST_ID), r);
        }
        // Batch rates of gpt-image-2 (the embedded card: half the default), USD per 1M tokens: text input 2.50,
        // image input 4.00, image output 15.00, text output 5.00.
        BigDecimal m = BigDecimal.valueOf(1_000_000);
        assertThat(cost)
                .hasSize(7)
                // hero-0101/1: 180 text in x 2.50 + 6240 image out x 15.00 = 0.00045 + 0.0936
                .hasEntrySatisfying("req_9f3b2d6e0a1c4b87", c -> assertThat(c).isEqualByComparingTo("0.09405"))
                // hero-0101/2: 240 x 2.50 + 6240 x 15.00 (no output details: all output is image) = 0.0006 + 0.0936
                .hasEntrySatisfying("req_1d84c3f5b7e2a960", c -> assertThat(c).isEqualByComparingTo("0.0942"))
                // hero-0102/2, n = 2: 210 x 2.50 + 2112 x 15.00 = 0.000525 + 0.03168
                .hasEntrySatisfying("req_5c0e7a91d2b34f6a", c -> assertThat(c).isEqualByComparingTo("0.032205"))
                // sku-2001-front, an edit: 96 x 2.50 + 1530 x 4.00 + 4160 x 15.00 = 0.00024 + 0.00612 + 0.0624
                .hasEntrySatisfying("req_3a6f1e0c9d2b8475", c -> assertThat(c).isEqualByComparingTo("0.06876"))
                // the failed three carry no usage
                .hasEntrySatisfying("req_e2a7c419f08b6d53", c -> assertThat(c).isZero())
                .hasEntrySatisfying("req_b81d4c07e3f92a16", c -> assertThat(c).isZero())
                .hasEntrySatisfying("batch_req_6a2b5f0a9e77", c -> assertThat(c).isZero());
        assertThat(BigDecimal.valueOf(180 * 250 + 6240 * 1500, 2).divide(m)).isEqualByComparingTo("0.09405");
        assertThat(cost.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("0.289215");
        Row refused = rows.get("req_b81d4c07e3f92a16");
        assertThat(refused.<String>getAs(Cols.ERROR_CODE)).isEqualTo("moderation_blocked");
        assertThat(refused.<Instant>getAs(Cols.CREATED_AT))
                .as("an expired batch's failed line: expired_at")
                .isEqualTo(Instant.parse("2026-11-05T22:00:05Z"));
        assertThat(rows.get("req_e2a7c419f08b6d53").<Instant>getAs(Cols.CREATED_AT))
                .as("a completed batch's failed line: completed_at")
                .isEqualTo(Instant.parse("2026-11-03T09:41:12Z"));
        assertThat(rows.get("req_5c0e7a91d2b34f6a").<String>getAs(Cols.SERVICE_TIER))
                .isEqualTo("batch");
        assertThat(rows.get("req_5c0e7a91d2b34f6a").<Object>getAs(Cols.GATEWAY_COST_USD))
                .isNull();
    }

    /** The sample's seven requests as the job's own usage log writes them. */
    private static final List<String> SAMPLE_AS_LOG = List.of(
            log(
                    "req_9f3b2d6e0a1c4b87",
                    1793697125L,
                    "saas-hero",
                    "hero-0101",
                    "images.generations",
                    "succeeded",
                    null,
                    1,
                    "1536x1024",
                    "high",
                    "{\"input_tokens\":180,\"total_tokens\":6420,\"output_tokens\":6240,\"input_tokens_details\":"
                            + "{\"text_tokens\":180,\"image_tokens\":0},\"output_tokens_details\":"
                            + "{\"image_tokens\":6240,\"text_tokens\":0}}"),
            log(
                    "req_1d84c3f5b7e2a960",
                    1793697577L,
                    "saas-hero",
                    "hero-0101",
                    "images.generations",
                    "succeeded",
                    null,
                    1,
                    "1536x1024",
                    "high",
                    "{\"input_tokens\":240,\"total_tokens\":6480,\"output_tokens\":6240,\"input_tokens_details\":"
                            + "{\"text_tokens\":240,\"image_tokens\":0}}"),
            log(
                    "req_e2a7c419f08b6d53",
                    1793698872L,
                    "saas-hero",
                    "hero-0102",
                    "images.generations",
                    "failed",
                    "server_error",
                    2,
                    "1024x1024",
                    "medium",
                    null),
            log(
                    "req_5c0e7a91d2b34f6a",
                    1793698072L,
                    "saas-hero",
                    "hero-0102",
                    "images.generations",
                    "succeeded",
                    null,
                    2,
                    "1024x1024",
                    "medium",
                    "{\"input_tokens\":210,\"total_tokens\":2322,\"output_tokens\":2112,\"input_tokens_details\":"
                            + "{\"text_tokens\":210,\"image_tokens\":0},\"output_tokens_details\":"
                            + "{\"image_tokens\":2112,\"text_tokens\":0}}"),
            log(
                    "req_3a6f1e0c9d2b8475",
                    1793848360L,
                    "ecommerce-pdp",
                    "sku-2001-front",
                    "images.edits",
                    "succeeded",
                    null,
                    1,
                    "1024x1024",
                    "high",
                    "{\"input_tokens\":1626,\"total_tokens\":5786,\"output_tokens\":4160,\"input_tokens_details\":"
                            + "{\"text_tokens\":96,\"image_tokens\":1530},\"output_tokens_details\":"
                            + "{\"image_tokens\":4160,\"text_tokens\":0}}"),
            log(
                    "req_b81d4c07e3f92a16",
                    1793916005L,
                    "ecommerce-pdp",
                    "sku-2002-front",
                    "images.edits",
                    "failed",
                    "moderation_blocked",
                    1,
                    "1024x1024",
                    "high",
                    null),
            log(
                    "batch_req_6a2b5f0a9e77",
                    1793916005L,
                    "ecommerce-pdp",
                    "sku-2003-side",
                    "images.edits",
                    "failed",
                    "batch_expired",
                    1,
                    "1024x1024",
                    "high",
                    null));

    private static String log(
            String id,
            long created,
            String workflow,
            String asset,
            String endpoint,
            String status,
            String error,
            int n,
            String size,
            String quality,
            String usage) {
        return "{\"request_id\":\"" + id + "\",\"created\":" + created + ",\"workflow_id\":\"" + workflow
                + "\",\"asset_id\":\"" + asset + "\",\"model\":\"gpt-image-2\",\"endpoint\":\"" + endpoint
                + "\",\"service_tier\":\"batch\",\"status\":\"" + status + "\",\"error_code\":"
                + (error == null ? "null" : "\"" + error + "\"") + ",\"n\":" + n + ",\"size\":\"" + size
                + "\",\"quality\":\"" + quality + "\"" + (usage == null ? "" : ",\"usage\":" + usage) + "}";
    }

    @Test
    void theSameRequestsAsAUsageLogGiveTheSameRequestCosts() throws Exception {
        Path dir = tempDir("batch-as-log");
        Files.write(dir.resolve("usage.jsonl"), SAMPLE_AS_LOG);
        Path logOut = dir.resolve("out");
        assertThat(runJob(logOut, "--usage", dir.resolve("usage.jsonl").toString()))
                .isZero();
        Dataset<Row> fromBatch = requestCosts(sampleRun()).drop(Cols.SOURCE_FILE, Cols.GATEWAY_COST_USD);
        Dataset<Row> fromLog = requestCosts(logOut).drop(Cols.SOURCE_FILE, Cols.GATEWAY_COST_USD);
        assertThat(fromBatch.count()).isEqualTo(7);
        assertThat(fromLog.count()).isEqualTo(7);
        assertThat(fromBatch.except(fromLog).collectAsList())
                .as("request_costs rows of the batch files that the usage log has not")
                .isEmpty();
        assertThat(fromLog.except(fromBatch).collectAsList())
                .as("request_costs rows of the usage log that the batch files have not")
                .isEmpty();
        for (String table : List.of("cost_per_approved_asset.csv", "retry_waste.csv", "attempts.csv")) {
            assertThat(Files.readString(sampleRun().resolve(table)))
                    .as(table)
                    .isEqualTo(Files.readString(logOut.resolve(table)));
        }
    }

    @Test
    void aCustomIdPatternThatCannotBeUsedStopsTheRunWithExitTwo() throws Exception {
        Path out = tempDir("batch-bad-option").resolve("out");
        assertThat(runJob(
                        out, "--usage-format", "batch", "--usage", sample("batch"), "--batch-custom-id", "{asset_id}"))
                .isEqualTo(2);
        assertThat(Files.exists(out.resolve("request_costs"))).isFalse();
    }
}
