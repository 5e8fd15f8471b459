package io.assetcost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DuckDB reference implementation on the project's sample data: the figures the Spark job's
 * end-to-end test asserts (509 records read, 501 priced, $62.395677750000 in all), exact ratios, and a
 * comparison that notices a changed row.
 */
class DuckDbCostJobTest {

    @TempDir
    static Path tmp;

    static DuckDbCostJob.Result result;
    static Path out;

    static Path repo() {
        return Path.of(System.getProperty("assetcost.repo.root", ".."));
    }

    @BeforeAll
    static void run() throws Exception {
        DuckDbCostJob.Options o = new DuckDbCostJob.Options();
        o.usage = repo().resolve("sample-data/usage");
        o.acceptance = repo().resolve("sample-data/acceptance");
        o.out = tmp.resolve("duck");
        o.threads = 2;
        o.memoryLimit = "1GB";
        result = DuckDbCostJob.run(o);
        out = o.out;
    }

    @Test
    void pricesTheSampleToTheLastDecimal() {
        assertThat(result.counts())
                .containsEntry("usage_rows_read", 509L)
                .containsEntry("requests_priced", 501L)
                .containsEntry("acceptance_records_read", 535L)
                .containsEntry("decisions_used", 529L);
        assertThat((BigDecimal) result.counts().get("total_cost_usd")).isEqualByComparingTo("62.395677750000");
        assertThat(result.agree()).isNull();
    }

    @Test
    void reportsAreExactDecimalsAndConserveCost() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(
                        "SELECT sum(total_cost_usd), sum(direct_cost_usd + waste_cost_usd + pending_cost_usd),"
                                + " typeof(any_value(cost_per_approved_asset_usd)), count(*) FROM read_parquet("
                                + DuckDbCostJob.quote(out.resolve("cost_per_approved_asset.parquet")
                                        .toString()) + ")")) {
            r.next();
            assertThat(r.getBigDecimal(1)).isEqualByComparingTo("62.395677750000");
            assertThat(r.getBigDecimal(2)).isEqualByComparingTo("62.395677750000");
            assertThat(r.getString(3)).isEqualTo("DECIMAL(38,12)");
            assertThat(r.getLong(4)).isEqualTo(42);
        }
    }

    @Test
    void ratiosRoundHalfEvenAtTwelvePlaces() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            List<String> statements = DuckDbCostJob.statements(new String(
                    DuckDbCostJob.class
                            .getClassLoader()
                            .getResourceAsStream("duckdb/pipeline.sql")
                            .readAllBytes(),
                    StandardCharsets.UTF_8));
            for (String st : statements) {
                if (st.startsWith("CREATE MACRO")) {
                    s.execute(st);
                }
            }
            try (ResultSet r = s.executeQuery(
                    "SELECT ratio12(1, 3), ratio12(2, 3), ratio12(CAST(0.000000000005 AS DECIMAL(38,12)), 10),"
                            + " ratio12(CAST(0.000000000015 AS DECIMAL(38,12)), 10), ratio12(1, 0), ratio12(CAST(7.5 A"
                            + "S DECIMAL(38,12)), CAST(2.5 AS DECIMAL(38,12)))")) {
                r.next();
                assertThat(r.getBigDecimal(1)).isEqualTo(new BigDecimal("0.333333333333"));
                assertThat(r.getBigDecimal(2)).isEqualTo(new BigDecimal("0.666666666667"));
                assertThat(r.getBigDecimal(3)).isEqualTo(new BigDecimal("0.000000000000"));
                assertThat(r.getBigDecimal(4)).isEqualTo(new BigDecimal("0.000000000002"));
                assertThat(r.getBigDecimal(5)).isNull();
                assertThat(r.getBigDecimal(6)).isEqualTo(new BigDecimal("3.000000000000"));
            }
        }
    }

    @Test
    void comparisonNoticesOneChangedRow() throws Exception {
        // A "Spark output" made from DuckDB's own tables, laid out as the Spark job writes them, with one cent more.
        Path fake = tmp.resolve("fake-spark");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            for (String table : DuckDbCostJob.TABLES) {
                Files.createDirectories(fake.resolve(table));
                String src = DuckDbCostJob.quote(out.resolve(table + ".parquet").toString());
                String sql = !table.equals("cost_per_approved_asset")
                        ? "SELECT * FROM read_parquet(" + src + ")"
                        : "SELECT * REPLACE (CASE WHEN row_number() OVER (ORDER BY cohort_date, workflow_id) = 1"
                                + " THEN CAST(total_cost_usd + 0.01 AS DECIMAL(38,12)) ELSE total_cost_usd END AS tota"
                                + "l_cost_usd)"
                                + " FROM read_parquet(" + src + ")";
                String partition = table.equals("request_costs") || table.equals("rate_limit_headroom")
                        ? "usage_date"
                        : "cohort_date";
                s.execute("COPY (" + sql + ") TO "
                        + DuckDbCostJob.quote(fake.resolve(table).toString()) + " (FORMAT parquet, PARTITION_BY ("
                        + partition + "))");
            }
            Files.createDirectories(fake.resolve("quarantine"));
            s.execute("COPY (SELECT source, reason, 'detail' AS detail FROM read_parquet("
                    + DuckDbCostJob.quote(
                            out.resolve("quarantine_counts.parquet").toString())
                    + "), range(records)) TO "
                    + DuckDbCostJob.quote(
                            fake.resolve("quarantine").resolve("part-0.parquet").toString())
                    + " (FORMAT parquet)");
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code = DuckDbCostJob.execute(
                new String[] {
                    "--usage",
                    repo().resolve("sample-data/usage").toString(),
                    "--acceptance",
                    repo().resolve("sample-data/acceptance").toString(),
                    "--out",
                    tmp.resolve("duck2").toString(),
                    "--threads",
                    "2",
                    "--memory-limit",
                    "1GB",
                    "--compare",
                    fake.toString()
                },
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                System.err);
        assertThat(code).isEqualTo(1);
        assertThat(stdout.toString(StandardCharsets.UTF_8))
                .contains("cost_per_approved_asset: 1 rows only in DuckDB, 1 only in Spark")
                .doesNotContain("retry_waste:")
                .doesNotContain("request_costs:")
                .doesNotContain("quarantine:")
                .doesNotContain("total cost:");
    }
}
