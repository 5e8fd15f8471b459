package io.assetcost.finance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.SummarySchemas;
import io.assetcost.io.OutputWriter;
import io.assetcost.ops.OutputLayout;
import io.assetcost.schema.Cols;
import io.assetcost.schema.OutputTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The month close keeps the night's promises (README, "Exit codes"): it stages, checks, then publishes, so a
 * close that fails an invariant or meets a live lock leaves the close published before it byte for byte, exits
 * with the cost job's code and says why in one line on stderr.
 */
class MonthClosePublishTest extends SparkTestBase {

    private static final SummarySchemas SCHEMA = SummarySchemas.load("reconcile_summary.schema.json");

    private static Path tables;
    private static Path tampered;
    private static Path published;

    private record Outcome(int code, String err) {}

    @BeforeAll
    static void closeTheSampleMonthAndTamperWithItsCosts() throws Exception {
        Path dir = tempDir("close-publish");
        tables = dir.resolve("tables");
        assertThat(CostJob.execute(sampleArgs(tables), System.out, System.err, spark))
                .isZero();
        published = dir.resolve("finance");
        Outcome first = run(published, tables);
        assertThat(first.code).as(first.err).isZero();
        // The cost job's tables with one November request's cost_usd raised by a dollar and its meters left as
        // they were: what a hand-edited request_costs looks like. monthly_spend sums the meters, so the close's
        // "monthly_spend total = request_costs of the month" cannot hold.
        tampered = dir.resolve("tampered");
        copy(tables.resolve(OutputTable.QUARANTINE.tableName()), tampered.resolve(OutputTable.QUARANTINE.tableName()));
        Dataset<Row> costs = spark.read()
                .schema(OutputTable.REQUEST_COSTS.sparkSchema())
                .parquet(tables.resolve(OutputTable.REQUEST_COSTS.tableName()).toString());
        String victim = costs.filter(col(Cols.USAGE_DATE).geq(lit("2026-11-01").cast("date")))
                .orderBy(Cols.REQUEST_ID)
                .first()
                .getAs(Cols.REQUEST_ID);
        Dataset<Row> raised = costs.withColumn(
                Cols.COST_USD,
                when(col(Cols.REQUEST_ID).equalTo(victim), col(Cols.COST_USD).plus(1))
                        .otherwise(col(Cols.COST_USD)));
        OutputWriter.parquet(
                OutputTable.REQUEST_COSTS.conform(raised),
                new org.apache.hadoop.fs.Path(tampered.toString()),
                OutputTable.REQUEST_COSTS);
    }

