package io.assetcost.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.UsageReader;
import io.assetcost.schema.Cols;
import io.assetcost.schema.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Reading and validating usage and acceptance records: a reason for every bad record, nothing lost. */
class ValidationTest extends SparkTestBase {

    private static final String T = "2026-05-01T12:00:00Z";

    private static Map<String, String> reasonsById(Dataset<Row> quarantined) {
        Map<String, String> out = new HashMap<>();
        for (Row r : quarantined.collectAsList()) {
            out.put(
                    r.getAs(Cols.REQUEST_ID) == null ? r.getAs(Cols.RAW_RECORD) : r.getAs(Cols.REQUEST_ID),
                    r.getAs(Cols.PARSE_REASON));
        }
        return out;
    }

    @Test
    void eachBadUsageRecordGetsItsReasonAndNoneIsLost() {
        long t = epoch(T);
        String[] lines = {
            line("good", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
            "{\"request_id\":\"cut\",\"created\":" + t + ",\"model\":\"gpt-ima",
            "[1,2,3]",
            "{\"request_id\":\"typed\",\"created\":\"yesterday\",\"workflow_id\":\"wf\"}",
            "{\"request_id\":\"nowf\",\"created\":" + t
                    + ",\"model\":\"gpt-image-2\",\"status\":\"succeeded\",\"n\":1}",
            "{\"request_id\":\"noblank\",\"created\":" + t
                    + ",\"workflow_id\":\"  \",\"model\":\"m\",\"status\":\"succeeded\",\"n\":1}",
            "{\"request_id\":\"millis\",\"created\":" + t * 1000
                    + ",\"workflow_id\":\"wf\",\"model\":\"m\",\"status\":\"succeeded\",\"n\":1}",
            "{\"request_id\":\"zero_n\",\"created\":" + t
                    + ",\"workflow_id\":\"wf\",\"model\":\"m\",\"status\":\"succeeded\",\"n\":0}",
            line("negative", T, "gpt-image-2", "default", 100, 0, 0, 0, -5, 0),
            line("cached_text", T, "gpt-image-2", "default", 100, 101, 0, 0, 5, 0),
            line("cached_image", T, "gpt-image-2", "default", 100, 0, 10, 11, 5, 0),
            "{\"request_id\":\"nodetails\",\"created\":" + t
                    + ",\"workflow_id\":\"wf\",\"model\":\"m\",\"status\":\"succeeded\",\"n\":1,"
                    + "\"usage\":{\"input_tokens\":300,\"output_tokens\":10,\"total_tokens\":310}}",
            "{\"request_id\":\"inconsistent\",\"created\":" + t
                    + ",\"workflow_id\":\"wf\",\"model\":\"m\",\"status\":\"succeeded\",\"n\":1,"
                    + "\"usage\":{\"input_tokens\":300,\"output_tokens\":10,\"total_tokens\":310,\"input_tokens_detail"
                    + "s\":{\"text_tokens\":100,\"image_tokens\":100}}}",
            "   ",
        };
        Dataset<Row> canonical = usageLines(lines);
        assertThat(canonical.count()).as("every physical line is a row").isEqualTo(lines.length);
        UsageValidation.Result v = UsageValidation.validate(canonical);
        Map<String, String> reasons = reasonsById(v.quarantined());
        assertThat(reasons)
                .containsEntry("typed", "malformed_record")
                .containsEntry("nowf", "missing_field")
                .containsEntry("noblank", "missing_field")
                .containsEntry("millis", "invalid_value")
                .containsEntry("zero_n", "invalid_value")
                .containsEntry("negative", "negative_tokens")
                .containsEntry("cached_text", "cached_exceeds_total")
                .containsEntry("cached_image", "cached_exceeds_total")
                .containsEntry("nodetails", "missing_field")
                .containsEntry("inconsistent", "inconsistent_tokens");
        assertThat(reasons.values()).filteredOn("malformed_record"::equals).hasSize(3);
        assertThat(v.accepted().collectAsList())
                .extracting(r -> (String) r.getAs(Cols.REQUEST_ID))
                .containsExactly("good");
        long blank = v.flagged().filter(UsageValidation.blank()).count();
        assertThat(blank)
                .as("the whitespace-only line is skipped, not quarantined")
                .isEqualTo(1);
        assertThat(v.accepted().count()
                        + v.quarantined().count()
                        + v.duplicatesDropped().count()
                        + blank)
                .isEqualTo(canonical.count());
        assertThat(v.quarantined().filter("parse_detail is null").count())
                .as("every reason has a detail")
                .isZero();
    }

    @Test
    void exactDuplicatesCountOnceAndConflictingDuplicatesAreAllQuarantined() {
        String a = line("dup", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0);
        String b1 = line("conflict", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0);
        String b2 = line("conflict", T, "gpt-image-2", "default", 100, 0, 0, 0, 200, 0);
        UsageValidation.Result v = UsageValidation.validate(usageLines(a, a, a, b1, b2));
        assertThat(v.accepted().count()).isEqualTo(1);
        assertThat(v.duplicatesDropped().count()).isEqualTo(2);
        assertThat(v.quarantined().collectAsList())
                .hasSize(2)
                .allSatisfy(r -> assertThat((String) r.getAs(Cols.PARSE_REASON)).isEqualTo("conflicting_duplicate"));
    }

    /**
     * A usage log line of request {@code id} (2026-05-01 12:00 UTC, 500 text input tokens): its
     * usage.output_tokens is {@code outputTokens} and its output_tokens_details.image_tokens {@code outImage}.
     * When the two differ the line breaks a record rule ({@code inconsistent_tokens}), but its canonical
     * fields are the same as those of the line where they agree at {@code outImage}: the details win.
     */
    private static String logged(String id, long outputTokens, long outImage) {
        return String.format(
                java.util.Locale.ROOT,
                "{\"request_id\":\"%s\",\"created\":%d,\"project_id\":\"proj\",\"workflow_id\":\"wf\","
                        + "\"asset_id\":\"a-%s\",\"model\":\"gpt-image-2\",\"endpoint\":\"images.generations\","
                        + "\"service_tier\":\"default\",\"status\":\"succeeded\",\"n\":1,\"size\":\"1024x1024\","
                        + "\"quality\":\"high\",\"usage\":{\"input_tokens\":500,\"output_tokens\":%d,"
                        + "\"input_tokens_details\":{\"text_tokens\":500,\"image_tokens\":0},"
                        + "\"output_tokens_details\":{\"image_tokens\":%d,\"text_tokens\":0}}}",
                id,
                epoch(T),
                id,
                outputTokens,
                outImage);
    }

    /** The flat export's CSV row of the same facts as {@link #logged} with {@code outImage} image output tokens. */
    private static String exported(String id, long outImage) {
        return id + "," + T + ",proj,wf,a-" + id
                + ",gpt-image-2,images.generations,default,succeeded,,1,1024x1024,high," + "500,0,0,0," + outImage
                + ",0\r\n";
    }

    /** The flat export's Parquet row of the same facts as {@link #logged} with {@code outImage} image output tokens. */
    private static Row exportedRow(String id, long outImage) {
        return RowFactory.create(
                id,
                Instant.parse(T),
                "proj",
                "wf",
                "a-" + id,
                "gpt-image-2",
                "images.generations",
                "default",
                "succeeded",
                null,
                1,
                "1024x1024",
                "high",
                500L,
                0L,
                0L,
                0L,
                outImage,
                0L);
    }

    /** Where each record of a request ended: priced, duplicate, or its quarantine reason; one entry per record. */
    private static List<String> outcomes(UsageValidation.Result v, String requestId) {
        return v
                .flagged()
                .filter(org.apache.spark.sql.functions.col(Cols.REQUEST_ID).equalTo(requestId))
                .collectAsList()
                .stream()
                .map(r -> r.<Boolean>getAs(Cols.DUPLICATE)
                        ? "duplicate"
                        : r.getAs(Cols.PARSE_REASON) == null ? "priced" : r.<String>getAs(Cols.PARSE_REASON))
                .toList();
    }

    /** The details of the records of a request quarantined for {@code reason}. */
    private static List<String> details(UsageValidation.Result v, String requestId, String reason) {
        return v
                .quarantined()
                .filter(org.apache
                        .spark
                        .sql
                        .functions
                        .col(Cols.REQUEST_ID)
                        .equalTo(requestId)
                        .and(org.apache
                                .spark
                                .sql
                                .functions
                                .col(Cols.PARSE_REASON)
                                .equalTo(reason)))
                .collectAsList()
                .stream()
                .map(r -> r.<String>getAs(Cols.PARSE_DETAIL))
                .toList();
    }

    /** Usage read from every file of a directory by the real readers, partitioned as the job does, validated. */
    private static UsageValidation.Result validateDirectory(Path dir) {
        Map<InputFiles.Kind, List<String>> files = InputFiles.list(
                spark.sparkContext().hadoopConfiguration(),
                "--usage",
                dir.toString(),
                List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV, InputFiles.Kind.PARQUET));
        return UsageValidation.validate(UsageValidation.byRequestId(UsageReader.read(spark, files)));
    }

