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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Write, audit, then publish (docs/DESIGN.md): a night that suspects its input (empty, shrunk) stages its
 * tables, publishes nothing, and says so; what was published before is left byte for byte as it was.
 */
class SuspectNightTest extends SparkTestBase {

    private static Path published;
    /** Every file of the published output but the run records, as written by the full run. */
    private static Map<String, byte[]> before;

    private record Outcome(int code, String err) {}

    private static Outcome run(String usage, String acceptance, Path out, String... extra) {
        List<String> args =
                new ArrayList<>(List.of("--usage", usage, "--acceptance", acceptance, "--out", out.toString()));
        args.addAll(Arrays.asList(extra));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                args.toArray(new String[0]), System.out, new PrintStream(err, true, StandardCharsets.UTF_8), spark);
        return new Outcome(code, err.toString(StandardCharsets.UTF_8));
    }

    private static String sampleUsage() {
        return repoRoot().resolve("sample-data/usage").toString();
    }

    private static String sampleAcceptance() {
        return repoRoot().resolve("sample-data/acceptance").toString();
    }

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve(OutputLayout.RUN_SUMMARY).toFile());
    }

    /** A fresh copy of the fully published sample output, for a test that may change it. */
    private static Path copyOfPublished(String name) throws Exception {
        Path copy = tempDir(name).resolve("out");
        FileUtils.copyDirectory(published.toFile(), copy.toFile());
        return copy;
    }

    @BeforeAll
    static void publishTheSample() throws Exception {
        published = tempDir("suspect").resolve("out");
        Outcome o = run(sampleUsage(), sampleAcceptance(), published, "--full");
        assertThat(o.code).as(o.err).isZero();
        before = publishedFiles(published, OutputLayout.RUN_SUMMARY);
        assertThat(before).containsKey("cost_per_approved_asset.csv");
    }

    private static void assertRefused(Path out, Outcome o, int code, String... inReason) throws Exception {
        assertThat(o.code).as(o.err).isEqualTo(code);
        assertThat(o.err.strip().lines().count()).as("one line: " + o.err).isEqualTo(1);
        assertThat(o.err).contains("nothing published").contains(inReason);
        assertSameFiles(before, publishedFiles(out, OutputLayout.RUN_SUMMARY));
        JsonNode s = summary(out);
        assertThat(s.get("exit_code").asInt()).isEqualTo(code);
        assertThat(s.get("published").asBoolean()).isFalse();
        assertThat(s.get("exit_reason").asText()).contains("nothing published");
        String runId = s.get("run_id").asText();
        assertThat(out.resolve("_runs/" + runId + ".json"))
                .as("the run's record")
                .exists();
        assertThat(out.resolve("_runs/assetcost-" + runId + ".log"))
                .as("and its log")
                .exists();
        assertThat(Path.of(s.get("staged_tables").asText()).resolve("request_costs"))
                .as("staged tables kept for the operator")
                .exists();
    }

    @Test
    void anEmptyNightPublishesNothingAndSaysSo() throws Exception {
        Path usage = Files.createDirectories(tempDir("empty-night").resolve("usage"));
        Files.writeString(usage.resolve("usage-2026-11-15.jsonl"), "");
        Path out = copyOfPublished("empty-night-out");
        Outcome o = run(usage.toString(), sampleAcceptance(), out, "--run-date", "2026-11-15");
        assertRefused(out, o, 5, "no usage records", "--allow-empty-usage");
        assertThat(summary(out).get("table_fingerprints"))
                .as("the published tables' fingerprints are the full run's")
                .isEqualTo(summary(published).get("table_fingerprints"));

        Outcome full = run(usage.toString(), sampleAcceptance(), out, "--full");
        assertRefused(out, full, 5, "no usage records");
    }

    @Test
    void aUsageDirectoryWithNoFileIsAnEmptyNightNotABadInput() throws Exception {
        Path usage = Files.createDirectories(tempDir("no-file").resolve("usage"));
        Path out = copyOfPublished("no-file-out");
        assertRefused(out, run(usage.toString(), sampleAcceptance(), out, "--run-date", "2026-11-15"), 5, "0 files");

        Outcome allowed =
                run(usage.toString(), sampleAcceptance(), out, "--run-date", "2026-11-15", "--allow-empty-usage");
        assertThat(allowed.code).as(allowed.err).isZero();
        assertThat(summary(out).get("published").asBoolean()).isTrue();
        try (Stream<Path> cohorts = Files.list(out.resolve("asset_costs"))) {
            assertThat(cohorts.map(p -> p.getFileName().toString()))
                    .as("an empty night published on purpose replaces its window with nothing")
                    .contains("cohort_date=2026-11-07")
                    .doesNotContain("cohort_date=2026-11-08", "cohort_date=2026-11-15");
        }
    }

    @Test
    void aPartialUsageExportIsNotPublishedUnlessAllowed() throws Exception {
        Path usage = Files.createDirectories(tempDir("partial").resolve("usage"));
        FileUtils.copyDirectory(Path.of(sampleUsage()).toFile(), usage.toFile());
        Files.delete(usage.resolve("usage-2026-11-14.jsonl"));
        Path out = copyOfPublished("partial-out");
        Outcome o = run(usage.toString(), sampleAcceptance(), out, "--run-date", "2026-11-15");
        assertRefused(out, o, 6, "usage_date 2026-11-14: priced requests", "--min-kept-share", "--allow-shrink");
        JsonNode days = summary(out).get("shrink_guard").get("days_shrunk");
        assertThat(days).isNotEmpty();
        assertThat(days.get(0).get("usage_date").asText()).isEqualTo("2026-11-14");
        assertThat(days.get(0).get("staged").asLong())
                .isLessThan(days.get(0).get("published").asLong() / 2);

        Outcome allowed = run(usage.toString(), sampleAcceptance(), out, "--run-date", "2026-11-15", "--allow-shrink");
        assertThat(allowed.code).as(allowed.err).isZero();
        assertThat(summary(out).get("published").asBoolean()).isTrue();
        assertThat(summary(out).get("shrink_guard").get("days_shrunk"))
                .as("still named")
                .isNotEmpty();
        assertThat(publishedFiles(out, OutputLayout.RUN_SUMMARY).get("cost_per_approved_asset.csv"))
                .as("published on purpose")
                .isNotEqualTo(before.get("cost_per_approved_asset.csv"));
    }

    @Test
    void decisionsThatVanishForReviewedCohortsAreNotPublished() throws Exception {
        Path acceptance = Files.createDirectories(tempDir("vanished").resolve("acceptance"));
        List<String> lines =
                Files.readAllLines(repoRoot().resolve("sample-data/acceptance/acceptance.csv"), StandardCharsets.UTF_8);
        List<String> kept = new ArrayList<>(List.of(lines.get(0)));
        // The export lost every decision made from 2026-11-10 on.
        lines.stream()
                .skip(1)
                .filter(l -> !l.matches(".*,2026-11-(1\\d|2\\d)T.*"))
                .forEach(kept::add);
        assertThat(kept.size()).isLessThan(lines.size());
        Files.write(acceptance.resolve("acceptance.csv"), kept, StandardCharsets.UTF_8);
        Path out = copyOfPublished("vanished-out");
        Outcome o = run(sampleUsage(), acceptance.toString(), out, "--run-date", "2026-11-15");
        assertRefused(out, o, 6, "cohort_date 2026-11-1", "reviewed images");
        assertThat(o.err).doesNotContain("priced requests");
    }
}
