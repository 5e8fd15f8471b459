package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.quality.UsageValidation;
import io.assetcost.run.InputException;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The Langfuse observation export reader and its scores as decisions (docs/usage-formats/langfuse.md): the
 * mapping field by field, the sample's figures by hand, and the same requests as the usage log giving the
 * same request_costs.
 */
class LangfuseUsageTest extends SparkTestBase {

    private static final Path SAMPLE = repoRoot().resolve("sample-data/langfuse");
    private static final Path TWIN = repoRoot().resolve("jobs/src/test/resources/io/assetcost/io/langfuse/log");

    private static Map<String, Row> byId(Dataset<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : rows.collectAsList()) {
            out.put(r.getAs(REQUEST_ID), r);
        }
        return out;
    }

    private static Dataset<Row> sample() {
        List<String> files = InputFiles.list(
                        spark.sparkContext().hadoopConfiguration(),
                        "--usage",
                        SAMPLE.toString(),
                        UsageFormat.LANGFUSE.kinds())
                .get(InputFiles.Kind.JSON_LINES);
        return UsageReader.read(
                spark, UsageFormat.LANGFUSE, Map.of(InputFiles.Kind.JSON_LINES, files), UsageFormatOptions.defaults());
    }

    /** Canonical rows of in-memory export lines. */
    private static Dataset<Row> lines(LangfuseUsage.Options options, String... lines) {
        return UsageReader.canonical(LangfuseUsage.fromLines(
                spark.createDataset(List.of(lines), Encoders.STRING())
                        .toDF(RAW_RECORD)
                        .withColumn(SOURCE_FILE, lit("memory.jsonl")),
                options));
    }

    private static Dataset<Row> lines(String... lines) {
        return lines(new LangfuseUsage.Options(), lines);
    }

    /** A generation line with the given usage_details (JSON object text) and extra fields. */
    private static String generation(String id, String usage, String extra) {
        return "{\"id\":\"" + id + "\",\"type\":\"GENERATION\",\"start_time\":\"2026-11-05 08:00:00.250\","
                + "\"provided_model_name\":\"gpt-image-2\",\"level\":\"DEFAULT\","
                + "\"model_parameters\":\"{\\\"n\\\":1,\\\"size\\\":\\\"1024x1024\\\",\\\"quality\\\":\\\"low\\\"}\","
                + "\"metadata\":{\"workflow_id\":\"wf\",\"endpoint\":\"images.generations\"},"
                + "\"usage_details\":" + usage + extra + "}";
    }

    @Test
    void aChatGenerationIsNotImageUsageAndSaysSo() {
        String chat = "{\"id\":\"chat-1\",\"type\":\"GENERATION\",\"name\":\"OpenAI-generation\","
                + "\"start_time\":\"2026-11-05 08:00:00.250\",\"provided_model_name\":\"gpt-4o\","
                + "\"metadata\":{\"workflow_id\":\"wf\"},\"usage_details\":{\"input\":120,\"output\":40}}";
        Row r = lines(chat).first();
        assertThat((String) r.getAs(PARSE_REASON)).isEqualTo("invalid_value");
        assertThat((String) r.getAs(PARSE_DETAIL))
                .isEqualTo("a generation that is not image usage: name 'OpenAI-generation', model 'gpt-4o', no"
                        + " endpoint in its metadata and no image bucket in usage_details (a call this job does"
                        + " not price)");
        // LiteLLM's callback names its image calls and writes the same two buckets: still the unsplit rule.
        Row litellm = lines(chat.replace("OpenAI-generation", "litellm-image_generation"))
                .first();
        assertThat((String) litellm.getAs(PARSE_REASON)).isEqualTo("missing_field");
    }

    @Test
    void sampleMapsFieldByField() {
        Dataset<Row> rows = sample();
        assertThat(rows.count())
                .as("one row per line of the observation file, none from scores/")
                .isEqualTo(6);
        Map<String, Row> r = byId(rows);

        Row g1 = r.get("gen-7f3a-0001");
        assertThat((Instant) g1.getAs(CREATED_AT)).isEqualTo((Instant.parse("2026-11-03T09:14:05Z")));
        assertThat(List.of(
                        g1.getAs(PROJECT_ID),
                        g1.getAs(WORKFLOW_ID),
                        g1.getAs(ASSET_ID),
                        g1.getAs(MODEL),
                        g1.getAs(ENDPOINT),
                        g1.getAs(SERVICE_TIER),
                        g1.getAs(STATUS),
                        g1.getAs(SIZE),
                        g1.getAs(QUALITY),
                        g1.getAs(SOURCE_FORMAT)))
                .containsExactly(
                        "proj_shop",
                        "ecommerce-pdp",
                        "sku-2001-front",
                        "gpt-image-2",
                        "images.edits",
                        "default",
                        "succeeded",
                        "1024x1536",
                        "high",
                        "langfuse");
        assertThat((Integer) g1.getAs(N)).isEqualTo(1);
        assertThat(tokens(g1)).containsExactly(651L, 0L, 2230L, 0L, 6240L, 0L);
        assertThat((BigDecimal) g1.getAs(GATEWAY_COST_USD)).isEqualByComparingTo("0.208295");
        assertThat((String) g1.getAs(PARSE_REASON)).isNull();
        assertThat((String) g1.getAs(RAW_RECORD)).startsWith("{\"id\":\"gen-7f3a-0001\"");
        assertThat((String) g1.getAs(RECORD_TEXT))
                .as("keys sorted")
                .startsWith("{\"completion_start_time\":null,\"cost_details\":");

        Row g2 = r.get("gen-7f3a-0002");
        assertThat((String) g2.getAs(ENDPOINT))
                .as("from LiteLLM's generation name")
                .isEqualTo("images.generations");
        assertThat((Integer) g2.getAs(N)).isEqualTo(2);
        assertThat(tokens(g2))
                .as("input_cached_tokens is a bucket beside input_text_tokens: added")
                .containsExactly(800L, 500L, 0L, 0L, 2112L, 0L);
        assertThat((BigDecimal) g2.getAs(GATEWAY_COST_USD)).isEqualByComparingTo("0.06736");

        Row g3 = r.get("gen-7f3a-0003");
        assertThat(List.of(g3.getAs(STATUS), g3.getAs(ERROR_CODE), g3.getAs(ENDPOINT)))
                .containsExactly("failed", "server_error", "images.edits");
        assertThat(tokens(g3)).containsOnly(0L);
        assertThat((BigDecimal) g3.getAs(GATEWAY_COST_USD)).isNull();

        Row g4 = r.get("gen-7f3a-0004");
        assertThat(tokens(g4))
                .as("cached image added to image; undetailed output is image output")
                .containsExactly(120L, 0L, 2000L, 800L, 6208L, 0L);

        assertThat(List.of(
                        r.get("span-4c1d-0001").getAs(PARSE_REASON),
                        r.get("event-4c1d-0002").getAs(PARSE_REASON)))
                .containsOnly(UsageValidation.BLANK_LINE);
        assertThat((String) r.get("span-4c1d-0001").getAs(PARSE_DETAIL)).isEqualTo("not usage: a SPAN observation");
    }

    private static List<Long> tokens(Row r) {
        List<Long> t = new ArrayList<>();
        for (String c : new String[] {
            TEXT_TOKENS, CACHED_TEXT_TOKENS, IMAGE_TOKENS, CACHED_IMAGE_TOKENS, OUTPUT_IMAGE_TOKENS, OUTPUT_TEXT_TOKENS
        }) {
            t.add(r.getAs(c));
        }
        return t;
    }

    @Test
    void countsAsStringsOrNumbersAndCostExactToTheTwelfthDecimal() {
        Map<String, Row> r = byId(lines(
                generation(
                        "a",
                        "{\"input_text_tokens\":\"40\",\"output_image_tokens\":272,\"total\":\"312\"}",
                        ",\"total_cost\":0.123456789012,\"tags\":[\"asset_id:poster-9\",\"other\"]"),
                generation(
                        "b",
                        "{\"input_cached_text_tokens\":\"10\",\"input_text_tokens\":\"5\"}",
                        ",\"total_cost\":12345678.123456789012")));
        Row a = r.get("a");
        assertThat((String) a.getAs(PARSE_REASON)).isNull();
        assertThat(tokens(a)).containsExactly(40L, 0L, 0L, 0L, 272L, 0L);
        assertThat((BigDecimal) a.getAs(GATEWAY_COST_USD)).isEqualTo(new BigDecimal("0.123456789012"));
        assertThat((Instant) a.getAs(CREATED_AT))
                .as("no zone: UTC")
                .isEqualTo((Instant.parse("2026-11-05T08:00:00.250Z")));
        assertThat((String) a.getAs(ASSET_ID))
                .as("a key:value trace tag when metadata has no key")
                .isEqualTo("poster-9");
        assertThat(tokens(r.get("b"))).containsExactly(15L, 10L, 0L, 0L, 0L, 0L);
        assertThat((BigDecimal) r.get("b").getAs(GATEWAY_COST_USD))
                .as("20 significant digits: more than a double holds")
                .isEqualTo(new BigDecimal("12345678.123456789012"));
    }

    @Test
    void linesThatCannotBeTrustedGetAReasonAndADetail() {
        Map<String, Row> r = byId(lines(
                generation("wrong-type", "{\"input_text_tokens\":\"forty\"}", ""),
                generation("nested", "{\"output_image_tokens\":{\"n\":1}}", ""),
                generation("unsplit", "{\"input\":\"1200\",\"output\":\"4160\"}", ""),
                generation(
                        "total", "{\"input_text_tokens\":\"10\",\"output_image_tokens\":\"20\",\"total\":\"99\"}", ""),
                generation("meta", "{}", "").replace("\"metadata\":{", "\"metadata\":\"wf=1\",\"x\":{"),
                generation("usage", "\"lots\"", ""),
                generation("when", "{}", "").replace("2026-11-05 08:00:00.250", "yesterday"),
                generation("cost", "{}", ",\"total_cost\":\"free\""),
                generation("id-object", "{}", "").replace("\"id\":\"id-object\"", "\"id\":{\"a\":1}"),
                "{\"id\":\"no-type\",\"start_time\":\"2026-11-05 08:00:00\"}"));
        assertThat(reason(r, "wrong-type"))
                .containsExactly(
                        "malformed_record", "usage_details.input_text_tokens 'forty' is not a whole number of tokens");
        assertThat(reason(r, "nested").get(0)).isEqualTo("malformed_record");
        assertThat(reason(r, "unsplit"))
                .containsExactly(
                        "missing_field",
                        "usage_details has 1200 input tokens in input / cache_read_input_tokens, not split into"
                                + " input_text_tokens and input_image_tokens: text and image input cannot be"
                                + " told apart");
        assertThat(reason(r, "total"))
                .containsExactly(
                        "inconsistent_tokens", "usage_details.total 99 differs from the sum of its buckets 30");
        assertThat(reason(r, "meta")).containsExactly("malformed_record", "metadata is not a JSON object");
        assertThat(reason(r, "usage")).containsExactly("malformed_record", "usage_details is not a JSON object");
        assertThat(reason(r, "when").get(1)).startsWith("start_time 'yesterday' is not");
        assertThat(reason(r, "cost")).containsExactly("malformed_record", "total_cost 'free' is not an amount in USD");
        assertThat(reason(r, "no-type").get(0)).isEqualTo("missing_field");
        assertThat(reason(r, "{\"a\":1}"))
                .as("an id that is an object: its text is kept, the record quarantined")
                .containsExactly("malformed_record", "field id is a JSON object, expected a string");
    }

    private static List<String> reason(Map<String, Row> r, String id) {
        return java.util.Arrays.asList(r.get(id).getAs(PARSE_REASON), r.get(id).getAs(PARSE_DETAIL));
    }

    @Test
    void aJsonArrayExportIsRefusedWithWhatToFix() {
        assertThatThrownBy(() ->
                        LangfuseUsage.read(spark, List.of("/x/p/observations/2026.json"), new LangfuseUsage.Options()))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("JSONL");
        assertThatThrownBy(() -> new LangfuseUsage.Options("", "asset_id", "project_id"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("--langfuse-workflow-key");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = CostJob.execute(
                new String[] {
                    "--usage", SAMPLE.toString(), "--usage-format", "langfuse",
                    "--acceptance", SAMPLE.toString(), "--acceptance-format", "xml",
                    "--out", "/nonexistent/out"
                },
                System.out,
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                spark);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("--acceptance-format must be csv or langfuse, got 'xml'");
    }

    @Test
    void scoresOfTheNamedKindAreDecisions() {
        List<String> files = List.of(
                SAMPLE.resolve("cm3lfproj0001/scores/2026-11-04T00-00-00.jsonl").toString());
        LangfuseScores.Options options = new LangfuseScores.Options();
        Map<String, Row> d = byId(LangfuseScores.read(spark, files, options));
        assertThat(d).containsOnlyKeys("gen-7f3a-0001", "gen-7f3a-0002", "gen-7f3a-0004");
        Row first = d.get("gen-7f3a-0001");
        assertThat(List.of(first.getAs(IMAGE_INDEX), first.getAs(DECISION), first.getAs(DECIDED_AT)))
                .containsExactly("0", "approved", "2026-11-03 10:02:11.000");
        assertThat((String) d.get("gen-7f3a-0002").getAs(DECISION))
                .as("BOOLEAN 1")
                .isEqualTo("approved");
        assertThat(List.of(
                        d.get("gen-7f3a-0004").getAs(DECISION),
                        d.get("gen-7f3a-0004").getAs(REVIEW_REASON)))
                .containsExactly("rejected", "label text is garbled");
        assertThat(LangfuseScores.ignored(spark, files, options))
                .as("the aesthetic score")
                .isEqualTo(1);
        Row zero = LangfuseScores.fromLines(
                        spark.createDataset(
                                        List.of(
                                                "{\"name\":\"approval\",\"data_type\":\"BOOLEAN\",\"value\":0,"
                                                        + "\"observation_id\":\"g\",\"author_user_id\":\"u1\"}",
                                                "{oops"),
                                        Encoders.STRING())
                                .toDF(RAW_RECORD)
                                .withColumn(SOURCE_FILE, lit("s.jsonl")),
                        options)
                .orderBy(col(REQUEST_ID).asc_nulls_last())
                .collectAsList()
                .get(0);
        assertThat(List.of(zero.getAs(DECISION), zero.getAs(REVIEWER_ID))).containsExactly("rejected", "u1");
    }

    /** The sample's request costs by hand, at the embedded rate card's gpt-image-2 default rates. */
    @Test
    void theSampleIsPricedAsByHandAndTheSameAsTheUsageLog() throws Exception {
        Path lfOut = tempDir("langfuse").resolve("out");
        Path logOut = tempDir("langfuse-log").resolve("out");
        assertThat(CostJob.execute(
                        new String[] {
                            "--usage", SAMPLE.toString(), "--usage-format", "langfuse",
                            "--acceptance", SAMPLE.toString(), "--acceptance-format", "langfuse",
                            "--out", lfOut.toString(), "--full"
                        },
                        System.out,
                        System.err,
                        spark))
                .isZero();
        assertThat(CostJob.execute(
                        new String[] {
                            "--usage",
                            TWIN.resolve("usage").toString(),
                            "--acceptance",
                            TWIN.resolve("acceptance").toString(),
                            "--out",
                            logOut.toString(),
                            "--full"
                        },
                        System.out,
                        System.err,
                        spark))
                .isZero();
        Map<String, Row> costs = byId(table(lfOut, OutputTable.REQUEST_COSTS));
        // gpt-image-2 default, USD per 1M tokens: text 5.00, cached text 1.25, image 8.00, cached image 2.00,
        // image output 30.00.
        // gen-0001: 651 x 5 + 2230 x 8 + 6240 x 30 = 3255 + 17840 + 187200 = 208295 (x 1e-6)
        // gen-0002: (800 - 500) x 5 + 500 x 1.25 + 2112 x 30 = 1500 + 625 + 63360 = 65485
        // gen-0003: failed, no usage: 0
        // gen-0004: 120 x 5 + (2000 - 800) x 8 + 800 x 2 + 6208 x 30 = 600 + 9600 + 1600 + 186240 = 198040
        assertThat(cost(costs, "gen-7f3a-0001")).isEqualByComparingTo("0.208295");
        assertThat(cost(costs, "gen-7f3a-0002")).isEqualByComparingTo("0.065485");
        assertThat(cost(costs, "gen-7f3a-0003")).isEqualByComparingTo("0");
        assertThat(cost(costs, "gen-7f3a-0004")).isEqualByComparingTo("0.198040");
        assertThat((BigDecimal) costs.get("gen-7f3a-0002").getAs(GATEWAY_COST_USD))
                .as("Langfuse priced the cached text at the full rate: 0.06736, ours 0.065485")
                .isEqualByComparingTo("0.06736");

        for (OutputTable t : List.of(OutputTable.REQUEST_COSTS, OutputTable.ASSET_COSTS)) {
            Dataset<Row> lf = table(lfOut, t).drop(SOURCE_FILE, GATEWAY_COST_USD);
            Dataset<Row> log = table(logOut, t).drop(SOURCE_FILE, GATEWAY_COST_USD);
            assertThat(lf.count()).as(t.tableName()).isPositive();
            assertThat(lf.exceptAll(log).collectAsList())
                    .as(t.tableName() + ": langfuse rows not in the log's")
                    .isEmpty();
            assertThat(log.exceptAll(lf).collectAsList())
                    .as(t.tableName() + ": log rows not in langfuse's")
                    .isEmpty();
        }
    }

    private static BigDecimal cost(Map<String, Row> costs, String id) {
        return costs.get(id).getAs("cost_usd");
    }

    private static Dataset<Row> table(Path out, OutputTable t) {
        return spark.read().parquet(out.resolve(t.tableName()).toString());
    }
}
