package io.assetcost.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.SummarySchemas;
import io.assetcost.ops.OutputLayout;
import io.assetcost.planning.Forecast;
import io.assetcost.planning.Plan;
import io.assetcost.run.Invariant;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forecast keeps the night's promises (README, "Exit codes"): it stages, checks, then publishes, so a
 * forecast that fails an invariant or meets a live lock leaves the forecast published before it byte for byte,
 * exits with the cost job's code and says why in one line on stderr.
 */
class ForecastPublishTest extends SparkTestBase {

    private static final SummarySchemas SCHEMA = SummarySchemas.load("forecast_summary.schema.json");

    private static Path tables;
    private static Path published;

    private record Outcome(int code, String err) {}

    @BeforeAll
    static void forecastTheSamplePlan() throws Exception {
        Path dir = tempDir("forecast-publish");
        tables = dir.resolve("tables");
        assertThat(CostJob.execute(sampleArgs(tables), System.out, System.err, spark))
                .isZero();
        published = dir.resolve("forecast");
        Outcome first = run(published, ForecastPipeline::checks);
        assertThat(first.code).as(first.err).isZero();
    }

    private static Outcome run(Path out, BiFunction<Plan, List<Forecast.Line>, List<Invariant>> invariants) {
        String[] args = {
            "--plan", repoRoot().resolve("sample-data/plan.csv").toString(),
            "--tables", tables.toString(),
            "--out", out.toString()
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ForecastJob.execute(
                args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark, invariants);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    /** A fresh copy of the published forecast. */
    private static Path publishedCopy(String name) throws Exception {
        Path out = tempDir(name).resolve("forecast");
        try (Stream<Path> walk = Files.walk(published)) {
            for (Path p : walk.toList()) {
                Path target = out.resolve(published.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return out;
    }

    /** The published forecast (the table's files and its CSV file), relative path to bytes. */
    private static Map<String, byte[]> forecast(Path out) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = out.relativize(p).toString();
                if (!rel.startsWith("_") && !rel.equals(OutputLayout.FORECAST_SUMMARY)) {
                    files.put(rel, Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    @Test
    void aFailingInvariantPublishesNothingExitsOneAndSaysWhichInOneLine() throws Exception {
        Path out = publishedCopy("forecast-invariant");
        Map<String, byte[]> before = forecast(out);
        assertThat(before).containsKey("forecast.csv");

        Outcome o = run(out, (plan, lines) -> {
            List<Invariant> checks = new ArrayList<>(ForecastPipeline.checks(plan, lines));
            checks.add(new Invariant("forecast: a check that fails", false, "1 vs 2"));
            return checks;
        });

        assertThat(o.code).isEqualTo(1);
        assertThat(o.err.strip().lines().toList())
                .singleElement()
                .asString()
                .startsWith("assetcost-forecast: exit 1: invariant failed: forecast: a check that fails (1 vs 2)")
                .contains("nothing published");
        assertThat(forecast(out)).as("the published forecast, byte for byte").containsExactlyEntriesOf(before);
        JsonNode summary = summary(out);
        assertThat(summary.get("published").asBoolean()).isFalse();
        assertThat(SCHEMA.schema().validate(summary)).isEmpty();
        String runId = summary.get("run_id").asText();
        assertThat(out.resolve("_runs/" + runId + ".json")).exists();
        assertThat(out.resolve("_staging/" + runId + "/forecast.csv")).exists();
        assertThat(out.resolve(OutputLayout.LOCK)).doesNotExist();

        // The next forecast finds the lock of a forecast that died (its process gone) and takes it over.
        Files.writeString(
                out.resolve(OutputLayout.LOCK),
                "{\"run_id\":\"died-forecasting\",\"host\":\""
                        + java.net.InetAddress.getLocalHost().getHostName() + "\",\"pid\":" + Integer.MAX_VALUE
                        + ",\"started_at\":\"2026-12-01T02:00:00Z\"}");
        Outcome rerun = run(out, ForecastPipeline::checks);
        assertThat(rerun.code).as(rerun.err).isZero();
        JsonNode rerunSummary = summary(out);
        assertThat(rerunSummary.get("lock_taken_over").get("run_id").asText()).isEqualTo("died-forecasting");
        assertThat(SCHEMA.schema().validate(rerunSummary)).isEmpty();
        assertThat(out.resolve("forecast.csv")).hasSameBinaryContentAs(published.resolve("forecast.csv"));
        assertThat(out.resolve("_staging")).doesNotExist();
    }

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper()
                .readTree(out.resolve(OutputLayout.FORECAST_SUMMARY).toFile());
    }

    @Test
    void theSummaryHoldsToItsSchema() throws Exception {
        JsonNode summary = summary(published);
        assertThat(SCHEMA.schema().validate(summary)).isEmpty();
        assertThat(summary.get("window").has("short")).isTrue();
        // Money is an exact decimal string: a JSON number (a double to most readers) is refused.
        ObjectNode money = summary.deepCopy();
        ((ObjectNode) money.get("totals")).put("budget_usd", 120.5);
        assertThat(SCHEMA.schema().validate(money))
                .extracting(Error::getKeyword)
                .contains("type");
        ObjectNode extra = summary.deepCopy();
        ((ObjectNode) extra.get("window")).put("short_window", true);
        assertThat(SCHEMA.schema().validate(extra))
                .as("a key the schema does not name")
                .extracting(Error::getKeyword)
                .contains("additionalProperties");
    }

    @Test
    void aSecondRunWhileTheLockIsHeldExitsFourAndWritesNothing() throws Exception {
        Path out = publishedCopy("forecast-locked");
        Files.writeString(
                out.resolve(OutputLayout.LOCK),
                "{\"run_id\":\"forecast-of-2026-12\",\"host\":\""
                        + java.net.InetAddress.getLocalHost().getHostName() + "\",\"pid\":"
                        + ProcessHandle.current().pid() + ",\"started_at\":\"2026-12-01T02:00:00Z\"}");
        Map<String, byte[]> before = forecast(out);
        byte[] summaryBefore = Files.readAllBytes(out.resolve(OutputLayout.FORECAST_SUMMARY));

        Outcome o = run(out, ForecastPipeline::checks);

        assertThat(o.code).isEqualTo(4);
        assertThat(o.err.strip().lines().toList())
                .singleElement()
                .asString()
                .contains("locked by run forecast-of-2026-12");
        assertThat(forecast(out)).containsExactlyEntriesOf(before);
        assertThat(out.resolve(OutputLayout.FORECAST_SUMMARY)).hasBinaryContent(summaryBefore);
        assertThat(out.resolve(OutputLayout.LOCK)).exists();
    }
}
