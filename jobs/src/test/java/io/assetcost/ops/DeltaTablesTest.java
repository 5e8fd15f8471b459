package io.assetcost.ops;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.finance.ReconcileJob;
import io.assetcost.io.OutputWriter;
import io.assetcost.schema.OutputTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code --table-format delta} on the local file system (README, "Outputs"; docs/DESIGN.md, "Delta tables"): the
 * sample's full run as Delta tables equal to the Parquet run's by fingerprint, a nightly run that makes one new
 * version per table and touches only its window's partitions, a rerun that gives identical tables, the month close
 * reading and writing Delta tables, and a publish killed between two tables' commits rolled forward. The tests
 * run in order on one output directory, as nights follow each other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeltaTablesTest extends SparkTestBase {

    private static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.COST);
    private static final String NIGHT = "2026-11-17";
    private static final String LOOKBACK = "2";

    private static Path parquet;
    private static Path delta;
    private static JsonNode parquetSummary;
    private static JsonNode firstNight;

    private record Outcome(int code, String err) {}

    @BeforeAll
    static void deltaSessionAndTheParquetRun() throws Exception {
        spark.stop();
        spark = localSession(DELTA_SESSION);
        Path dir = tempDir("delta-tables");
        parquet = dir.resolve("parquet");
        delta = dir.resolve("delta");
        Outcome p = cost(sampleArgs(parquet));
        assertThat(p.code).as(p.err).isZero();
        parquetSummary = summary(parquet);
    }

    @Test
    @Order(1)
    void fullRunWritesDeltaTablesEqualToTheParquetOnes() throws Exception {
        Outcome o = cost(with(sampleArgs(delta), DELTA_OPTION));
        assertThat(o.code).as(o.err).isZero();
        JsonNode s = summary(delta);
        assertThat(s.get("table_format").asText()).isEqualTo("delta");
        assertThat(s.get("table_fingerprints")).isEqualTo(parquetSummary.get("table_fingerprints"));
        for (OutputTable t : TABLES) {
            Path dir = delta.resolve(t.tableName());
            assertThat(dir.resolve(DeltaTables.LOG)).as(t.tableName()).isDirectory();
            assertThat(s.path("delta_versions").path(t.tableName()).asLong(-1))
                    .as(t.tableName())
                    .isZero();
            // Read back through Delta, independently of the run's own bookkeeping.
            assertThat(fingerprint(spark.read().format("delta").load(dir.toString()), t))
                    .as(t.tableName())
                    .isEqualTo(parquetSummary
                            .get("table_fingerprints")
                            .get(t.tableName())
                            .asText());
        }
        assertThat(parquetSummary.get("table_format").asText()).isEqualTo("parquet");
        assertThat(parquetSummary.get("delta_versions").isNull()).isTrue();
    }

    @Test
    @Order(2)
    void nightlyRunMakesOneVersionPerTableAndTouchesOnlyItsWindow() throws Exception {
        Map<OutputTable, Dataset<Row>> before = new LinkedHashMap<>();
        for (OutputTable t : TABLES) {
            before.put(t, TableReader.read(spark, table(t), t).cache());
            before.get(t).count();
        }
        Outcome o = cost(nightly());
        assertThat(o.code).as(o.err).isZero();
        firstNight = summary(delta);
        LocalDate first = LocalDate.parse(NIGHT).minusDays(Long.parseLong(LOOKBACK));
        for (OutputTable t : TABLES) {
            assertThat(firstNight.get("delta_versions").get(t.tableName()).asLong())
                    .as(t.tableName())
                    .isEqualTo(1);
            if (t.partitionColumn() == null) {
                continue;
            }
            // The commit's files all lie in the window's partitions ...
            for (JsonNode action : commit(t, 1)) {
                JsonNode file = action.has("add") ? action.get("add") : action.get("remove");
                if (file == null) {
                    continue;
                }
                LocalDate day = LocalDate.parse(
                        file.get("partitionValues").get(t.partitionColumn()).asText());
                assertThat(day).as(t.tableName()).isBetween(first, LocalDate.parse(NIGHT));
            }
            // ... and the rows outside it are those of the version before.
            String outside =
                    t.partitionColumn() + " < '" + first + "' OR " + t.partitionColumn() + " > '" + NIGHT + "'";
            Dataset<Row> now = TableReader.read(spark, table(t), t).filter(outside);
            Dataset<Row> was = before.get(t).filter(outside);
            assertThat(now.exceptAll(was).count() + was.exceptAll(now).count())
                    .as(t.tableName())
                    .isZero();
            assertThat(was.count()).as(t.tableName()).isPositive();
            before.get(t).unpersist();
        }
    }

    @Test
    @Order(3)
    void rerunGivesIdenticalTablesInOneMoreVersion() throws Exception {
        Outcome o = cost(nightly());
        assertThat(o.code).as(o.err).isZero();
        JsonNode rerun = summary(delta);
        assertThat(rerun.get("table_fingerprints")).isEqualTo(firstNight.get("table_fingerprints"));
        for (OutputTable t : TABLES) {
            assertThat(rerun.get("delta_versions").get(t.tableName()).asLong())
                    .as(t.tableName())
                    .isEqualTo(2);
        }
        // A nightly run in Parquet on Delta tables would mix two layouts: refused, nothing written (exit 2).
        Outcome parquetNight = cost(nightlyArgs().toArray(new String[0]));
        assertThat(parquetNight.code).isEqualTo(2);
        assertThat(parquetNight.err).contains("--table-format delta");
    }

    @Test
    @Order(4)
    void monthCloseReadsAndWritesDeltaTables() throws Exception {
        Path finance = delta.getParent().resolve("finance");
        String[] args = {
            "--month", "2026-11",
            "--tables", delta.toString(),
            "--costs", repoRoot().resolve("sample-data/costs").toString(),
            "--billing-account-id", "org-sample",
            "--billing-account-name", "Sample Org",
            "--out", finance.toString(),
            "--table-format", "delta"
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReconcileJob.execute(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode s = new ObjectMapper()
                .readTree(finance.resolve(OutputLayout.RECONCILE_SUMMARY).toFile());
        assertThat(s.get("table_format").asText()).isEqualTo("delta");
        assertThat(s.get("delta_versions")
                        .get(OutputTable.MONTHLY_SPEND.tableName())
                        .asLong())
                .isZero();
        assertThat(finance.resolve(OutputTable.MONTHLY_SPEND.tableName()).resolve(DeltaTables.LOG))
                .isDirectory();
        assertThat(finance.resolve(OutputTable.MONTHLY_SPEND.tableName() + ".csv"))
                .isRegularFile();
    }

    @Test
    @Order(5)
    void publishKilledBetweenTwoCommitsIsRolledForward() throws Exception {
        OutputLayout out = new OutputLayout(delta.toString());
        OutputTable a = OutputTable.ASSET_COSTS;
        OutputTable b = OutputTable.RETRY_WASTE;
        String where = "cohort_date >= '2026-11-15' AND cohort_date <= '2026-11-17'";
        Map<OutputTable, Long> was = new LinkedHashMap<>();
        List<Map<String, Object>> commits = new ArrayList<>();
        for (OutputTable t : List.of(a, b)) {
            was.put(t, DeltaTables.version(spark, table(t)));
            // The killed run staged the window's rows of each table as they are now.
            OutputWriter.parquet(
                    TableReader.read(spark, table(t), t).filter(where),
                    new org.apache.hadoop.fs.Path(out.staging("killed").toString()),
                    t);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("table", t.name());
            c.put("live", table(t).toString());
            c.put("staged", out.staged("killed", t).toString());
            c.put("replace_where", where);
            c.put("txn_app_id", DeltaTables.TXN_APP_ID);
            c.put("txn_version", was.get(t) + 1);
            c.put("trash", out.trash("killed").toString() + "/" + t.tableName());
            commits.add(c);
        }
        Map<String, Object> journal = new LinkedHashMap<>();
        journal.put("run_id", "killed");
        journal.put("swaps", List.of());
        journal.put("commits", commits);
        Files.write(Path.of(out.journal().toString()), new ObjectMapper().writeValueAsBytes(journal));
        // It died after the first table's commit and before the second's.
        DeltaTables.write(TableReader.read(spark, out.staged("killed", a), a), table(a), a, where, was.get(a) + 1);
        assertThat(DeltaTables.version(spark, table(a))).isEqualTo(was.get(a) + 1);

        assertThat(Publisher.recover(spark, out)).isEqualTo("killed");

        // The first commit is not made twice (Delta skipped it); the second is made once.
        assertThat(DeltaTables.version(spark, table(a))).isEqualTo(was.get(a) + 1);
        assertThat(DeltaTables.version(spark, table(b))).isEqualTo(was.get(b) + 1);
        assertThat(Path.of(out.journal().toString())).doesNotExist();
        assertThat(Path.of(out.stagingRoot().toString())).doesNotExist();
        for (OutputTable t : List.of(a, b)) {
            assertThat(fingerprint(TableReader.read(spark, table(t), t), t))
                    .as(t.tableName())
                    .isEqualTo(firstNight
                            .get("table_fingerprints")
                            .get(t.tableName())
                            .asText());
        }
    }

    private static org.apache.hadoop.fs.Path table(OutputTable t) {
        return new OutputLayout(delta.toString()).table(t);
    }

    private static List<String> nightlyArgs() {
        return new ArrayList<>(List.of(
                "--usage", repoRoot().resolve("sample-data/usage").toString(),
                "--acceptance", repoRoot().resolve("sample-data/acceptance").toString(),
                "--out", delta.toString(),
                "--run-date", NIGHT,
                "--lookback-days", LOOKBACK));
    }

    private static String[] nightly() {
        return with(nightlyArgs().toArray(new String[0]), DELTA_OPTION);
    }

    private static String[] with(String[] args, String... extra) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(extra));
        return all.toArray(new String[0]);
    }

    private static Outcome cost(String[] args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve(OutputLayout.RUN_SUMMARY).toFile());
    }

    /** A table's fingerprint as the run summary writes it: rows and the sum of their row hashes. */
    static String fingerprint(Dataset<Row> df, OutputTable t) {
        Dataset<Row> rows = t.conform(df);
        Row r = rows.agg(count(lit(1)), sum(OutputWriter.rowHash(rows))).first();
        return r.getLong(0) + " rows, "
                + (r.getLong(0) == 0 ? "0" : r.getDecimal(1).toPlainString());
    }

    /** The actions of a table's commit (one JSON object a line of {@code _delta_log/<version>.json}). */
    private static List<JsonNode> commit(OutputTable t, long version) throws Exception {
        Path file = delta.resolve(t.tableName())
                .resolve(DeltaTables.LOG)
                .resolve(String.format(java.util.Locale.ROOT, "%020d.json", version));
        List<JsonNode> actions = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            actions.add(new ObjectMapper().readTree(line));
        }
        return actions;
    }
}