    private static void assertNonePriced(UsageValidation.Result v, String... requestIds) {
        assertThat(v.accepted().collectAsList())
                .as("requests whose copies disagree are not priced")
                .extracting(r -> (String) r.getAs(Cols.REQUEST_ID))
                .doesNotContain(requestIds);
    }

    /**
     * The case: a request logged twice in one file, the second copy with usage.output_tokens 5000
     * where its details say 4160. The copy that breaks the rule keeps its reason; its twin, which alone is
     * valid, is not priced either: it is a conflicting duplicate whose detail names the sibling's reason.
     */
    @Test
    void aCopyThatBreaksARuleLetsNoTwinBePriced() {
        String[] lines = {logged("r1", 4160, 4160), logged("r1", 5000, 4160)};
        UsageValidation.Result v = UsageValidation.validate(usageLines(lines));

        assertThat(outcomes(v, "r1")).containsExactlyInAnyOrder("inconsistent_tokens", "conflicting_duplicate");
        assertNonePriced(v, "r1");
        assertThat(details(v, "r1", "conflicting_duplicate"))
                .containsExactly("request_id r1 has 2 records that differ; none is priced; 1 copy broke a rule:"
                        + " inconsistent_tokens");
        assertThat(details(v, "r1", "inconsistent_tokens"))
                .as("the invalid copy keeps its own detail")
                .hasSize(1)
                .allSatisfy(d -> assertThat(d).contains("usage.output_tokens 5000 differs"));
        assertThat(v.flagged().count()).isEqualTo(lines.length);
    }

