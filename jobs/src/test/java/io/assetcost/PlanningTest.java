package io.assetcost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.forecast.ForecastJob;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The planning tables on the sample data, as the README shows them: the two example queries run as written
 * (Spark SQL and DuckDB), the attempt-cap figures, and the forecast worksheet on the sample plan.
 */
class PlanningTest extends SparkTestBase {

    private static Path out;
    private static Path forecast;

    @BeforeAll
    static void runTheJobs() throws Exception {
        out = tempDir("planning").resolve("out");
        assertThat(CostJob.execute(sampleArgs(out), System.out, System.err, spark))
                .isZero();
        forecast = out.resolveSibling("forecast");
        assertThat(ForecastJob.execute(
                        new String[] {
                            "--plan", repoRoot().resolve("sample-data/plan.csv").toString(),
                            "--tables", out.toString(),
                            "--out", forecast.toString()
                        },
                        System.out,
                        System.err,
                        spark))
                .isZero();
    }

    /** The README's example query marked {@code <!-- query: NAME -->}, pointed at this test's output. */
    private static String readmeQuery(String name) throws Exception {
        String readme = Files.readString(repoRoot().resolve("README.md"));
        Matcher m = Pattern.compile("<!-- query: " + name + " -->\\s*```sql\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(m.find()).as("README has the %s query", name).isTrue();
        return m.group(1).replace("out/", out.toString() + "/");
    }

    @Test
    void theReadmesSparkSqlQueryRunsAndSlicesByLane() throws Exception {
        // An analyst's session: Spark's defaults (decimal division may cut precision there, which is theirs).
        SparkSession analyst = spark.newSession();
        analyst.conf().set("spark.sql.decimalOperations.allowPrecisionLoss", "true");
        List<Row> rows = analyst.sql(readmeQuery("spark-sql")).collectAsList();
        assertThat(rows).isNotEmpty();
        assertThat(rows).extracting(r -> r.getString(0)).contains("gpt-image-2", "gpt-image-1-mini");
        BigDecimal total = rows.stream().map(r -> r.getDecimal(2)).reduce(BigDecimal.ZERO, BigDecimal::add);
        JsonNode summary =
                new ObjectMapper().readTree(out.resolve("run_summary.json").toFile());
        BigDecimal resolved = new BigDecimal(
                        summary.get("totals").get("total_cost_usd").asText())
                .subtract(new BigDecimal(
                        summary.get("totals").get("pending_cost_usd").asText()));
        assertThat(total).as("the lanes add up to the resolved cost").isEqualByComparingTo(resolved);
    }

    @Test
    void theReadmesDuckDbQueryRunsAndCountsEveryRequest() throws Exception {
        long requests = 0;
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                ResultSet rs = db.createStatement().executeQuery(readmeQuery("duckdb"))) {
            while (rs.next()) {
                requests += rs.getLong("requests");
                assertThat(rs.getInt("attempt_number")).isPositive();
            }
        }
        assertThat(requests).as("one request_outcomes row per priced request").isEqualTo(501);
    }

    /** An analyst joins request_outcomes to billing by project: each request carries request_costs' project. */
    @Test
    void requestOutcomesCarryTheProjectOfTheirRequestCosts() {
        spark.read().parquet(out.resolve("request_outcomes").toString()).createOrReplaceTempView("outcomes");
        spark.read().parquet(out.resolve("request_costs").toString()).createOrReplaceTempView("costs");
        Row r = spark.sql("SELECT count(*), count(o.project_id), count_if(NOT (o.project_id <=> c.project_id)),"
                        + " count(c.request_id) FROM outcomes o LEFT JOIN costs c USING (request_id)")
                .first();
        assertThat(r.getLong(0)).isEqualTo(501);
        assertThat(r.getLong(1)).as("requests with a project").isPositive();
        assertThat(r.getLong(2))
                .as("requests whose project differs from request_costs'")
                .isZero();
        assertThat(r.getLong(3)).as("requests found in request_costs").isEqualTo(501);
    }

