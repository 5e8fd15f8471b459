package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.UsageFormat;
import io.assetcost.io.UsageFormatOptions;
import io.assetcost.io.UsageReader;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.schema.Cols;
import io.assetcost.schema.Schemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The labelled hostile corpus ({@code src/test/resources/hostile/}): every record of every file has a label
 * in {@code hostile/expect/} saying where it must end up (priced or used, a duplicate, a blank line, or
 * quarantined with which reason). The real readers and validation run over each file and each record is
 * held to its label; nothing else may appear. Then the whole corpus goes through the job, which must exit 0
 * or 3 (never 1) with every record accounted for.
 */
class HostileCorpusTest extends SparkTestBase {

    private static Path corpus() {
        return repoRoot().resolve("jobs/src/test/resources/hostile");
    }

    /** One line of an expect file: labels (one per record the marker matches) and a marker. */
    private record Expectation(List<String> labels, String marker) {
        boolean matches(String raw) {
            return marker.equals("<blank>") ? raw == null || raw.isBlank() : raw != null && raw.contains(marker);
        }
    }

    private static List<Expectation> expectations(String input, String file) throws Exception {
        List<Expectation> out = new ArrayList<>();
        for (String line :
                Files.readAllLines(corpus().resolve("expect").resolve(input).resolve(file + ".tsv"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] parts = line.split("\t", 2);
                out.add(new Expectation(List.of(parts[0].split(",")), parts[1]));
            }
        }
        return out;
    }

    /** Holds every row of one file to its expectation: exactly one matches each row, labels as a multiset. */
    private static void assertLabelled(String input, String file, List<Row> rows) throws Exception {
        List<Expectation> expected = expectations(input, file);
        Map<Expectation, List<String>> actual = new HashMap<>();
        for (Row r : rows) {
            String raw = r.getString(0);
            List<Expectation> hits =
                    expected.stream().filter(e -> e.matches(raw)).toList();
            assertThat(hits)
                    .as("%s: record %s must match exactly one expectation", file, raw)
                    .hasSize(1);
            actual.computeIfAbsent(hits.get(0), k -> new ArrayList<>()).add(r.getString(1));
        }
        for (Expectation e : expected) {
            assertThat(actual.getOrDefault(e, List.of()))
                    .as("%s: records with '%s'", file, e.marker())
                    .containsExactlyInAnyOrderElementsOf(e.labels());
        }
    }