    /** The same pair with the copy that breaks the rule in another file of the same directory. */
    @Test
    void aCopyThatBreaksARuleInAnotherFileLetsNoTwinBePriced() throws Exception {
        Path dir = tempDir("copies-files");
        Files.writeString(dir.resolve("a.jsonl"), logged("r2", 4160, 4160) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("b.jsonl"), logged("r2", 5000, 4160) + "\n", StandardCharsets.UTF_8);

        UsageValidation.Result v = validateDirectory(dir);

        assertThat(outcomes(v, "r2")).containsExactlyInAnyOrder("inconsistent_tokens", "conflicting_duplicate");
        assertNonePriced(v, "r2");
        assertThat(details(v, "r2", "conflicting_duplicate"))
                .containsExactly("request_id r2 has 2 records that differ; none is priced; 1 copy broke a rule:"
                        + " inconsistent_tokens");
    }

    /**
     * The copy that breaks the rule is a log line, its twin an export row (CSV for x1, Parquet for x2) of the
     * same facts. Their canonical fields are equal (the line's details win over its output_tokens), so only
     * the broken rule tells them apart: that is enough for neither to be priced.
     */
    @Test
    void aCopyThatBreaksARuleInAnotherFormatLetsNoTwinBePriced() throws Exception {
        Path dir = tempDir("copies-formats");
        Files.writeString(
                dir.resolve("log.jsonl"),
                logged("x1", 5000, 4160) + "\n" + logged("x2", 5000, 4160) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("export.csv"),
                String.join(",", Schemas.fieldNames(Schemas.USAGE_EXPORT)) + "\r\n" + exported("x1", 4160),
                StandardCharsets.UTF_8);
        spark.createDataFrame(List.of(exportedRow("x2", 4160)), Schemas.spark(Schemas.USAGE_EXPORT))
                .coalesce(1)
                .write()
                .parquet(dir.resolve("export.parquet").toString());

        UsageValidation.Result v = validateDirectory(dir);

        assertThat(v.flagged()
                        .filter(org.apache
                                .spark
                                .sql
                                .functions
                                .col(Cols.REQUEST_ID)
                                .isin("x1", "x2"))
                        .select(UsageValidation.CONTENT.stream()
                                .map(org.apache.spark.sql.functions::col)
                                .toArray(org.apache.spark.sql.Column[]::new))
                        .distinct()
                        .count())
                .as("precondition: each pair is equal in every canonical field")
                .isEqualTo(2);
        for (String id : List.of("x1", "x2")) {
            assertThat(outcomes(v, id))
                    .as(id)
                    .containsExactlyInAnyOrder("inconsistent_tokens", "conflicting_duplicate");
            assertThat(details(v, id, "conflicting_duplicate"))
                    .containsExactly("request_id " + id + " has 2 records that differ; none is priced; 1 copy broke a"
                            + " rule: inconsistent_tokens");
        }
        assertNonePriced(v, "x1", "x2");
    }