    @Test
    void theAttemptCapWhatIfOnTheSampleIsWhatTheReadmeSays() throws Exception {
        Map<String, BigDecimal[]> byWorkflow = new HashMap<>();
        for (CSVRecord r : csv(out.resolve("attempt_cap.csv"))) {
            BigDecimal[] sums = byWorkflow.computeIfAbsent(
                    r.get("workflow_id"), k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            sums[0] = sums[0].add(new BigDecimal(r.get("resolved_cost_usd")));
            sums[1] = sums[1].add(new BigDecimal(r.get("cost_beyond_cap_usd")));
            sums[2] = sums[2].add(new BigDecimal(r.get("approvals_beyond_cap")));
        }
        BigDecimal[] saas = byWorkflow.get("saas-hero");
        assertThat(saas[0]).isEqualByComparingTo("17.9925635");
        assertThat(saas[1]).isEqualByComparingTo("1.943419");
        assertThat(saas[2]).isEqualByComparingTo("6");
        assertThat(byWorkflow.get("ecommerce-pdp")[1]).isEqualByComparingTo("0");
        assertThat(csv(out.resolve("rate_limit_headroom.csv")))
                .filteredOn(r -> r.get("rate_model").equals("gpt-image-2"))
                .hasSize(14)
                .allSatisfy(r -> assertThat(r.get("smallest_fitting_tier")).isEqualTo("1"));
    }

    @Test
    void theForecastOfTheSamplePlanIsWhatTheReadmeShows() throws Exception {
        List<CSVRecord> rows = csv(forecast.resolve("forecast.csv"));
        assertThat(rows)
                .extracting(r -> r.get("workflow_id"))
                .containsExactly("ecommerce-pdp", "ugc-hooks", "saas-hero", "saas-hero");
        assertThat(rows).allSatisfy(r -> assertThat(r.get("basis")).isEqualTo("measured"));
        CSVRecord drop = rows.get(0);
        assertThat(drop.get("finals")).isEqualTo("24");
        assertThat(drop.get("assets_approved")).isEqualTo("129");
        assertThat(drop.get("iteration_factor")).isEqualTo("1.271317829457");
        assertThat(drop.get("expected_cost_usd")).isEqualTo("5.599058418605");
        assertThat(drop.get("budget_usd")).isEqualTo("6.718870102326");
        assertThat(new BigDecimal(rows.get(1).get("iteration_factor")))
                .isBetween(new BigDecimal("1.7"), new BigDecimal("1.75"));
        assertThat(new BigDecimal(rows.get(3).get("iteration_factor")))
                .isBetween(new BigDecimal("2.4"), new BigDecimal("2.5"));
        JsonNode summary = new ObjectMapper()
                .readTree(forecast.resolve("forecast_summary.json").toFile());
        assertThat(summary.get("exit_code").asInt()).isZero();
        assertThat(summary.get("as_of").asText()).isEqualTo("2026-11-15");
    }

    @Test
    void theSampleForecastSaysItsWindowIsShortAndWhichTierEachRowsPaceNeeds() throws Exception {
        List<CSVRecord> rows = csv(forecast.resolve("forecast.csv"));
        assertThat(rows).extracting(r -> r.get("tier_needed")).containsExactly("1", "2", "", "1");
        assertThat(rows)
                .extracting(r -> r.get("limit_model"))
                .containsExactly("gpt-image-2", "gpt-image-2", "", "gpt-image-2");
        assertThat(rows).allSatisfy(r -> assertThat(r.get("flags")).contains("short_window"));
        assertThat(rows.get(0).get("data_from")).isEqualTo("2026-11-02");
        assertThat(rows.get(2).get("flags")).contains("no_pace");
        assertThat(rows.get(1).get("flags")).contains("no_rate_limit_card");
        assertThat(rows).allSatisfy(r -> assertThat(r.get("workflow_known")).isEqualTo("true"));
        for (CSVRecord r : rows) {
            boolean below = new BigDecimal(r.get("budget_usd")).compareTo(new BigDecimal(r.get("high_usd"))) < 0;
            assertThat(r.get("budget_below_p90"))
                    .as("row %s", r.get("plan_line"))
                    .isEqualTo(Boolean.toString(below));
        }
        JsonNode window = new ObjectMapper()
                .readTree(forecast.resolve("forecast_summary.json").toFile())
                .get("window");
        assertThat(window.get("short").asBoolean()).isTrue();
        assertThat(window.get("data_days").asInt()).isEqualTo(14);
        assertThat(window.get("asked_days").asInt()).isEqualTo(28);
        assertThat(Files.readString(forecast.resolve("forecast.txt")))
                .contains("the data covers only 2026-11-02 to 2026-11-15 (14 cohort days)")
                .contains("-> Tier 2 (20 IPM, 250,000 TPM)");
        assertThat(Files.readString(forecast.resolve("forecast.html")))
                .contains("data-metric=\"highest_tier_needed\" data-value=\"2\"")
                .doesNotContain(forecast.toString())
                .doesNotContain(repoRoot().toString());
    }

    private static List<CSVRecord> csv(Path file) throws Exception {
        return TestCsv.records(file);
    }
}
