package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nightly runs: windows, partitions, full rebuild equivalence, reruns, the lock, late decisions. */
class NightlyOperationsTest extends SparkTestBase {

    private static final List<String> TABLES =
            List.of("request_costs", "asset_costs", "cost_per_approved_asset", "retry_waste");
    private static Path full;
    private static Path nightly;

    private record Outcome(int code, String err) {}

    private static Outcome run(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--usage", repoRoot().resolve("sample-data/usage").toString(),
                "--acceptance", repoRoot().resolve("sample-data/acceptance").toString(),
                "--out", out.toString()));
        args.addAll(List.of(extra));
        return runArgs(args);
    }

    private static Outcome runArgs(List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                args.toArray(new String[0]), System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("run_summary.json").toFile());
    }

    /** Every file under a table, relative path to bytes. */
    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @BeforeAll
    static void fullAndNightly() throws Exception {
        full = tempDir("full").resolve("out");
        nightly = tempDir("nightly").resolve("out");
        assertThat(run(full, "--full").code).isZero();
        // Nights four days apart with a 7-day lookback: every cohort is recomputed after all its activity.
        for (String night : List.of("2026-11-05", "2026-11-09", "2026-11-13", "2026-11-17")) {
            Outcome o = run(nightly, "--run-date", night, "--lookback-days", "7");
            assertThat(o.code).as(night + ": " + o.err).isZero();
        }
    }

    @Test
    void aFullRebuildEqualsASequenceOfNightlyRuns() throws Exception {
        JsonNode a = summary(full).get("table_fingerprints");
        JsonNode b = summary(nightly).get("table_fingerprints");
        for (String t : TABLES) {
            assertThat(b.get(t)).as(t).isEqualTo(a.get(t));
        }
        assertThat(Files.exists(nightly.resolve("asset_costs/cohort_date=2026-11-02")))
                .isTrue();
        assertThat(Files.exists(nightly.resolve("request_costs/usage_date=2026-11-15")))
                .isTrue();
        assertThat(summary(nightly).get("window").get("cohorts_from").asText()).isEqualTo("2026-11-10");
    }

    @Test
    void rerunningANightWritesTheSameDataAndLeavesOlderPartitionsAlone() throws Exception {
        Path out = nightly;
        Map<String, byte[]> old = files(out.resolve("asset_costs/cohort_date=2026-11-05"));
        Map<String, byte[]> recent = files(out.resolve("asset_costs/cohort_date=2026-11-12"));
        JsonNode before = summary(out).get("table_fingerprints");
        assertThat(run(out, "--run-date", "2026-11-17", "--lookback-days", "7").code)
                .isZero();
        assertThat(summary(out).get("table_fingerprints")).as("the same rows").isEqualTo(before);
        assertThat(files(out.resolve("asset_costs/cohort_date=2026-11-05")))
                .as("outside the window: untouched")
                .containsExactlyInAnyOrderEntriesOf(old);
        assertThat(files(out.resolve("asset_costs/cohort_date=2026-11-12")).keySet())
                .as("inside: rewritten")
                .doesNotContainAnyElementsOf(recent.keySet());
        try (Stream<Path> runs = Files.list(out.resolve("_runs"))) {
            assertThat(runs.filter(p -> p.toString().endsWith(".json")).count())
                    .as("one summary per night")
                    .isEqualTo(5);
        }
        assertThat(Files.exists(out.resolve("_staging"))).isFalse();
        assertThat(Files.exists(out.resolve(OutputLayout.CHECKPOINTS)))
                .as("every night's checkpoints deleted")
                .isFalse();
        assertThat(Files.exists(out.resolve(OutputLayout.JOURNAL))).isFalse();
        assertThat(Files.exists(out.resolve(OutputLayout.LOCK))).as("released").isFalse();
    }

    @Test
    void aSecondRunAgainstALiveLockExitsFourNamingTheHolder() throws Exception {
        Path out = Files.createDirectories(tempDir("locked").resolve("out"));
        Files.writeString(
                out.resolve(OutputLayout.LOCK),
                "{\"run_id\":\"night-of-2026-11-17\",\"host\":\"" + OutputLock.host() + "\",\"pid\":"
                        + ProcessHandle.current().pid() + ",\"started_at\":\"2026-11-18T02:00:00Z\"}");
        Outcome o = run(out, "--run-date", "2026-11-10");
        assertThat(o.code).isEqualTo(4);
        assertThat(o.err.strip().lines().count()).isEqualTo(1);
        assertThat(o.err)
                .contains("locked by run night-of-2026-11-17")
                .contains("pid " + ProcessHandle.current().pid())
                .contains(OutputLock.host());
        assertThat(Files.exists(out.resolve("asset_costs"))).isFalse();
    }

    @Test
    void aLockLeftByADeadRunIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path out = Files.createDirectories(tempDir("stale").resolve("out"));
        Files.writeString(
                out.resolve(OutputLayout.LOCK),
                "{\"run_id\":\"killed\",\"host\":\"" + OutputLock.host() + "\",\"pid\":" + gone.pid()
                        + ",\"started_at\":\"2026-11-18T02:00:00Z\"}");
        Files.createDirectories(out.resolve("_staging/killed/asset_costs"));
        Files.createDirectories(out.resolve(OutputLayout.CHECKPOINTS + "/killed/rdd-12"));
        assertThat(run(out, "--run-date", "2026-11-10").code).isZero();
        assertThat(Files.exists(out.resolve(OutputLayout.LOCK))).isFalse();
        assertThat(Files.exists(out.resolve("_staging")))
                .as("the dead run's staging is cleared")
                .isFalse();
        assertThat(Files.exists(out.resolve(OutputLayout.CHECKPOINTS)))
                .as("and its checkpoints")
                .isFalse();
        JsonNode dead = summary(out).get("lock_taken_over");
        assertThat(dead.get("run_id").asText()).isEqualTo("killed");
        assertThat(dead.get("pid").asLong()).isEqualTo(gone.pid());
        assertThat(dead.get("host").asText()).isEqualTo(OutputLock.host());
        assertThat(dead.get("started_at").asText()).isEqualTo("2026-11-18T02:00:00Z");
        assertThat(dead.get("why").asText()).isEqualTo("its process is gone");
        JsonNode record =
                new ObjectMapper().readTree(out.resolve("_runs/killed.json").toFile());
        assertThat(record.get("exit_code").isNull()).as("it never finished").isTrue();
        assertThat(record.get("outcome").asText())
                .contains("taken over by run " + summary(out).get("run_id").asText());
    }

    @Test
    void decisionsLaterThanTheLookbackAreCountedForTheOnCall() throws Exception {
        Path out = tempDir("late").resolve("out");
        assertThat(run(out, "--run-date", "2026-11-10", "--lookback-days", "0").code)
                .isZero();
        assertThat(run(out, "--run-date", "2026-11-11", "--lookback-days", "0").code)
                .isZero();
        JsonNode s = summary(out);
        assertThat(s.get("inputs")
                        .get("acceptance")
                        .get("late_decisions_on_frozen_cohorts")
                        .asLong())
                .isPositive();
        assertThat(s.get("attention").asText()).contains("--lookback-days");
    }

    @Test
    void inputsLaidOutByDayAreReadOnlyForTheWindow() throws Exception {
        Path dir = tempDir("by-day");
        Path usage = Files.createDirectories(dir.resolve("usage"));
        try (Stream<Path> files = Files.list(repoRoot().resolve("sample-data/usage"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("usage-")) {
                    Path day = Files.createDirectories(usage.resolve("date=" + name.substring(6, 16)));
                    Files.copy(f, day.resolve(name));
                } else {
                    Files.copy(f, usage.resolve(name));
                }
            }
        }
        Path out = dir.resolve("out");
        Outcome o = runArgs(List.of(
                "--usage",
                usage.toString(),
                "--acceptance",
                repoRoot().resolve("sample-data/acceptance").toString(),
                "--out",
                out.toString(),
                "--run-date",
                "2026-11-10",
                "--lookback-days",
                "2"));
        assertThat(o.code).as(o.err).isZero();
        // Days 08, 09 and 10, and the export that is not laid out by day.
        assertThat(summary(out).get("window").get("usage_files_read").asInt()).isEqualTo(4);
        try (Stream<Path> cohorts = Files.list(out.resolve("asset_costs"))) {
            assertThat(cohorts.filter(Files::isDirectory)
                            .map(p -> p.getFileName().toString())
                            .sorted()
                            .toList())
                    .containsExactly("cohort_date=2026-11-08", "cohort_date=2026-11-09", "cohort_date=2026-11-10");
        }
    }
}
