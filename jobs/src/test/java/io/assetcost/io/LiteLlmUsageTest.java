package io.assetcost.io;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputException;
import io.assetcost.schema.Cols;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@link LiteLlmUsage}: the spend-log fields mapped one by one onto canonical usage (docs/usage-formats/litellm.md),
 * each bad record accounted for with its reason, the shipped sample priced by hand, and the claim: the same
 * requests as a LiteLLM spend log and as the job's own usage log give the same request_costs.
 */
class LiteLlmUsageTest extends SparkTestBase {

    private static final String R1 = "1f0c7e2a-4b7d-4e51-9a0e-3c2d8f1a6b01";
    private static final String R2 = "2a1d9b3c-5e6f-4a70-8b1c-2d3e4f5a6b02";
    private static final String R3 = "3b2e0c4d-6f70-4b81-9c2d-3e4f5a6b7c03";
    private static final String R4 = "4c3f1d5e-7081-4c92-8d3e-4f5a6b7c8d04";
    private static final String R5 = "5d4a2e6f-8192-4da3-9e4f-5a6b7c8d9e05";

    private static Path sample(String part) {
        return repoRoot().resolve("sample-data/litellm").resolve(part);
    }

    /** Canonical rows of files through the real dispatch ({@link UsageReader#read}), by request_id. */
    private static Map<String, Row> byId(Dataset<Row> canonical) {
        Map<String, Row> rows = new TreeMap<>();
        for (Row r : canonical.collectAsList()) {
            if (r.getAs(Cols.REQUEST_ID) != null) {
                rows.put(r.getAs(Cols.REQUEST_ID), r);
            }
        }
        return rows;
    }

    private static Dataset<Row> read(LiteLlmUsage.Options options, Path... files) {
        List<String> uris = Arrays.stream(files).map(f -> f.toUri().toString()).toList();
        return UsageReader.read(
                spark,
                UsageFormat.LITELLM,
                Map.of(InputFiles.Kind.JSON_LINES, uris),
                new UsageFormatOptions(new BatchUsage.Options(), options, new LangfuseUsage.Options()));
    }

