package io.assetcost.finance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.ops.OutputLayout;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
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
        assertThat(run(
                                "--month",
                                "2026-11",
                                "--tables",
                                tables.toString(),
                                "--costs",
                                repoRoot().resolve("sample-data/costs").toString(),
                                "--out",
                                finance.toString())
                        .code)
                .isZero();
        summary = new ObjectMapper()
                .readTree(finance.resolve(OutputLayout.RECONCILE_SUMMARY).toFile());
    }

    private record Outcome(int code, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReconcileJob.execute(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static List<CSVRecord> csv(String table) throws Exception {
        try (Reader r = Files.newBufferedReader(finance.resolve(table + ".csv"), StandardCharsets.UTF_8);
                CSVParser p = CSVParser.builder()
                        .setReader(r)
                        .setFormat(CSVFormat.RFC4180
                                .builder()
                                .setHeader()
                                .setSkipHeaderRecord(true)
                                .get())
                        .get()) {
            assertThat(p.getHeaderNames()).as(table).containsExactlyElementsOf(Schemas.fieldNames(table));
            return p.getRecords();
        }
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
        for (String table :
                ReconcilePipeline.TABLES.stream().map(OutputTable::tableName).toList()) {
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

    @Test
    void unusableInputsExitTwoAndWriteNothing() throws Exception {
        Path dir = tempDir("close-bad");
        Path out = dir.resolve("out");
        String costs = repoRoot().resolve("sample-data/costs").toString();
        Outcome month =
                run("--month", "2026-13", "--tables", tables.toString(), "--costs", costs, "--out", out.toString());
        assertThat(month.code).isEqualTo(2);
        assertThat(month.err).contains("--month must be YYYY-MM");
        Outcome noTables =
                run("--month", "2026-11", "--tables", dir.toString(), "--costs", costs, "--out", out.toString());
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
                "--out",
                out.toString());
        assertThat(notJson.code).isEqualTo(2);
        assertThat(notJson.err).contains("costs.json").contains("is not a Costs API page");
        assertThat(Files.exists(out)).isFalse();
    }
}