    /**
     * Three copies of which two agree: all three are quarantined, and the two that agree are not taken for
     * exact duplicates (each record is counted once, as quarantined). Identical copies that all break the
     * same rule are still each quarantined with it, and nothing of theirs is a duplicate.
     */
    @Test
    void threeCopiesOfWhichTwoAgreeAreAllQuarantined() {
        String[] lines = {
            logged("t1", 4160, 4160),
            logged("t1", 4160, 4160),
            logged("t1", 6240, 6240),
            logged("t2", 4160, 4160),
            logged("t2", 4160, 4160),
            logged("t2", 5000, 4160),
            logged("t3", 4160, 4160),
            logged("t3", 5000, 4160),
            logged("t3", -1, -1),
            logged("t4", 5000, 4160),
            logged("t4", 5000, 4160),
        };
        UsageValidation.Result v = UsageValidation.validate(usageLines(lines));

        assertThat(outcomes(v, "t1"))
                .containsExactly("conflicting_duplicate", "conflicting_duplicate", "conflicting_duplicate");
        assertThat(details(v, "t1", "conflicting_duplicate"))
                .containsOnly("request_id t1 has 3 records that differ; none is priced");
        assertThat(outcomes(v, "t2"))
                .containsExactlyInAnyOrder("conflicting_duplicate", "conflicting_duplicate", "inconsistent_tokens");
        assertThat(details(v, "t2", "conflicting_duplicate"))
                .containsOnly("request_id t2 has 3 records that differ; none is priced; 1 copy broke a rule:"
                        + " inconsistent_tokens");
        assertThat(outcomes(v, "t3"))
                .containsExactlyInAnyOrder("conflicting_duplicate", "inconsistent_tokens", "negative_tokens");
        assertThat(details(v, "t3", "conflicting_duplicate"))
                .containsExactly("request_id t3 has 3 records that differ; none is priced; 2 copies broke a rule:"
                        + " inconsistent_tokens, negative_tokens");
        assertThat(outcomes(v, "t4"))
                .as("identical copies that break a rule: each quarantined with it")
                .containsExactly("inconsistent_tokens", "inconsistent_tokens");
        assertNonePriced(v, "t1", "t2", "t3", "t4");
        assertThat(v.duplicatesDropped().count()).isZero();
        assertThat(v.quarantined().count()).isEqualTo(lines.length);
        assertThat(v.flagged().count()).isEqualTo(lines.length);
    }

    /**
     * A decision on a request whose copies disagree is not used: the request is in quarantine and none of its
     * copies is priced, so the decision is {@code request_quarantined} (before, it met the twin that was
     * priced and was used).
     */
    @Test
    void aDecisionOnARequestWhoseCopiesDisagreeIsNotUsed() throws Exception {
        UsageValidation.Result usage = UsageValidation.validate(
                usageLines(logged("r5", 4160, 4160), logged("r5", 5000, 4160), logged("r6", 4160, 4160)));
        Path file = tempDir("acc-copies").resolve("acceptance.csv");
        Files.writeString(
                file,
                "request_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\r\n"
                        + "r5,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "r6,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n",
                StandardCharsets.UTF_8);
        Dataset<Row> records = CsvSource.read(
                spark, List.of(file.toUri().toString()), Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), false);