    private static Path file(String name, String text) throws Exception {
        Path f = tempDir("litellm").resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    /**
     * One spend-log row as the API writes it, with the given call type, status and metadata (JSON object text)
     * and the rest fixed.
     */
    private static String row(String id, String callType, String status, String metadata, String extra) {
        return "{\"request_id\":\"" + id + "\",\"call_type\":\"" + callType + "\",\"spend\":0.04,"
                + "\"startTime\":\"2026-11-06T10:00:00.250000+00:00\",\"model\":\"openai/gpt-image-2\","
                + "\"model_group\":\"image-default\",\"custom_llm_provider\":\"openai\",\"status\":\"" + status
                + "\",\"cache_hit\":\"None\",\"request_tags\":[],\"metadata\":" + metadata + extra + "}";
    }

    private static String usage(long text, long image, long outImage, long outText) {
        return "{\"spend_logs_metadata\":{\"workflow_id\":\"wf\",\"asset_id\":\"a1\"},\"usage_object\":{"
                + "\"prompt_tokens\":" + (text + image) + ",\"completion_tokens\":" + (outImage + outText)
                + ",\"prompt_tokens_details\":{\"text_tokens\":" + text + ",\"image_tokens\":" + image
                + ",\"cached_tokens\":null},\"completion_tokens_details\":{\"image_tokens\":" + outImage
                + ",\"text_tokens\":" + outText + "}}}";
    }

    @Test
    void theSampleMapsFieldByField() {
        Map<String, Row> rows = byId(read(
                new LiteLlmUsage.Options(),
                sample("usage/spend-logs-2026-11-03.json"),
                sample("usage/LiteLLM_SpendLogs-2026-11-04.csv")));
        assertThat(rows).containsOnlyKeys(R1, R2, R3, R4, R5);
        rows.values()
                .forEach(r -> assertThat(r.<String>getAs(Cols.PARSE_REASON))
                        .as("%s", r)
                        .isNull());
        Row r2 = rows.get(R2);
        assertThat(r2.<Instant>getAs(Cols.CREATED_AT)).isEqualTo(Instant.parse("2026-11-03T09:40:11Z"));
        assertThat(List.of(
                        r2.getAs(Cols.PROJECT_ID),
                        r2.getAs(Cols.WORKFLOW_ID),
                        r2.getAs(Cols.ASSET_ID),
                        r2.getAs(Cols.MODEL),
                        r2.getAs(Cols.ENDPOINT),
                        r2.getAs(Cols.SERVICE_TIER),
                        r2.getAs(Cols.STATUS),
                        r2.getAs(Cols.SOURCE_FORMAT)))
                .as("the provider prefix is dropped, aimage_edit is images.edits, success is succeeded")
                .containsExactly(
                        "proj_shop",
                        "ecommerce-pdp",
                        "sku-2001-front",
                        "gpt-image-2",
                        "images.edits",
                        "default",
                        "succeeded",
                        "litellm");
        assertThat(List.of(
                        r2.<Long>getAs(Cols.TEXT_TOKENS),
                        r2.<Long>getAs(Cols.IMAGE_TOKENS),
                        r2.<Long>getAs(Cols.OUTPUT_IMAGE_TOKENS),
                        r2.<Long>getAs(Cols.OUTPUT_TEXT_TOKENS),
                        r2.<Long>getAs(Cols.CACHED_TEXT_TOKENS),
                        r2.<Long>getAs(Cols.CACHED_IMAGE_TOKENS)))
                .containsExactly(61L, 1724L, 4160L, 0L, 0L, 0L);
        assertThat(r2.<BigDecimal>getAs(Cols.GATEWAY_COST_USD)).isEqualByComparingTo("0.055697");
        assertThat(r2.<Integer>getAs(Cols.N))
                .as("no request body stored: n is the API's default, 1")
                .isEqualTo(1);
        assertThat(r2.<String>getAs(Cols.SIZE)).isNull();
        assertThat(r2.<String>getAs(Cols.RAW_RECORD)).startsWith("{").contains(R2);
        assertThat(r2.<String>getAs(Cols.RECORD_TEXT)).startsWith("{\"agent_id\":null,\"api_base\"");

        Row r3 = rows.get(R3);
        assertThat(r3.<Instant>getAs(Cols.CREATED_AT))
                .as("a CSV time without a zone is UTC")
                .isEqualTo(Instant.parse("2026-11-04T14:02:45Z"));
        assertThat(List.of(
                        r3.getAs(Cols.STATUS), r3.getAs(Cols.ERROR_CODE), r3.getAs(Cols.SIZE), r3.getAs(Cols.QUALITY)))
                .containsExactly("failed", "500", "1024x1024", "high");
        assertThat(r3.<Long>getAs(Cols.OUTPUT_IMAGE_TOKENS)).isZero();
        assertThat(r3.<String>getAs(Cols.RAW_RECORD)).startsWith(R3 + ",aimage_generation,");

        Row r4 = rows.get(R4);
        assertThat(List.of(r4.getAs(Cols.N), r4.getAs(Cols.SIZE), r4.getAs(Cols.QUALITY)))
                .containsExactly(2, "1536x1024", "medium");
        Row r5 = rows.get(R5);
        assertThat(List.of(r5.getAs(Cols.PROJECT_ID), r5.getAs(Cols.WORKFLOW_ID), r5.getAs(Cols.ASSET_ID)))
                .as("no spend_logs_metadata: the request tags key:value")
                .containsExactly("proj_social", "social-banner", "banner-77");
        assertThat(r5.<String>getAs(Cols.ENDPOINT)).isEqualTo("images.generations");
    }

    @Test
    void eachBadRecordIsAccountedForWithItsReason() throws Exception {
        String good = usage(60, 0, 4160, 0);
        Path f = file(
                "logs.jsonl",
                String.join(
                        "\n",
                        row("ok", "aimage_generation", "success", good, ""),
                        row("chat", "acompletion", "success", good, ""),
                        row("strmeta", "aimage_generation", "success", "\"{not json\"", ""),
                        row(
                                "wrongtype",
                                "aimage_generation",
                                "success",
                                "{\"usage_object\":{\"prompt_tokens\":\"sixty\"}}",
                                ""),
                        row("nosplit", "aimage_generation", "success", "{\"usage_object\":{\"prompt_tokens\":60}}", ""),
                        row(
                                "cached",
                                "aimage_generation",
                                "success",
                                good.replace("\"cached_tokens\":null", "\"cached_tokens\":20"),
                                ""),
                        row(
                                "mismatch",
                                "aimage_generation",
                                "success",
                                usage(60, 0, 4160, 0).replace("4160,\"text", "4000,\"text"),
                                ""),
                        row("badn", "aimage_edit", "success", good, ",\"proxy_server_request\":{\"n\":\"two\"}"),
                        row("formn", "aimage_edit", "success", good, ",\"proxy_server_request\":{\"n\":\"3\"}"),
                        row("badspend", "aimage_generation", "success", good, "")
                                .replace("0.04", "\"free\""),
                        row("badtime", "aimage_generation", "success", good, "")
                                .replace("2026-11-06T10:00:00.250000+00:00", "yesterday"),
                        "",
                        "{\"request_id\":\"twice\",\"request_id\":\"again\"}",
                        "[1,2]"));
        Map<String, Row> rows = byId(read(new LiteLlmUsage.Options(), f));
        assertThat(rows.get("ok").<String>getAs(Cols.PARSE_REASON)).isNull();
        assertReason(rows.get("chat"), QuarantineReason.INVALID_VALUE, "call_type 'acompletion' is not image usage");
        assertReason(rows.get("strmeta"), QuarantineReason.MALFORMED_RECORD, "field metadata is a JSON string");
        assertReason(
                rows.get("wrongtype"), QuarantineReason.MALFORMED_RECORD, "field metadata.usage_object.prompt_tokens");
        assertReason(rows.get("nosplit"), QuarantineReason.MISSING_FIELD, "cannot be told apart");
        assertReason(rows.get("cached"), QuarantineReason.MISSING_FIELD, "cached_tokens 20");
        assertReason(rows.get("mismatch"), QuarantineReason.INCONSISTENT_TOKENS, "output tokens 4160");
        assertReason(rows.get("badn"), QuarantineReason.MALFORMED_RECORD, "proxy_server_request.n 'two'");
        assertThat(rows.get("formn").<Integer>getAs(Cols.N))
                .as("an edit's form field n is text")
                .isEqualTo(3);
        assertReason(rows.get("badspend"), QuarantineReason.MALFORMED_RECORD, "spend must be a number");
        assertReason(rows.get("badtime"), QuarantineReason.MALFORMED_RECORD, "startTime 'yesterday'");
        List<Row> unnamed = read(new LiteLlmUsage.Options(), f)
                .filter(col(Cols.REQUEST_ID).isNull())
                .collectAsList();
        assertThat(unnamed.stream().map(r -> r.<String>getAs(Cols.PARSE_REASON)).sorted())
                .as("a blank line, a key twice, an array: every line is a row")
                .containsExactly("blank_line", "malformed_record", "malformed_record");
    }

    private static void assertReason(Row r, QuarantineReason reason, String detail) {
        assertThat(r.<String>getAs(Cols.PARSE_REASON)).as("%s", r).isEqualTo(reason.code());
        assertThat(r.<String>getAs(Cols.PARSE_DETAIL)).as("%s", r).contains(detail);
    }

    @Test
    void fieldsFromTheRowAndItsOptions() throws Exception {
        String meta = "{\"spend_logs_metadata\":{\"wf_key\":\"banners\",\"job\":42},\"usage_object\":{"
                + "\"prompt_tokens\":100,\"prompt_tokens_details\":{\"text_tokens\":100}},"
                + "\"additional_usage_values\":{\"output_tokens\":272,\"output_tokens_details\":{\"image_tokens\":260,"
                + "\"text_tokens\":12}}}";
        Path f = file(
                "page.json",
                "{\"data\":["
                        + row("a", "image_generation", "failure", meta, "")
                                .replace("\"model\":\"openai/gpt-image-2\"", "\"model\":\"\"")
                                .replace("\"request_tags\":[]", "\"request_tags\":[\"asset:pic-9\",\"asset:pic-10\"]")
                        + ","
                        + row("b", "aimage_generation", "success", usage(10, 0, 4160, 0), "")
                                .replace("\"cache_hit\":\"None\"", "\"cache_hit\":\"True\"")
                        + "],\"total\":2,\"page\":1,\"page_size\":50,\"total_pages\":1}");
        Map<String, Row> rows = byId(read(new LiteLlmUsage.Options("wf_key", "asset", "job"), f));
        Row a = rows.get("a");
        assertThat(List.of(a.getAs(Cols.WORKFLOW_ID), a.getAs(Cols.ASSET_ID), a.getAs(Cols.PROJECT_ID)))
                .as("keys are options; a number in spend_logs_metadata is its text; the first tag key:value")
                .containsExactly("banners", "pic-9", "42");
        assertThat(a.<String>getAs(Cols.MODEL)).as("model blank: model_group").isEqualTo("image-default");
        assertThat(a.<String>getAs(Cols.STATUS)).isEqualTo("failed");
        assertThat(List.of(
                        a.<Long>getAs(Cols.TEXT_TOKENS),
                        a.<Long>getAs(Cols.IMAGE_TOKENS),
                        a.<Long>getAs(Cols.OUTPUT_IMAGE_TOKENS),
                        a.<Long>getAs(Cols.OUTPUT_TEXT_TOKENS)))
                .as("usage_object first, additional_usage_values (the Images API usage) where it says nothing")
                .containsExactly(100L, 0L, 260L, 12L);
        assertThat(a.<String>getAs(Cols.PARSE_REASON)).as("%s", a).isNull();
        Row b = rows.get("b");
        assertThat(List.of(b.<Long>getAs(Cols.TEXT_TOKENS), b.<Long>getAs(Cols.OUTPUT_IMAGE_TOKENS)))
                .as("a LiteLLM cache hit was not billed by the provider")
                .containsExactly(0L, 0L);
        assertThat(b.<String>getAs(Cols.PARSE_REASON))
                .as("its counts are not held against its usage")
                .isNull();
        assertThat(b.<BigDecimal>getAs(Cols.GATEWAY_COST_USD)).isEqualByComparingTo("0.04");
    }

    @Test
    void aJsonFileThatIsNotTheApisAnswerIsOneRecordAndCsvNeedsItsHeader() throws Exception {
        Path f = file("lines.json", row("x", "aimage_generation", "success", usage(1, 0, 1, 0), "") + "\n");
        List<Row> rows = read(new LiteLlmUsage.Options(), f).collectAsList();
        assertThat(rows).hasSize(1);
        assertReason(rows.get(0), QuarantineReason.MALFORMED_RECORD, "one row per line goes in .jsonl");
        assertThat(rows.get(0).<String>getAs(Cols.RAW_RECORD)).contains("\"request_id\":\"x\"");

        Path csv = file("dump.csv", "request_id,call_type,model,spend,metadata\nr,aimage_generation,m,0,{}\n");
        assertThatThrownBy(() -> read(new LiteLlmUsage.Options(), csv).count())
                .isInstanceOf(InputException.class)
                .hasMessageContaining("lacks header column(s) [startTime]");
        assertThatThrownBy(() -> new LiteLlmUsage.Options(" ", "asset_id", "project_id"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("--litellm-workflow-key");
    }

    @Test
    void csvMetadataThatIsNotJsonNamesWhatIsWrong() throws Exception {
        String header = "request_id,call_type,startTime,model,spend,metadata,request_tags\n";
        Path csv = file(
                "dump.csv",
                header
                        + "m1,aimage_generation,2026-11-06 10:00:00,openai/gpt-image-2,0.01,{not json,[]\n"
                        + "m2,aimage_generation,2026-11-06 10:00:00,openai/gpt-image-2,0.01,"
                        + "\"{\"\"usage_object\"\":{\"\"completion_tokens\"\":1.5}}\",[]\n"
                        + "m3,aimage_generation,2026-11-06 10:00:00,openai/gpt-image-2,1.2e-05,{},not-a-list\n"
                        + "m4,aimage_generation,2026-11-06T10:00:00+01:00,openai/gpt-image-2,1.2e-05,,\n");
        Map<String, Row> rows = byId(read(new LiteLlmUsage.Options(), csv));
        assertReason(rows.get("m1"), QuarantineReason.MALFORMED_RECORD, "metadata: not one JSON object");
        assertReason(
                rows.get("m2"), QuarantineReason.MALFORMED_RECORD, "metadata: field usage_object.completion_tokens");
        assertReason(rows.get("m3"), QuarantineReason.MALFORMED_RECORD, "request_tags 'not-a-list'");
        Row m4 = rows.get("m4");
        assertThat(m4.<String>getAs(Cols.PARSE_REASON)).as("%s", m4).isNull();
        assertThat(m4.<BigDecimal>getAs(Cols.GATEWAY_COST_USD)).isEqualByComparingTo("0.000012");
        assertThat(m4.<Instant>getAs(Cols.CREATED_AT)).isEqualTo(Instant.parse("2026-11-06T09:00:00Z"));
    }

    // ---- the whole job ----

    private static Dataset<Row> runJob(Path usage, Path out, String... format) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--usage",
                usage.toString(),
                "--acceptance",
                sample("acceptance").toString(),
                "--out",
                out.toString(),
                "--full"));
        args.addAll(List.of(format));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                args.toArray(new String[0]), System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return spark.read().parquet(out.resolve("request_costs").toString());
    }