    /** The sample month's close of {@code from} into {@code out}, as scripts/reconcile.sh runs it. */
    private static Outcome run(Path out, Path from) {
        String[] args = {
            "--month", "2026-11",
            "--tables", from.toString(),
            "--costs", repoRoot().resolve("sample-data/costs").toString(),
            "--usage-api", repoRoot().resolve("sample-data/usage-api").toString(),
            "--billing-account-id", "org-sample",
            "--billing-account-name", "Sample Org",
            "--out", out.toString()
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReconcileJob.execute(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    /** A fresh copy of the published close, so that each test starts from the same one. */
    private static Path publishedCopy(String name) throws Exception {
        Path out = tempDir(name).resolve("finance");
        copy(published, out);
        return out;
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper()
                .readTree(out.resolve(OutputLayout.RECONCILE_SUMMARY).toFile());
    }

    @Test
    void aFailingInvariantPublishesNothingExitsOneAndSaysWhichInOneLine() throws Exception {
        Path out = publishedCopy("close-invariant");
        Map<String, byte[]> before = publishedFiles(out, OutputLayout.RECONCILE_SUMMARY);
        assertThat(before).containsKeys("monthly_spend.csv", "focus_costs.csv", OutputLayout.MONTH_CLOSE_REPORT);

        Outcome o = run(out, tampered);

        assertThat(o.code).isEqualTo(1);
        assertThat(o.err.strip().lines().toList())
                .singleElement()
                .asString()
                .startsWith("assetcost-reconcile: exit 1: invariant failed: monthly_spend total = request_costs")
                .contains("nothing published");
        assertSameFiles(before, publishedFiles(out, OutputLayout.RECONCILE_SUMMARY));
        JsonNode summary = summary(out);
        assertThat(summary.get("published").asBoolean()).isFalse();
        assertThat(summary.get("exit_code").asInt()).isEqualTo(1);
        assertThat(SCHEMA.schema().validate(summary)).isEmpty();
        String runId = summary.get("run_id").asText();
        assertThat(out.resolve("_runs/" + runId + ".json")).exists();
        assertThat(out.resolve("_staging/" + runId + "/monthly_spend.csv"))
                .as("the refused close is kept for the operator")
                .exists();
        assertThat(out.resolve(OutputLayout.LOCK)).as("released").doesNotExist();
        assertThat(out.resolve(OutputLayout.JOURNAL)).doesNotExist();

        // The next close finds the lock of a close that died (its process gone) and takes it over.
        Files.writeString(
                out.resolve(OutputLayout.LOCK),
                "{\"run_id\":\"died-closing\",\"host\":\""
                        + java.net.InetAddress.getLocalHost().getHostName() + "\",\"pid\":" + Integer.MAX_VALUE
                        + ",\"started_at\":\"2026-12-01T02:00:00Z\"}");
        Outcome rerun = run(out, tables);
        assertThat(rerun.code).as(rerun.err).isZero();
        JsonNode taken = summary(out).get("lock_taken_over");
        assertThat(taken.get("run_id").asText()).isEqualTo("died-closing");
        assertThat(taken.get("why").asText()).isEqualTo("its process is gone");
        assertThat(taken.has("taken_over_by")).as("the cost job's key only").isFalse();
        assertThat(SCHEMA.schema().validate(summary(out))).isEmpty();
        assertThat(topLevel(out)).as("the same tables and files again").isEqualTo(topLevel(published));
        for (String csv : List.of("monthly_spend.csv", "cost_reconciliation.csv", "focus_costs.csv")) {
            assertThat(out.resolve(csv)).as(csv).hasSameBinaryContentAs(published.resolve(csv));
        }
        assertThat(out.resolve("_staging"))
                .as("the refused run's staging cleared")
                .doesNotExist();
        assertThat(out.resolve("_trash")).doesNotExist();
        assertThat(summary(out).get("published").asBoolean()).isTrue();
    }

    @Test
    void theSummaryHoldsToItsSchema() throws Exception {
        JsonNode summary = summary(published);
        assertThat(SCHEMA.schema().validate(summary)).isEmpty();
        assertThat(summary.get("usage_api").get("pages_read").asInt()).isEqualTo(2);
        assertThat(summary.get("status_counts").has("log_coverage")).isTrue();
        // Money is an exact decimal string: a JSON number (a double to most readers) is refused.
        ObjectNode money = summary.deepCopy();
        ((ObjectNode) money.get("totals")).put("computed_cost_usd", 62.4);
        assertThat(SCHEMA.schema().validate(money))
                .extracting(Error::getKeyword)
                .contains("type");
        ObjectNode missing = summary.deepCopy();
        ((ObjectNode) missing.get("month_coverage")).remove("data_through");
        assertThat(SCHEMA.schema().validate(missing))
                .extracting(Error::getKeyword)
                .contains("required");
        ObjectNode extra = summary.deepCopy();
        extra.put("outcome", "published");
        assertThat(SCHEMA.schema().validate(extra))
                .as("a key the schema does not name")
                .extracting(Error::getKeyword)
                .contains("additionalProperties");
    }

    @Test
    void aSecondRunWhileTheLockIsHeldExitsFourAndWritesNothing() throws Exception {
        Path out = publishedCopy("close-locked");
        Files.writeString(
                out.resolve(OutputLayout.LOCK),
                "{\"run_id\":\"close-of-2026-11\",\"host\":\""
                        + java.net.InetAddress.getLocalHost().getHostName() + "\",\"pid\":"
                        + ProcessHandle.current().pid() + ",\"started_at\":\"2026-12-01T02:00:00Z\"}");
        Map<String, byte[]> before = publishedFiles(out, OutputLayout.RECONCILE_SUMMARY);
        byte[] summaryBefore = Files.readAllBytes(out.resolve(OutputLayout.RECONCILE_SUMMARY));
        List<Path> runsBefore = runs(out);

        Outcome o = run(out, tables);

        assertThat(o.code).isEqualTo(4);
        assertThat(o.err.strip().lines().toList())
                .singleElement()
                .asString()
                .contains("locked by run close-of-2026-11")
                .contains("pid " + ProcessHandle.current().pid());
        assertSameFiles(before, publishedFiles(out, OutputLayout.RECONCILE_SUMMARY));
        assertThat(out.resolve(OutputLayout.RECONCILE_SUMMARY)).hasBinaryContent(summaryBefore);
        assertThat(runs(out)).as("exit 4 writes no record").isEqualTo(runsBefore);
        assertThat(out.resolve(OutputLayout.LOCK))
                .as("the holder's lock is left alone")
                .exists();
    }

    /** The names directly under the output that belong to the close (tables, CSV files, the page). */
    private static List<String> topLevel(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("_") && !n.equals(OutputLayout.RECONCILE_SUMMARY))
                    .sorted()
                    .toList();
        }
    }

    private static List<Path> runs(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve(OutputLayout.RUNS))) {
            return new ArrayList<>(s.sorted().toList());
        }
    }
}
