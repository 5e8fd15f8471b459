package io.assetcost.finance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.TestCsv;
import io.assetcost.ops.OutputLayout;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The month close on the sample data, as the README walks a reviewer through it. */
class ReconcileJobTest extends SparkTestBase {

    private static Path tables;
    private static Path finance;
    private static JsonNode summary;

    @BeforeAll
    static void closeTheSampleMonth() throws Exception {
        Path dir = tempDir("close");
        tables = dir.resolve("tables");
        finance = dir.resolve("finance");
        assertThat(CostJob.execute(sampleArgs(tables), System.out, System.err, spark))
                .isZero();
        assertThat(run(sampleClose(finance)).code).isZero();
        summary = new ObjectMapper()
                .readTree(finance.resolve(OutputLayout.RECONCILE_SUMMARY).toFile());
    }

    /** The options scripts/reconcile.sh passes for the sample month. */
    private static String[] sampleClose(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--month",
                "2026-11",
                "--tables",
                tables.toString(),
                "--costs",
                repoRoot().resolve("sample-data/costs").toString(),
                "--usage-api",
                repoRoot().resolve("sample-data/usage-api").toString(),
                "--billing-account-id",
                "org-sample",
                "--billing-account-name",
                "Sample Org",
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    private record Outcome(int code, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReconcileJob.execute(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static List<CSVRecord> csv(String table) throws Exception {
        TestCsv.Parsed parsed = TestCsv.read(finance.resolve(table + ".csv"));
        assertThat(parsed.header()).as(table).containsExactlyElementsOf(Schemas.fieldNames(table));
        return parsed.records();
    }

    @Test
    void everyInvariantHoldsAndEveryStatusShowsUpInTheSampleMonth() {
        for (JsonNode check : summary.get("invariants")) {
            assertThat(check.get("passed").asBoolean()).as(check.toString()).isTrue();
        }
        assertThat(summary.get("status_counts").get("day").fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder("match", "over", "under", "only_computed", "only_billed");
        assertThat(summary.get("billed_costs")
                        .get("overlapping_duplicates_dropped")
                        .asLong())
                .isPositive();
    }

    @Test
    void everyReportIsWrittenAsParquetAndCsvWithItsContractColumns() throws Exception {
        for (String table : ReconcilePipeline.TABLES.stream()
                .map(OutputTable::tableName)
                .distinct()
                .toList()) {
            assertThat(Files.isDirectory(finance.resolve(table))).as(table).isTrue();
            List<CSVRecord> rows = csv(table);
            assertThat(rows.size()).as(table).isEqualTo((int)
                    spark.read().parquet(finance.resolve(table).toString()).count());
        }
        assertThat(csv(OutputTable.UNMATCHED_LINE_ITEMS.tableName()))
                .extracting(r -> r.get("line_item"))
                .containsExactly("gpt-4.1-mini, input");
        assertThat(csv(OutputTable.UNPRICED_USAGE.tableName()))
                .extracting(r -> r.get("reason"))
                .contains("no_rate");
    }

    @Test
    void theMonthClosePageShowsTheSummaryTotalsExactlyAndEverySection() throws Exception {
        String html = Files.readString(finance.resolve(OutputLayout.MONTH_CLOSE_REPORT), StandardCharsets.UTF_8);
        JsonNode totals = summary.get("totals");
        assertThat(html)
                .contains("data-metric=\"computed_cost_usd\" data-value=\""
                        + totals.get("computed_cost_usd").asText() + "\"")
                .contains("data-metric=\"billed_cost_usd\" data-value=\""
                        + totals.get("billed_image_cost_usd").asText() + "\"")
                .contains("data-metric=\"difference_usd\" data-value=\""
                        + totals.get("difference_usd").asText() + "\"")
                .contains("data-metric=\"billed_unmatched_usd\" data-value=\""
                        + totals.get("billed_unmatched_usd").asText() + "\"");
        for (String section : List.of("daily", "statuses", "meters", "unmatched", "unpriced", "coverage", "focus")) {
            assertThat(html).contains("<section id=\"" + section + "\">");
        }
        // The sample's logging gap and its unmatched line item are on the page, as text.
        assertThat(html).contains("44.0").contains("gpt-4.1-mini, input");
        assertThat(html).doesNotContain("<script", "src=\"http", "href=\"http", "<link");
    }

    @Test
    void textFromTheBillIsEscapedOnTheMonthClosePage() throws Exception {
        Path dir = tempDir("close-xss");
        Path costs = Files.createDirectories(dir.resolve("costs"));
        Files.writeString(
                costs.resolve("costs-hostile.json"), """
                {"object": "page", "data": [{"object": "bucket", "start_time": 1793577600, "end_time": 1793664000,
                 "results": [{"object": "organization.costs.result", "amount": {"value": 1.5, "currency": "usd"},
                 "line_item": "<script>alert(1)</script>", "project_id": "<img src=x onerror=alert(2)>"}]}],
                 "has_more": false, "next_page": null}
                """.replace("\n", " ").strip());
        Path out = dir.resolve("out");
        String[] args = sampleClose(out);
        args[5] = costs.toString();
        assertThat(run(args).code).isZero();
        String html = Files.readString(out.resolve(OutputLayout.MONTH_CLOSE_REPORT), StandardCharsets.UTF_8);
        assertThat(html)
                .doesNotContain("<script>alert(1)", "<img src=x")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&lt;img src=x onerror=alert(2)&gt;");
    }

    @Test
    void thePresentedMonthTotalIsTheExactSumRoundedHalfEvenOnce() throws Exception {
        List<Row> exact = spark.read()
                .parquet(finance.resolve(OutputTable.COST_RECONCILIATION.tableName())
                        .toString())
                .filter("grain = 'month'")
                .orderBy("project_id")
                .collectAsList();
        List<CSVRecord> shown = csv(OutputTable.COST_RECONCILIATION.tableName()).stream()
                .filter(r -> r.get("grain").equals("month"))
                .sorted((a, b) -> a.get("project_id").compareTo(b.get("project_id")))
                .toList();
        assertThat(shown).hasSameSizeAs(exact);
        for (int i = 0; i < exact.size(); i++) {
            BigDecimal total = exact.get(i).getAs("computed_cost_usd");
            assertThat(shown.get(i).get("computed_cost_usd"))
                    .isEqualTo(total.setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        }
    }

    private static List<Row> parquet(Path dir, String table) {
        return spark.read().parquet(dir.resolve(table).toString()).collectAsList();
    }

    @Test
    void theMeterGrainShowsEveryStatusInDollarsAndTokensAndTheLoggingGap() {
        JsonNode counts = summary.get("status_counts");
        assertThat(counts.get("meter_day").fieldNames())
                .toIterable()
                .contains("match", "over", "under", "only_computed", "only_billed");
        assertThat(counts.get("meter_day_tokens").fieldNames())
                .toIterable()
                .contains("match", "over", "under", "only_computed", "only_billed");
        List<Row> meters = parquet(finance, OutputTable.METER_RECONCILIATION.tableName());
        Row gap = meters.stream()
                .filter(r -> "day".equals(r.getAs("grain"))
                        && "2026-11-11".equals(String.valueOf((Object) r.getAs("usage_date")))
                        && "proj_shop".equals(r.getAs("project_id"))
                        && "image_output".equals(r.getAs("meter")))
                .findFirst()
                .orElseThrow();
        assertThat((String) gap.getAs("token_status")).isEqualTo("under");
        assertThat((BigDecimal) gap.getAs("token_difference")).isNegative();
        List<Row> coverage = parquet(finance, OutputTable.LOG_COVERAGE.tableName());
        assertThat(coverage)
                .filteredOn(r -> "gap".equals(r.getAs("status")))
                .extracting(r -> String.valueOf((Object) r.getAs("usage_date")) + " " + r.getAs("project_id") + " "
                        + r.getAs("source"))
                .containsExactly("2026-11-11 proj_shop image.edit");
        assertThat(summary.get("usage_api")
                        .get("overlapping_duplicates_dropped")
                        .asLong())
                .isPositive();
    }

    @Test
    void theSampleFocusExportFollowsTheSpecificationInEachVersion() throws Exception {
        BigDecimal bill = new BigDecimal(
                        summary.get("totals").get("billed_image_cost_usd").asText())
                .add(new BigDecimal(
                        summary.get("totals").get("billed_unmatched_usd").asText()));
        org.apache.spark.sql.Dataset<Row> v14 = spark.read()
                .parquet(finance.resolve(OutputTable.FOCUS_COSTS.tableName()).toString());
        assertThat(FocusSpec.violations(v14, "1.4", bill)).isEmpty();
        assertThat(FocusRequirementsModel.load("1.4").check(v14).violations()).isEmpty();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(finance.resolve(FocusMetadata.FILE).toFile())
                        .path("Schema")
                        .path("FocusVersion")
                        .asText())
                .isEqualTo("1.4");
        Path finance12 = tempDir("close12").resolve("finance");
        // Without --usage-api: no log_coverage, and an earlier run's is not left behind.
        Files.createDirectories(finance12.resolve(OutputTable.LOG_COVERAGE.tableName()));
        Files.writeString(finance12.resolve(OutputTable.LOG_COVERAGE.tableName() + ".csv"), "stale");
        List<String> args = new java.util.ArrayList<>(List.of(sampleClose(finance12, "--focus-version", "1.2")));
        int api = args.indexOf("--usage-api");
        args.subList(api, api + 2).clear();
        assertThat(run(args.toArray(new String[0])).code).isZero();
        assertThat(finance12.resolve(OutputTable.LOG_COVERAGE.tableName())).doesNotExist();
        assertThat(finance12.resolve(OutputTable.LOG_COVERAGE.tableName() + ".csv"))
                .doesNotExist();
        org.apache.spark.sql.Dataset<Row> v12 = spark.read()
                .parquet(finance12.resolve(OutputTable.FOCUS_COSTS.tableName()).toString());
        assertThat(FocusSpec.violations(v12, "1.2", bill)).isEmpty();
        assertThat(v12.columns()).doesNotContain("ServiceProviderName", "HostProviderName");
    }

    @Test
    void unusableInputsExitTwoAndWriteNothing() throws Exception {
        Path dir = tempDir("close-bad");
        Path out = dir.resolve("out");
        String costs = repoRoot().resolve("sample-data/costs").toString();
        Outcome month = run(
                "--month",
                "2026-13",
                "--tables",
                tables.toString(),
                "--costs",
                costs,
                "--billing-account-id",
                "org-x",
                "--billing-account-name",
                "X",
                "--out",
                out.toString());
        assertThat(month.code).isEqualTo(2);
        assertThat(month.err).contains("--month must be YYYY-MM");
        Outcome noAccount =
                run("--month", "2026-11", "--tables", tables.toString(), "--costs", costs, "--out", out.toString());
        assertThat(noAccount.code).isEqualTo(2);
        assertThat(noAccount.err).contains("--billing-account-id");
        Outcome noTables = run(
                "--month",
                "2026-11",
                "--tables",
                dir.toString(),
                "--costs",
                costs,
                "--billing-account-id",
                "org-x",
                "--billing-account-name",
                "X",
                "--out",
                out.toString());
        assertThat(noTables.code).isEqualTo(2);
        assertThat(noTables.err).contains("has no request_costs/ table").contains("run the cost job");
        Path html = Files.createDirectories(dir.resolve("pages"));
        Files.writeString(html.resolve("costs.json"), "<html>rate limited</html>");
        Outcome notJson = run(
                "--month",
                "2026-11",
                "--tables",
                tables.toString(),
                "--costs",
                html.toString(),
                "--billing-account-id",
                "org-x",
                "--billing-account-name",
                "X",
                "--out",
                out.toString());
        assertThat(notJson.code).isEqualTo(2);
        Outcome badVersion = run(sampleClose(out, "--focus-version", "1.1"));
        assertThat(badVersion.code).isEqualTo(2);
        assertThat(badVersion.err).contains("--focus-version");
        assertThat(notJson.code).isEqualTo(2);
        assertThat(notJson.err).contains("costs.json").contains("is not a Costs API page");
        assertThat(Files.exists(out)).isFalse();
    }
}
