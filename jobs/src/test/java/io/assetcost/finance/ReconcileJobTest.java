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
import io.assetcost.view.PageCells;
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

    /**
     * Issue 31: every cell of the page's tables against the Parquet figures, recomputed here with Spark SQL (not
     * with the code that drew the page), matched by the row's key columns: text as shown, figures exactly.
     */
    @Test
    void everyTableCellOnTheMonthClosePageIsTheParquetFigure() throws Exception {
        String html = Files.readString(finance.resolve(OutputLayout.MONTH_CLOSE_REPORT), StandardCharsets.UTF_8);
        for (String table : List.of(
                "cost_reconciliation",
                "meter_reconciliation",
                "focus_costs",
                "unmatched_line_items",
                "unpriced_usage",
                "log_coverage")) {
            spark.read().parquet(finance.resolve(table).toString()).createOrReplaceTempView(table);
        }
        holds(
                html,
                "daily",
                1,
                "SELECT CAST(usage_date AS STRING), sum(computed_cost_usd), sum(billed_cost_usd),"
                        + " sum(computed_cost_usd) - sum(billed_cost_usd) FROM cost_reconciliation WHERE grain = 'day'"
                        + " GROUP BY 1");
        holds(
                html,
                "statuses",
                2,
                "SELECT concat('project ', grain), status, count(*), sum(computed_cost_usd), sum(billed_cost_usd),"
                        + " sum(difference_usd) FROM cost_reconciliation GROUP BY 1, 2 UNION ALL"
                        + " SELECT concat('meter ', grain), status, count(*), sum(computed_cost_usd),"
                        + " sum(billed_cost_usd), sum(difference_usd) FROM meter_reconciliation GROUP BY 1, 2");
        holds(
                html,
                "meters",
                3,
                "SELECT coalesce(project_id, '(none)'), model, coalesce(meter, '(none)'), computed_cost_usd,"
                        + " billed_cost_usd, status, computed_tokens, billed_tokens, token_status"
                        + " FROM meter_reconciliation WHERE grain = 'month'");
        holds(
                html,
                "unmatched",
                2,
                "SELECT coalesce(line_item, ''), coalesce(project_id, '(none)'), days, amount_usd"
                        + " FROM unmatched_line_items");
        holds(
                html,
                "unpriced",
                2,
                "SELECT coalesce(billing_month, 'unknown'), reason, records, records_with_tokens, input_tokens,"
                        + " output_tokens FROM unpriced_usage");
        holds(
                html,
                "coverage",
                4,
                "SELECT CAST(usage_date AS STRING), coalesce(project_id, '(none)'), coalesce(model, ''),"
                        + " coalesce(source, '(none)'), logged_requests, quarantined_requests, api_requests,"
                        + " request_coverage_pct, status FROM log_coverage WHERE status <> 'complete'");
        holds(
                html,
                "focus",
                2,
                "SELECT coalesce(SubAccountId, '(none)'), ChargeCategory, count(*), sum(BilledCost),"
                        + " sum(EffectiveCost), sum(ListCost), sum(x_ComputedCost) FROM focus_costs GROUP BY 1, 2"
                        + " UNION ALL SELECT 'Total', '', count(*), sum(BilledCost), sum(EffectiveCost),"
                        + " sum(ListCost), sum(x_ComputedCost) FROM focus_costs");
        // Money shows the exact figure rounded half-even to the cent, once.
        for (List<PageCells.Cell> row : PageCells.rows(html, "daily")) {
            BigDecimal difference = row.get(3).exact();
            BigDecimal cents = difference.setScale(2, RoundingMode.HALF_EVEN);
            assertThat(row.get(3).text())
                    .as("difference of %s", row.get(0).text())
                    .isEqualTo((cents.signum() < 0 ? "-$" : "$") + cents.abs().toPlainString());
        }
    }

    /** The page's rows of a section against the query's: its first {@code keys} columns name a row. */
    private static void holds(String html, String section, int keys, String sql) {
        List<List<PageCells.Cell>> page = PageCells.rows(html, section);
        java.util.Map<String, Row> expected = new java.util.HashMap<>();
        for (Row r : spark.sql(sql).collectAsList()) {
            List<String> key = new java.util.ArrayList<>();
            for (int i = 0; i < keys; i++) {
                key.add(r.getString(i));
            }
            assertThat(expected.put(String.join(" | ", key), r))
                    .as("%s: one row per key %s", section, key)
                    .isNull();
        }
        assertThat(page).as("%s: rows on the page", section).hasSameSizeAs(expected.values());
        for (List<PageCells.Cell> cells : page) {
            String key = String.join(
                    " | ",
                    cells.subList(0, keys).stream().map(PageCells.Cell::text).toList());
            Row want = expected.get(key);
            assertThat(want)
                    .as("%s: a table row for the page's row %s", section, key)
                    .isNotNull();
            for (int i = keys; i < want.size(); i++) {
                Object v = want.get(i);
                PageCells.Cell cell = cells.get(i);
                String what = section + " " + key + ", column " + i;
                if (v == null) {
                    assertThat(cell.exact()).as(what).isNull();
                    assertThat(cell.text()).as(what).isEmpty();
                } else if (v instanceof String text) {
                    assertThat(cell.text()).as(what).isEqualTo(text);
                } else {
                    assertThat(cell.exact()).as(what).isNotNull().isEqualByComparingTo(new BigDecimal(v.toString()));
                }
            }
        }
    }

    @Test
    void anIncompleteMonthSaysSoOnThePageAndInTheSummary() throws Exception {
        JsonNode coverage = summary.get("month_coverage");
        assertThat(coverage.get("complete").asBoolean()).isFalse();
        assertThat(coverage.get("data_through").asText()).isEqualTo("2026-11-15");
        assertThat(coverage.get("last_day_of_month").asText()).isEqualTo("2026-11-30");
        assertThat(coverage.get("days_in_month").asInt()).isEqualTo(30);
        String html = Files.readString(finance.resolve(OutputLayout.MONTH_CLOSE_REPORT), StandardCharsets.UTF_8);
        assertThat(html)
                .contains("data-data-through=\"2026-11-15\"")
                .contains("Incomplete month: data through 2026-11-15.")
                .contains("2026-11-16 to 2026-11-30 are in no figure on this page")
                .contains("<p class=\"note\" id=\"rounding\">Rounding: every amount is summed exactly");
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
        FocusRequirementsModel.Report model = FocusRequirementsModel.load("1.4").check(v14);
        System.out.println(FocusRequirementsModelTest.summary("sample month", model));
        assertThat(model.violations()).isEmpty();
        assertThat(model.checked()).contains("CAU-CostAndUsage-D-006-M", "CAU-ServiceSubcategory-C-004-M");
        com.fasterxml.jackson.databind.JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(finance.resolve(FocusMetadata.FILE).toFile());
        assertThat(FocusRequirementsModel.metadataViolations(meta, "1.4", v14.schema()))
                .isEmpty();
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
