package io.assetcost;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.io.OutputWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** The command line: documented exit codes and one-line messages, nothing written on unusable input. */
class CostJobCliTest extends SparkTestBase {

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CostJob.execute(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                spark);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLine(Outcome o, int code, String... fragments) {
        assertThat(o.code()).as(o.err()).isEqualTo(code);
        assertThat(o.err().strip().lines().count()).as(o.err()).isEqualTo(1);
        assertThat(o.err()).startsWith("assetcost: ").contains(fragments);
    }

    @Test
    void badOptionsExitTwoWithOneLineSayingWhatToFix() throws Exception {
        Path out = tempDir("cli").resolve("out");
        assertOneLine(run(), 2, "Missing required options", "--usage");
        assertOneLine(run(sampleArgs(out, "--bogus")), 2, "Unknown option: '--bogus'");
        assertOneLine(
                run(sampleArgs(out, "--max-quarantined-fraction", "1.5")),
                2,
                "--max-quarantined-fraction must be between 0 and 1");
        Outcome lots = run(sampleArgs(out, "--max-quarantined-fraction", "lots"));
        assertOneLine(lots, 2, "--max-quarantined-fraction", "'lots' is not a number");
        assertThat(lots.err()).as("no Java exception text").doesNotContain("Exception", "java.");
        assertOneLine(
                run(sampleArgs(out, "--on-unreadable-file", "skip")),
                2,
                "--on-unreadable-file must be fail or quarantine");
        assertOneLine(run(sampleArgs(out, "--max-tokens-per-meter", "0")), 2, "--max-tokens-per-meter");
        assertThat(Files.exists(out)).as("nothing written").isFalse();
    }

    @Test
    void unreadableInputsExitTwoNamingThePathAndWriteNothing() throws Exception {
        Path dir = tempDir("cli-bad");
        Path out = dir.resolve("out");
        String sample = repoRoot().resolve("sample-data/acceptance").toString();
        Path missing = dir.resolve("no-such-dir");
        assertOneLine(
                run("--usage", missing.toString(), "--acceptance", sample, "--out", out.toString()),
                2,
                missing.toString(),
                "does not exist");

        Path oddFiles = Files.createDirectories(dir.resolve("odd"));
        Files.writeString(oddFiles.resolve("usage.txt"), "hello");
        assertOneLine(
                run("--usage", oddFiles.toString(), "--acceptance", sample, "--out", out.toString()),
                2,
                "usage.txt",
                "is not an accepted kind");

        Path badHeader = dir.resolve("decisions.csv");
        Files.writeString(badHeader, "request_id,verdict\nreq_1,approved\n");
        assertOneLine(
                run(
                        "--usage",
                        repoRoot().resolve("sample-data/usage").toString(),
                        "--acceptance",
                        badHeader.toString(),
                        "--out",
                        out.toString()),
                2,
                "decisions.csv",
                "lacks header column(s)");

        Path badCard = dir.resolve("rates.csv");
        Files.writeString(
                badCard,
                "model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to\n"
                        + "gpt-image-2,default,image_output,thirty,2026-01-01,\n");
        assertOneLine(
                run(sampleArgs(out, "--rates", badCard.toString())),
                2,
                "rates.csv line 2",
                "usd_per_1m_tokens 'thirty'");
        assertOneLine(
                run(sampleArgs(out, "--rates", dir.resolve("none.csv").toString())), 2, "none.csv", "does not exist");

        assertThat(Files.exists(out)).as("nothing written").isFalse();
    }

    @Test
    void anEmptyNightExitsFiveSayingWhy() throws Exception {
        Path dir = tempDir("cli-empty");
        Path usage = Files.createDirectories(dir.resolve("usage"));
        Files.writeString(usage.resolve("empty.jsonl"), "\n  \n");
        Outcome o = run(
                "--usage",
                usage.toString(),
                "--acceptance",
                repoRoot().resolve("sample-data/acceptance").toString(),
                "--out",
                dir.resolve("out").toString(),
                "--full");
        assertOneLine(o, 5, "exit 5", "no usage records", "--allow-empty-usage");
        Outcome allowed = run(
                "--usage",
                usage.toString(),
                "--acceptance",
                repoRoot().resolve("sample-data/acceptance").toString(),
                "--out",
                dir.resolve("out2").toString(),
                "--full",
                "--allow-empty-usage");
        assertThat(allowed.code()).as(allowed.err()).isZero();
    }

    @Test
    void helpPrintsEveryOptionAndTheExitCodes() {
        Outcome o = run("--help");
        assertThat(o.code()).isZero();
        assertThat(o.out())
                .contains(
                        "--usage", "--acceptance", "--rates", "--out", "--max-quarantined-fraction", "Exit codes", "3");
    }

    @Test
    void csvCellsAreNeverInExponentFormAndTimesAreIsoUtc() {
        assertThat(OutputWriter.cell(new BigDecimal("1E-12"))).isEqualTo("0.000000000001");
        assertThat(OutputWriter.cell(new BigDecimal("1.5E+3"))).isEqualTo("1500");
        assertThat(OutputWriter.cell(Instant.parse("2026-11-03T10:15:00Z"))).isEqualTo("2026-11-03T10:15:00Z");
        assertThat(OutputWriter.cell(LocalDate.of(2026, 11, 3))).isEqualTo("2026-11-03");
        assertThat(OutputWriter.cell(null)).isNull();
    }

    @Test
    void thePomKeepsSparksOwnJavaModuleFlags() {
        // Surefire passes the pom's spark.module.options; Spark's launcher is the authority.
        assertThat(System.getProperty("spark.module.options")).isEqualTo(JavaModuleOptions.defaultModuleOptions());
    }
}