    private static Map<InputFiles.Kind, List<String>> files(String input) {
        return InputFiles.list(
                new Configuration(false),
                "--" + input,
                corpus().resolve(input).toString(),
                List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV, InputFiles.Kind.PARQUET));
    }

    /** Usage through the real readers, validation and pricing, each row with its outcome. */
    private static Dataset<Row> usageOutcomes() {
        return usageOutcomes("usage", UsageFormat.AUTO);
    }

    /** The files of one input directory read as one {@code --usage-format}, validated and priced. */
    private static Dataset<Row> usageOutcomes(String input, UsageFormat format) {
        RateCard card = RateCard.load(new Configuration(false), null);
        Dataset<Row> read = UsageReader.read(spark, format, files(input), UsageFormatOptions.defaults());
        Dataset<Row> flagged = UsageValidation.checkPrice(
                RequestPricing.rate(
                        UsageValidation.validate(read, Bounds.DEFAULT).flagged(), card, UsageValidation.trusted()),
                Bounds.DEFAULT);
        Column outcome = when(UsageValidation.blank(), lit("blank"))
                .when(col(Cols.DUPLICATE), lit("duplicate"))
                .when(UsageValidation.rejected(), col(Cols.PARSE_REASON))
                .when(col(UsageValidation.PRICE_REASON).isNotNull(), col(UsageValidation.PRICE_REASON))
                .otherwise(lit("priced"));
        return flagged.select(
                col(Cols.RAW_RECORD),
                outcome.as("outcome"),
                col(Cols.SOURCE_FILE),
                col(Cols.PARSE_DETAIL),
                col(Cols.REQUEST_ID));
    }

    @Test
    void everyUsageRecordEndsWhereItsLabelSays() throws Exception {
        List<Row> rows = usageOutcomes().collectAsList();
        Map<String, List<Row>> byFile = new TreeMap<>();
        for (Row r : rows) {
            byFile.computeIfAbsent(
                            Path.of(java.net.URI.create(r.getString(2)))
                                    .getFileName()
                                    .toString(),
                            k -> new ArrayList<>())
                    .add(r);
        }
        try (var listing = Files.list(corpus().resolve("usage"))) {
            assertThat(byFile.keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            listing.map(p -> p.getFileName().toString()).toList());
        }
        for (Map.Entry<String, List<Row>> f : byFile.entrySet()) {
            assertLabelled("usage", f.getKey(), f.getValue());
        }
        // Copies of a request that disagree are all quarantined: a request_id is priced (once, the rest of its
        // copies duplicates) or nothing of it is, whichever copy broke which rule.
        Map<String, Set<String>> outcomesById = new TreeMap<>();
        for (Row r : rows) {
            if (r.getString(4) != null) {
                outcomesById
                        .computeIfAbsent(r.getString(4), k -> new TreeSet<>())
                        .add(r.getString(1));
            }
        }
        outcomesById.forEach((id, outcomes) -> {
            if (outcomes.contains("priced")) {
                assertThat(outcomes)
                        .as("%s is priced, so each of its other copies must be a duplicate", id)
                        .isSubsetOf("priced", "duplicate");
            }
        });
        long physicalLines = 0;
        try (var listing = Files.list(corpus().resolve("usage"))) {
            for (Path p : listing.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                physicalLines += Files.readString(p, StandardCharsets.UTF_8).split("\n", -1).length - 1;
            }
        }
        assertThat(rows.stream().filter(r -> r.getString(2).endsWith(".jsonl")).count())
                .as("one row per physical line of the JSON Lines files")
                .isEqualTo(physicalLines);
    }

    /**
     * The usage of another format ({@code hostile/usage-<format>/}, read with {@code --usage-format <format>}):
     * every record is held to the label of its file, found by its path below that directory; then the
     * directory goes through the job, which exits 0 or 3 with every record accounted for.
     */
    private static void assertFormatLabelled(UsageFormat format) throws Exception {
        String input = "usage-" + format.code();
        Path root = corpus().resolve(input);
        Map<String, List<Row>> byFile = new TreeMap<>();
        for (Row r : usageOutcomes(input, format).collectAsList()) {
            Path file = Path.of(java.net.URI.create(r.getString(2)));
            byFile.computeIfAbsent(root.relativize(file).toString(), k -> new ArrayList<>())
                    .add(r);
        }
        try (var expected = Files.walk(corpus().resolve("expect").resolve(input))) {
            assertThat(byFile.keySet())
                    .as("the files with records are the files with labels")
                    .containsExactlyInAnyOrderElementsOf(expected.filter(Files::isRegularFile)
                            .map(p -> corpus().resolve("expect")
                                    .resolve(input)
                                    .relativize(p)
                                    .toString())
                            .map(p -> p.substring(0, p.length() - ".tsv".length()))
                            .toList());
        }
        for (Map.Entry<String, List<Row>> f : byFile.entrySet()) {
            assertLabelled(input, f.getKey(), f.getValue());
        }
        Path out = tempDir("hostile-" + format.code()).resolve("out");
        int code = CostJob.execute(
                new String[] {
                    "--usage-format",
                    format.code(),
                    "--usage",
                    root.toString(),
                    "--acceptance",
                    corpus().resolve("acceptance").toString(),
                    "--out",
                    out.toString(),
                    "--full"
                },
                System.out,
                System.err,
                spark);
        assertThat(code).as("exit 0 or 3, never 1").isIn(0, 3);
        JsonNode usage = new ObjectMapper()
                .readTree(out.resolve("run_summary.json").toFile())
                .get("inputs")
                .get("usage");
        assertThat(usage.get("records_read").asLong())
                .isEqualTo(byFile.values().stream().mapToLong(List::size).sum())
                .isEqualTo(usage.get("priced").asLong()
                        + usage.get("quarantined").asLong()
                        + usage.get("exact_duplicates_dropped").asLong()
                        + usage.get("blank_lines_skipped").asLong());
    }

    @Test
    void everyBatchRecordEndsWhereItsLabelSays() throws Exception {
        assertFormatLabelled(UsageFormat.BATCH);
    }

    @Test
    void everyLiteLlmRecordEndsWhereItsLabelSays() throws Exception {
        assertFormatLabelled(UsageFormat.LITELLM);
    }

    @Test
    void everyLangfuseRecordEndsWhereItsLabelSays() throws Exception {
        assertFormatLabelled(UsageFormat.LANGFUSE);
    }

    @Test
    void detailsNameTheFieldTheBoundAndWhereALineWentWrong() {
        Map<String, String> details = new HashMap<>();
        for (Row r : usageOutcomes().filter(col(Cols.PARSE_DETAIL).isNotNull()).collectAsList()) {
            details.put(r.getString(0), r.getString(3));
        }
        assertThat(detailOf(details, "h_n_string")).contains("field n", "\"two\"");
        assertThat(detailOf(details, "h_tokens_string")).contains("field usage.output_tokens");
        assertThat(detailOf(details, "h_huge_long")).contains("field usage.output_tokens", "19 digits");
        assertThat(detailOf(details, "h_two_a")).contains("more after its JSON value");
        assertThat(detailOf(details, "h_dupkey")).contains("a key appears twice");
        assertThat(detailOf(details, "h_n_million")).contains("beyond the bound of 10", "--max-images-per-request");
        assertThat(detailOf(details, "h_overflow_out")).contains("--max-tokens-per-meter");
        assertThat(detailOf(details, "h_out_mismatch")).contains("usage.output_tokens 5000");
        assertThat(detailOf(details, "hc_time_only")).contains("created_at 'T08:51:25'");
    }

    private static String detailOf(Map<String, String> details, String marker) {
        return details.entrySet().stream()
                .filter(e -> e.getKey() != null && e.getKey().contains(marker))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no quarantined record with " + marker));
    }

    @Test
    void everyAcceptanceRecordEndsWhereItsLabelSays() throws Exception {
        Dataset<Row> requests = usageOutcomes().filter(col("outcome").equalTo("priced"));
        Dataset<Row> priced = UsageValidation.validate(UsageReader.read(spark, files("usage")))
                .accepted()
                .join(
                        requests.select(col(Cols.RAW_RECORD).as("_raw")),
                        col(Cols.RAW_RECORD).equalTo(col("_raw")))
                .select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT);
        Dataset<Row> held = usageOutcomes()
                .filter(col("outcome").notEqual("priced").and(col("outcome").notEqual("blank")))
                .select(Cols.REQUEST_ID);
        List<String> acceptanceFiles = files("acceptance").get(InputFiles.Kind.CSV);
        AcceptanceValidation.Result v = AcceptanceValidation.validate(
                CsvSource.read(spark, acceptanceFiles, Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), true),
                priced,
                held);
        Column outcome = when(col(Cols.DUPLICATE), lit("duplicate"))
                .when(col(Cols.PARSE_REASON).isNotNull(), col(Cols.PARSE_REASON))
                .otherwise(lit("used"));
        // Raw text is kept only for quarantined records: the used ones are matched by their record text.
        List<Row> rows = v.flagged()
                .select(
                        org.apache.spark.sql.functions.coalesce(col(Cols.RAW_RECORD), col(Cols.RECORD_TEXT)),
                        outcome,
                        col(Cols.PARSE_DETAIL))
                .collectAsList();
        assertLabelled("acceptance", "decisions.csv", rows);
        Row tail = rows.stream()
                .filter(r -> r.getString(0).contains("tail-unclosed"))
                .findFirst()
                .orElseThrow();
        assertThat(tail.getString(0))
                .as("the unparsed rest is kept as the record's raw text")
                .contains("tail-third");
        assertThat(tail.getString(2)).contains("line 19", "byte offset", "physical lines in the unparsed rest: 3");
    }

    @Test
    void theWholeCorpusThroughTheJobExitsThreeWithEveryRecordAccountedFor() throws Exception {
        Path out = tempDir("hostile").resolve("out");
        int code = CostJob.execute(
                new String[] {
                    "--usage", corpus().resolve("usage").toString(),
                    "--acceptance", corpus().resolve("acceptance").toString(),
                    "--out", out.toString(),
                    "--full"
                },
                System.out,
                System.err,
                spark);
        assertThat(code)
                .as("much of the corpus is quarantined: exit 3, never 1")
                .isEqualTo(3);
        JsonNode summary =
                new ObjectMapper().readTree(out.resolve("run_summary.json").toFile());
        for (JsonNode check : summary.get("invariants")) {
            assertThat(check.get("passed").asBoolean()).as(check.toString()).isTrue();
        }
        JsonNode usage = summary.get("inputs").get("usage");
        assertThat(usage.get("blank_lines_skipped").asLong()).isEqualTo(2);
        assertThat(usage.get("records_read").asLong())
                .isEqualTo(usage.get("priced").asLong()
                        + usage.get("quarantined").asLong()
                        + usage.get("exact_duplicates_dropped").asLong()
                        + usage.get("blank_lines_skipped").asLong());
        assertThat(usage.get("lines_in_unparsed_csv_tails").asLong())
                .as("the usage CSV parses to its end")
                .isZero();
        JsonNode acceptance = summary.get("inputs").get("acceptance");
        assertThat(acceptance.get("lines_in_unparsed_csv_tails").asLong()).isEqualTo(3);
        assertThat(summary.get("exit_reason").asText()).contains("of usage records quarantined >");
        String report = Files.readString(out.resolve("report.html"));
        assertThat(report)
                .as("text from the data is escaped: a workflow id is shown, never run")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>alert(1)", "<img src=x");
    }
}