        AcceptanceValidation.Result v = AcceptanceValidation.validate(
                records,
                usage.accepted().select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT),
                usage.quarantined().select(Cols.REQUEST_ID));

        assertThat(v.decisions().collectAsList())
                .extracting(r -> (String) r.getAs(Cols.REQUEST_ID))
                .containsExactly("r6");
        assertThat(v.quarantined().collectAsList())
                .extracting(r -> r.getAs(Cols.REQUEST_ID) + " " + r.getAs(Cols.PARSE_REASON))
                .containsExactly("r5 request_quarantined");
    }

    /**
     * AcceptanceValidation on its own: a request that is both among the priced requests and held (a usage
     * record of it in quarantine) holds its decisions. Usage validation no longer produces such a request;
     * the rule must not depend on that.
     */
    @Test
    void aDecisionOnARequestWithARecordInQuarantineIsNotUsedEvenIfTheRequestIsPriced() throws Exception {
        Dataset<Row> requests = UsageValidation.validate(usageLines(logged("r7", 4160, 4160), logged("r8", 4160, 4160)))
                .accepted()
                .select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT);
        Path file = tempDir("acc-held").resolve("acceptance.csv");
        Files.writeString(
                file,
                "request_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\r\n"
                        + "r7,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "r8,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n",
                StandardCharsets.UTF_8);
        Dataset<Row> records = CsvSource.read(
                spark, List.of(file.toUri().toString()), Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), false);

        AcceptanceValidation.Result v =
                AcceptanceValidation.validate(records, requests, spark.sql("select 'r7' as request_id"));

        assertThat(v.decisions().collectAsList())
                .extracting(r -> (String) r.getAs(Cols.REQUEST_ID))
                .containsExactly("r8");
        assertThat(v.quarantined().collectAsList())
                .extracting(r -> r.getAs(Cols.REQUEST_ID) + " " + r.getAs(Cols.PARSE_REASON))
                .containsExactly("r7 request_quarantined");
    }

    /**
     * Copies of one decision (every field equal once typed) that break a request rule: the first by source file and
     * text goes to quarantine, as received, and the others are exact duplicates, counted and not quarantined; copies
     * of a trusted decision give one decision whichever is kept.
     */
    @Test
    void copiesOfADecisionThatBreaksARequestRuleAreQuarantinedOnceTheFirstByFileAndText() throws Exception {
        Dataset<Row> requests = UsageValidation.validate(
                        usageLines(line("q1", T, "gpt-image-2", "default", 10, 0, 0, 0, 10, 0)))
                .accepted()
                .select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT);
        Path dir = tempDir("acc-dup-rules");
        String header = "request_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\r\n";
        Files.writeString(
                dir.resolve("b.csv"),
                header + "zz,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "q1,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n",
                StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("a.csv"),
                header + "zz,0,,,Approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "zz,0,,, approved,2026-05-01T15:00:00+02:00,rev,\r\n"
                        + "q1,0,,,APPROVED,2026-05-01T13:00:00Z,rev,\r\n",
                StandardCharsets.UTF_8);
        Dataset<Row> records = CsvSource.read(
                spark,
                List.of(
                        dir.resolve("b.csv").toUri().toString(),
                        dir.resolve("a.csv").toUri().toString()),
                Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD),
                false);

        AcceptanceValidation.Result v =
                AcceptanceValidation.validate(records, requests, spark.sql("select 'held' as request_id"));

        assertThat(v.quarantined().collectAsList()).singleElement().satisfies(r -> {
            assertThat(r.<String>getAs(Cols.PARSE_REASON)).isEqualTo("unknown_request");
            assertThat(r.<String>getAs(Cols.SOURCE_FILE)).endsWith("a.csv");
            assertThat(r.<String>getAs(Cols.RAW_RECORD))
                    .isEqualTo("zz,0,,,\" approved\",2026-05-01T15:00:00+02:00,rev,");
        });
        assertThat(v.decisions().collectAsList())
                .extracting(r -> r.getAs(Cols.REQUEST_ID) + " " + r.getAs(Cols.DECISION))
                .containsExactly("q1 approved");
        assertThat(v.duplicatesDropped().collectAsList())
                .extracting(r -> (String) r.getAs(Cols.REQUEST_ID))
                .containsExactlyInAnyOrder("zz", "zz", "q1");
        assertThat(v.duplicatesDropped().collectAsList())
                .allSatisfy(r -> assertThat(r.<String>getAs(Cols.PARSE_REASON)).isNull());
    }

    @Test
    void aRequestWithoutAssetIdIsItsOwnAsset() {
        String noAsset = "{\"request_id\":\"solo\",\"created\":" + epoch(T)
                + ",\"workflow_id\":\"wf\",\"model\":\"gpt-image-2\",\"status\":\"succeeded\",\"n\":1}";
        Row r = UsageValidation.validate(usageLines(noAsset)).accepted().first();
        assertThat((String) r.getAs(Cols.ASSET_ID)).isEqualTo("solo");
        assertThat((String) r.getAs(Cols.SERVICE_TIER))
                .as("absent tier = default")
                .isEqualTo("default");
    }

    @Test
    void flatCsvExportReadsQuotedFieldsOffsetsAndReportsBadCells() throws Exception {
        Path dir = tempDir("flat");
        Path file = dir.resolve("export.csv");
        Files.writeString(
                file,
                "\uFEFF"
                        + "request_id,created_at,project_id,workflow_id,asset_id,model,endpoint,service_tier,status,er"
                        + "ror_code,n,size,quality,"
                        + "input_text_tokens,input_cached_text_tokens,input_image_tokens,input_cached_image_tokens,out"
                        + "put_image_tokens,output_text_tokens\r\n"
                        + "r1,2026-05-01T14:00:00+02:00,p,\"wf, with comma\",a1,gpt-image-2,images.edits,batch,succeed"
                        + "ed,,1,1024x1024,high,700,0,2500,0,3000,0\r\n"
                        + "r2,2026-05-01T12:00:00Z,p,wf,,gpt-image-2,images.generations,,failed,server_error,1,,,,,,,"
                        + ",\r\n"
                        + "r3,not a time,p,wf,,gpt-image-2,images.generations,,succeeded,,two,,,1,,,,,\r\n"
                        + "r4,2026-05-01T12:00:00Z,p,wf\r\n",
                StandardCharsets.UTF_8);
        List<String> files = List.of(file.toUri().toString());
        CsvSource.checkHeaders(
                spark.sparkContext().hadoopConfiguration(), "--usage", files, Schemas.fieldNames(Schemas.USAGE_EXPORT));
        Dataset<Row> canonical =
                UsageReader.fromExportCsv(CsvSource.read(spark, files, Schemas.fieldNames(Schemas.USAGE_EXPORT), true));
        Map<String, Row> rows = new HashMap<>();
        for (Row r : canonical.collectAsList()) {
            rows.put(r.getAs(Cols.REQUEST_ID), r);
        }
        Row r1 = rows.get("r1");
        assertThat((Instant) r1.getAs(Cols.CREATED_AT)).isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
        assertThat((String) r1.getAs(Cols.WORKFLOW_ID)).isEqualTo("wf, with comma");
        assertThat((String) r1.getAs(Cols.SERVICE_TIER)).isEqualTo("batch");
        assertThat((Long) r1.getAs(Cols.IMAGE_TOKENS)).isEqualTo(2500L);
        assertThat((String) r1.getAs(Cols.PARSE_REASON)).isNull();
        assertThat((Long) rows.get("r2").getAs(Cols.OUTPUT_IMAGE_TOKENS))
                .as("empty = 0")
                .isZero();
        assertThat((String) rows.get("r3").getAs(Cols.PARSE_REASON)).isEqualTo("malformed_record");
        assertThat((String) rows.get("r3").getAs(Cols.PARSE_DETAIL)).contains("created_at 'not a time'");
        assertThat((String) rows.get("r4").getAs(Cols.PARSE_REASON)).isEqualTo("malformed_record");
        assertThat((String) rows.get("r4").getAs(Cols.PARSE_DETAIL)).contains("4 fields where the header has 19");
        assertThat((String) rows.get("r1").getAs(Cols.RAW_RECORD)).contains("\"wf, with comma\"");
    }

    @Test
    void flatParquetExportReadsWithTheContractSchema() throws Exception {
        Path dir = tempDir("parquet");
        Row row = RowFactory.create(
                "p1",
                Instant.parse("2026-05-01T12:00:00Z"),
                "proj",
                "wf",
                null,
                "gpt-image-2",
                "images.edits",
                null,
                "succeeded",
                null,
                1,
                "1024x1024",
                "high",
                700L,
                200L,
                2500L,
                0L,
                3000L,
                0L);
        spark.createDataFrame(List.of(row), Schemas.spark(Schemas.USAGE_EXPORT))
                .write()
                .parquet(dir.resolve("export.parquet").toString());
        Map<InputFiles.Kind, List<String>> files = InputFiles.list(
                spark.sparkContext().hadoopConfiguration(),
                "--usage",
                dir.toString(),
                List.of(InputFiles.Kind.PARQUET));
        Row r = UsageReader.read(spark, files).first();
        assertThat((String) r.getAs(Cols.PARSE_REASON)).isNull();
        assertThat((Instant) r.getAs(Cols.CREATED_AT)).isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
        assertThat((String) r.getAs(Cols.SERVICE_TIER)).isEqualTo("default");
        assertThat((Long) r.getAs(Cols.CACHED_TEXT_TOKENS)).isEqualTo(200L);
        assertThat((String) r.getAs(Cols.RAW_RECORD))
                .as("rendered only for quarantine")
                .isNull();
        assertThat((String) UsageReader.read(spark, files)
                        .select(UsageValidation.rawRecord())
                        .first()
                        .getString(0))
                .contains("\"request_id\":\"p1\"", "\"input_cached_text_tokens\":200");
        assertThat((String) r.getAs(Cols.SOURCE_FILE)).contains("export.parquet");

        // A warehouse that wrote tokens as text: unusable input, refused before anything is written.
        Path bad = tempDir("parquet-bad");
        spark.sql("select 'p2' as request_id, '700' as input_text_tokens")
                .write()
                .parquet(bad.resolve("bad.parquet").toString());
        Path out = bad.resolve("out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                new String[] {
                    "--usage",
                    bad.toString(),
                    "--acceptance",
                    repoRoot().resolve("sample-data/acceptance").toString(),
                    "--out",
                    out.toString()
                },
                System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                spark);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("input_text_tokens is string, expected bigint");
        assertThat(Files.exists(out)).isFalse();
    }

    private static Row exportRow(String id, String workflow, int n) {
        return RowFactory.create(
                id,
                Instant.parse(T),
                "proj",
                workflow,
                null,
                "gpt-image-2",
                "images.generations",
                null,
                "succeeded",
                null,
                n,
                "1024x1024",
                "high",
                700L,
                0L,
                0L,
                0L,
                3000L,
                0L);
    }

    /**
     * Parquet copies are compared as received, field by field (export_row), without the row's JSON; only a
     * quarantined row's JSON is rendered, and it is the row as read.
     */
    @Test
    void parquetCopiesAreComparedAsReceivedAndOnlyQuarantinedRowsKeepTheirText() throws Exception {
        Path dir = tempDir("parquet-copies");
        StructType export = Schemas.spark(Schemas.USAGE_EXPORT);
        spark.createDataFrame(List.of(exportRow("same", "wf", 1), exportRow("spaced", " wf", 1)), export)
                .coalesce(1)
                .write()
                .parquet(dir.resolve("a.parquet").toString());
        spark.createDataFrame(
                        List.of(exportRow("same", "wf", 1), exportRow("spaced", "wf", 1), exportRow("none", "wf", 0)),
                        export)
                .coalesce(1)
                .write()
                .parquet(dir.resolve("b.parquet").toString());
        Map<InputFiles.Kind, List<String>> files = InputFiles.list(
                spark.sparkContext().hadoopConfiguration(),
                "--usage",
                dir.toString(),
                List.of(InputFiles.Kind.PARQUET));

        UsageValidation.Result v = UsageValidation.validate(UsageReader.read(spark, files));

        assertThat(v.accepted().collectAsList())
                .extracting(r -> (String) r.getAs(Cols.REQUEST_ID))
                .containsExactly("same");
        assertThat(v.duplicatesDropped().count()).isEqualTo(1);
        List<Row> held =
                v.quarantined().orderBy(Cols.REQUEST_ID, Cols.SOURCE_FILE).collectAsList();
        assertThat(held)
                .extracting(r -> r.getAs(Cols.REQUEST_ID) + " " + r.getAs(Cols.PARSE_REASON))
                .containsExactly("none invalid_value", "spaced conflicting_duplicate", "spaced conflicting_duplicate");
        assertThat(held)
                .extracting(r -> (String) r.getAs(Cols.RAW_RECORD))
                .allSatisfy(raw -> assertThat(raw).startsWith("{\"request_id\":"));
        assertThat((String) held.get(1).getAs(Cols.RAW_RECORD)).contains("\"workflow_id\":\" wf\"");
        assertThat((String) held.get(2).getAs(Cols.RAW_RECORD)).contains("\"workflow_id\":\"wf\"");
        assertThat(v.accepted().first().<String>getAs(Cols.RAW_RECORD))
                .as("not rendered")
                .isNull();
    }

    /** Found by InputFuzzTest: the rendered row kept its time only to the millisecond, Spark's JSON default. */
    @Test
    void aQuarantinedParquetRowKeepsItsTimeToTheMicrosecond() {
        Row row = exportRow("micros", "wf", 0);
        Object[] values = new Object[row.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        values[1] = Instant.parse("2026-05-01T12:00:00.123456Z");
        Dataset<Row> rows = spark.createDataFrame(
                        List.of(RowFactory.create(values)), Schemas.spark(Schemas.USAGE_EXPORT))
                .withColumn(Cols.SOURCE_FILE, org.apache.spark.sql.functions.lit("export.parquet"));

        Row held = UsageValidation.validate(UsageReader.fromExportParquet(rows))
                .quarantined()
                .first();

        assertThat(held.<String>getAs(Cols.PARSE_REASON)).isEqualTo("invalid_value");
        assertThat(held.<String>getAs(Cols.RAW_RECORD)).contains("\"created_at\":\"2026-05-01T12:00:00.123456Z\"");
    }

    @Test
    void acceptanceRecordsAsSpreadsheetsWriteThem() throws Exception {
        Dataset<Row> requests = UsageValidation.validate(usageLines(
                        line("q1", T, "gpt-image-2", "default", 10, 0, 0, 0, 10, 0),
                        line("q2", T, "gpt-image-2", "default", 10, 0, 0, 0, 10, 0)))
                .accepted();
        Path file = tempDir("acc").resolve("acceptance.csv");
        Files.writeString(
                file,
                "\uFEFFrequest_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\r\n"
                        + "q1,0,a-q1,wf,Approved ,2026-05-01T14:00:00+02:00,rev,\"Fine, \"\"ship\"\" it\r\nsecond lin"
                        + "e\"\r\n"
                        + "q1,0,a-q1,wf,Approved ,2026-05-01T14:00:00+02:00,rev,\"Fine, \"\"ship\"\" it\r\nsecond lin"
                        + "e\"\r\n"
                        + "q2,0,,,rejected,2026-05-01T13:00:00Z,rev,\r\n"
                        + "q9,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "q1,1,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "q1,0,,,maybe,2026-05-01T13:00:00Z,rev,\r\n"
                        + "q1,0,,,approved,13:00 yesterday,rev,\r\n"
                        + "q1,x,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "q1,0,other-asset,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + "held,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                        + ",0,,,approved,2026-05-01T13:00:00Z,rev,\r\n",
                StandardCharsets.UTF_8);
        Dataset<Row> records = CsvSource.read(
                spark, List.of(file.toUri().toString()), Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), false);
        Dataset<Row> held = spark.sql("select 'held' as request_id");
        AcceptanceValidation.Result v = AcceptanceValidation.validate(
                records,
                requests.select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT),
                held);
        List<Row> decisions = v.decisions().orderBy(Cols.REQUEST_ID).collectAsList();
        assertThat(decisions).hasSize(2);
        Row first = decisions.get(0);
        assertThat((String) first.getAs(Cols.DECISION)).isEqualTo("approved");
        assertThat((Instant) first.getAs(Cols.DECIDED_AT)).isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
        assertThat((String) decisions.get(1).getAs(Cols.ASSET_ID))
                .as("the request's asset")
                .isEqualTo("a-q2");
        assertThat(v.duplicatesDropped().count()).isEqualTo(1);
        assertThat(v.quarantined().collectAsList())
                .extracting(r -> (String) r.getAs(Cols.PARSE_REASON))
                .containsExactlyInAnyOrder(
                        "unknown_request",
                        "image_index_out_of_range",
                        "invalid_decision",
                        "invalid_timestamp",
                        "malformed_record",
                        "asset_mismatch",
                        "request_quarantined",
                        "missing_field");
        assertThat(records.count())
                .isEqualTo(v.decisions().count()
                        + v.quarantined().count()
                        + v.duplicatesDropped().count());
    }
}