    @Test
    void aBlankKeyOptionStopsTheJobWithOneLine() throws Exception {
        Path out = tempDir("litellm-bad").resolve("out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                new String[] {
                    "--usage", sample("usage").toString(),
                    "--acceptance", sample("acceptance").toString(),
                    "--out", out.toString(),
                    "--usage-format", "litellm",
                    "--litellm-asset-key", " "
                },
                System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                spark);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(message).isEqualTo(2);
        assertThat(message).contains("--litellm-asset-key must name a key of spend_logs_metadata");
        assertThat(Files.exists(out.resolve("request_costs")))
                .as("nothing written")
                .isFalse();
    }

    @Test
    void theSamplesFiguresByHand() throws Exception {
        Dataset<Row> costs =
                runJob(sample("usage"), tempDir("litellm-out").resolve("out"), "--usage-format", "litellm");
        Map<String, Row> rows = byId(costs);
        // gpt-image-2, default tier, USD per 1M tokens: text in 5.00, image in 8.00, image out 30.00.
        // R1: 60 text x 5 = 300, 4160 image out x 30 = 124800 -> (300 + 124800) / 1e6 = 0.125100
        // R2: 61 x 5 = 305, 1724 image in x 8 = 13792, 4160 x 30 = 124800 -> 0.138897
        // R3: failed, no tokens -> 0
        // R4: 58 x 5 = 290, 2112 x 30 = 63360 -> 0.063650
        // R5: 40 x 5 = 200, 4160 x 30 = 124800 -> 0.125000
        Map<String, String> cost = Map.of(R1, "0.1251", R2, "0.138897", R3, "0", R4, "0.06365", R5, "0.125");
        // LiteLLM's own spend beside it: R2 billed image output at the text rate (4160 x 10 = 41600, so
        // 305 + 13792 + 41600 = 55697 -> 0.055697), the gateway's mistake the second opinion shows.
        Map<String, String> gateway = Map.of(R1, "0.1251", R2, "0.055697", R3, "0", R4, "0.06365", R5, "0.125");
        assertThat(rows).containsOnlyKeys(cost.keySet());
        cost.forEach((id, usd) -> {
            assertThat(rows.get(id).<BigDecimal>getAs(Cols.COST_USD)).as(id).isEqualByComparingTo(usd);
            assertThat(rows.get(id).<BigDecimal>getAs(Cols.GATEWAY_COST_USD))
                    .as(id)
                    .isEqualByComparingTo(gateway.get(id));
        });
    }

    /** The sample's five requests as the job's own usage log (schemas/usage_log.avsc) would carry them. */
    private static final List<String> SAME_AS_LOG = List.of(
            "{\"request_id\":\"" + R1 + "\",\"created\":" + epoch("2026-11-03T09:15:02Z")
                    + ",\"project_id\":\"proj_shop\","
                    + "\"workflow_id\":\"ecommerce-pdp\",\"asset_id\":\"sku-2001-front\",\"model\":\"gpt-image-2\","
                    + "\"endpoint\":\"images.generations\",\"status\":\"succeeded\",\"n\":1,"
                    + "\"usage\":{\"input_tokens\":60,"
                    + "\"output_tokens\":4160,\"total_tokens\":4220,\"input_tokens_details\":{\"text_tokens\":60,"
                    + "\"image_tokens\":0},\"output_tokens_details\":{\"image_tokens\":4160,\"text_tokens\":0}}}",
            "{\"request_id\":\"" + R2 + "\",\"created\":" + epoch("2026-11-03T09:40:11Z")
                    + ",\"project_id\":\"proj_shop\","
                    + "\"workflow_id\":\"ecommerce-pdp\",\"asset_id\":\"sku-2001-front\",\"model\":\"gpt-image-2\","
                    + "\"endpoint\":\"images.edits\",\"status\":\"succeeded\",\"n\":1,\"usage\":{\"input_tokens\":1785,"
                    + "\"output_tokens\":4160,\"total_tokens\":5945,\"input_tokens_details\":{\"text_tokens\":61,"
                    + "\"image_tokens\":1724},\"output_tokens_details\":{\"image_tokens\":4160,\"text_tokens\":0}}}",
            "{\"request_id\":\"" + R3 + "\",\"created\":" + epoch("2026-11-04T14:02:45Z")
                    + ",\"project_id\":\"proj_shop\","
                    + "\"workflow_id\":\"ecommerce-pdp\",\"asset_id\":\"sku-2002-side\",\"model\":\"gpt-image-2\","
                    + "\"endpoint\":\"images.generations\",\"status\":\"failed\",\"error_code\":\"500\",\"n\":1,"
                    + "\"size\":\"1024x1024\",\"quality\":\"high\"}",
            "{\"request_id\":\"" + R4 + "\",\"created\":" + epoch("2026-11-04T14:03:30Z")
                    + ",\"project_id\":\"proj_shop\","
                    + "\"workflow_id\":\"ecommerce-pdp\",\"asset_id\":\"sku-2002-side\",\"model\":\"gpt-image-2\","
                    + "\"endpoint\":\"images.generations\",\"status\":\"succeeded\",\"n\":2,\"size\":\"1536x1024\","
                    + "\"quality\":\"medium\",\"usage\":{\"input_tokens\":58,"
                    + "\"output_tokens\":2112,\"total_tokens\":2170,"
                    + "\"input_tokens_details\":{\"text_tokens\":58,\"image_tokens\":0}}}",
            "{\"request_id\":\"" + R5 + "\",\"created\":" + epoch("2026-11-05T08:20:17Z")
                    + ",\"project_id\":\"proj_social\","
                    + "\"workflow_id\":\"social-banner\",\"asset_id\":\"banner-77\",\"model\":\"gpt-image-2\","
                    + "\"endpoint\":\"images.generations\",\"status\":\"succeeded\",\"n\":1,"
                    + "\"usage\":{\"input_tokens\":40,"
                    + "\"output_tokens\":4160,\"total_tokens\":4200,\"input_tokens_details\":{\"text_tokens\":40,"
                    + "\"image_tokens\":0}}}");

    @Test
    void theSameRequestsAsAUsageLogGiveTheSameRequestCosts() throws Exception {
        Path log = tempDir("litellm-log").resolve("usage");
        Files.createDirectories(log);
        Files.write(log.resolve("usage-2026-11.jsonl"), SAME_AS_LOG, StandardCharsets.UTF_8);
        Dataset<Row> fromLog =
                runJob(log, tempDir("log-out").resolve("out")).drop(Cols.SOURCE_FILE, Cols.GATEWAY_COST_USD);
        Dataset<Row> fromLiteLlm = runJob(
                        sample("usage"), tempDir("litellm-out").resolve("out"), "--usage-format", "litellm")
                .drop(Cols.SOURCE_FILE, Cols.GATEWAY_COST_USD)
                .select(Arrays.stream(fromLog.columns()).map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new));
        assertThat(fromLog.count()).isEqualTo(5);
        assertThat(fromLiteLlm.exceptAll(fromLog).collectAsList())
                .as("rows of the LiteLLM run the log's run does not have")
                .isEmpty();
        assertThat(fromLog.exceptAll(fromLiteLlm).collectAsList())
                .as("rows of the log's run the LiteLLM run does not have")
                .isEmpty();
    }
}
