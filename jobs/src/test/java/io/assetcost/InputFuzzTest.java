package io.assetcost;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.assetcost.finance.CostsReader;
import io.assetcost.finance.UsageApiReader;
import io.assetcost.io.CsvSource;
import io.assetcost.io.CsvTails;
import io.assetcost.io.InputFiles;
import io.assetcost.io.JsonRecords;
import io.assetcost.io.UsageFormat;
import io.assetcost.io.UsageFormatOptions;
import io.assetcost.io.UsageReader;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.Bounds;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.quality.Times;
import io.assetcost.quality.UsageValidation;
import io.assetcost.run.InputException;
import io.assetcost.schema.Cols;
import io.assetcost.schema.Schemas;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.input.BOMInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets (Jazzer) for every parser of bytes that come from outside: a usage log line and a JSON Lines
 * file, a CSV export with its unparsed tail, rows of the Parquet export, a time value, the rate card and the
 * rate-limit card, and pages of the Costs and Usage APIs. Each target hands the bytes to the real reader
 * (through a file where the reader takes a path) and holds the outcome to what the README promises: every
 * record is accounted for exactly once (priced or used, quarantined with a known reason and a detail, an
 * exact duplicate, a blank line), a quarantined record keeps its raw text, and nothing escapes but the one
 * documented clear error, an {@link InputException} whose message is one line.
 *
 * <p>{@code mvn test} runs each target once per file of its seed corpus ({@code InputFuzzTestInputs/<target>/}
 * under this package's test resources) and once on empty input; {@code scripts/fuzz.sh} fuzzes them
 * ({@code JAZZER_FUZZ=1}), and an input that fails joins that corpus. The targets that need Spark share one
 * local session, started by the first of them.
 */
class InputFuzzTest {

    private static final AtomicLong FILES = new AtomicLong();
    private static final Schema USAGE_LOG = Schemas.avro(Schemas.USAGE_LOG);
    private static final StructType EXPORT = Schemas.spark(Schemas.USAGE_EXPORT);

    private static SparkSession spark;
    private static RateCard card;

    /**
     * Jazzer installs its agent from a jar it writes to java.io.tmpdir, which surefire points at a folder of
     * target/ that nothing has made yet when this class runs first.
     */
    @BeforeAll
    static void makeTempDir() throws IOException {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private static synchronized SparkSession spark() throws IOException {
        if (spark == null) {
            spark = SparkTestBase.localSession();
            card = RateCard.load(new Configuration(false), null);
        }
        return spark;
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
    }

    // ---- usage: the log line, the JSON Lines file, the CSV export, the Parquet export's rows ----

    /**
     * {@link JsonRecords#inspect} on every physical line of the input: a blank line is a blank line, a good
     * record keeps its normal form (which reads back to itself), anything else is {@code malformed_record}
     * with a one-line detail. Plain Java, so the fuzzer runs it hundreds of times a second.
     */
    @FuzzTest
    void usageLogLine(byte[] input) {
        for (String line : physicalLines(input)) {
            String[] r = JsonRecords.inspect(line, USAGE_LOG);
            assertThat(r).as("inspect(%s)", line).hasSize(3);
            if (line.isBlank()) {
                assertThat(r).as("a blank line: %s", line).containsExactly(null, UsageValidation.BLANK_LINE, null);
                continue;
            }
            if (r[1] == null) {
                assertThat(r[0]).as("a good record has its text: %s", line).isNotNull();
                assertThat(r[2]).as("a good record has no detail: %s", line).isNull();
                // A good record's normal form reads back to itself. Not so a quarantined one's: Jackson writes
                // 5.0 as 5, so the normal form of a line with 5.0 where a whole number belongs would pass (the
                // line stays in quarantine by its own reason; its raw text is what quarantine keeps).
                assertThat(JsonRecords.inspect(r[0], USAGE_LOG))
                        .as("the normal form of %s reads back to itself", line)
                        .containsExactly(r);
            } else {
                assertThat(r[1]).as("reason of %s", line).isEqualTo(QuarantineReason.MALFORMED_RECORD.code());
                assertOneLine(r[2], "detail of " + line);
            }
        }
    }

    /**
     * A usage log file through the real reader, validation and pricing: one row per physical line (as
     * Hadoop splits them: LF, CR or CRLF; a byte-order mark at the start skipped), each row's raw_record
     * being its line, each line priced, quarantined, an exact duplicate or blank.
     */
    @FuzzTest
    void usageJsonLines(byte[] input) throws IOException {
        Path file = write(input, ".jsonl");
        try {
            List<Row> rows =
                    outcomes(UsageReader.read(spark(), Map.of(InputFiles.Kind.JSON_LINES, List.of(uri(file)))));
            assertAccounted(rows, true, text(input));
            assertThat(rows.stream().map(r -> r.<String>getAs(Cols.RAW_RECORD)).toList())
                    .as("one row per physical line, with the line as its raw_record")
                    .containsExactlyInAnyOrderElementsOf(physicalLines(input));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A Langfuse observation export file ({@code --usage-format langfuse}) through the real reader, validation
     * and pricing: one row per physical line, each priced, quarantined, an exact duplicate, blank, or skipped
     * as an observation that is not a generation (with a detail naming its type).
     */
    @FuzzTest
    void langfuseObservations(byte[] input) throws IOException {
        Path file = write(input, ".jsonl");
        try {
            List<Row> rows = outcomes(UsageReader.read(
                    spark(),
                    UsageFormat.LANGFUSE,
                    Map.of(InputFiles.Kind.JSON_LINES, List.of(uri(file))),
                    UsageFormatOptions.defaults()));
            List<Row> notUsage = rows.stream()
                    .filter(r -> "blank".equals(r.getAs("outcome")) && r.<String>getAs(Cols.PARSE_DETAIL) != null)
                    .toList();
            for (Row r : notUsage) {
                assertThat(r.<String>getAs(Cols.PARSE_DETAIL)).startsWith("not usage: a ");
            }
            assertAccounted(rows.stream().filter(r -> !notUsage.contains(r)).toList(), true, text(input));
            assertThat(rows.stream().map(r -> r.<String>getAs(Cols.RAW_RECORD)).toList())
                    .as("one row per physical line, with the line as its raw_record")
                    .containsExactlyInAnyOrderElementsOf(physicalLines(input));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A CSV export file through the header check, the real reader, validation and pricing. A header without
     * the contract's columns is the one clear error; otherwise every record Commons CSV reads from the file
     * is one row whose raw_record is that record (RFC 4180), and a file that stops parsing gives one more
     * row, its unparsed tail: the end of the file's text, with its physical lines counted in the detail.
     */
    @FuzzTest
    void usageCsv(byte[] input) throws IOException {
        Path file = write(input, ".csv");
        try {
            try {
                CsvSource.checkHeaders(
                        new Configuration(false),
                        "--usage",
                        List.of(uri(file)),
                        Schemas.requiredColumns(Schemas.USAGE_EXPORT));
            } catch (InputException e) {
                assertOneLine(e.getMessage(), "the header check's message");
                return;
            }
            CsvTails counted = CsvTails.register(spark(), "fuzz");
            List<Row> rows = outcomes(UsageReader.read(
                    spark(),
                    UsageFormat.AUTO,
                    Map.of(InputFiles.Kind.CSV, List.of(uri(file))),
                    UsageFormatOptions.defaults(),
                    counted));
            assertAccounted(rows, true, text(input));
            CsvText expected = CsvText.parse(input);
            List<String> records = new ArrayList<>();
            List<Row> tails = new ArrayList<>();
            for (Row r : rows) {
                String detail = r.getAs(Cols.PARSE_DETAIL);
                if (detail != null && detail.startsWith("the file stops parsing")) {
                    tails.add(r);
                } else {
                    records.add(r.getAs(Cols.RAW_RECORD));
                }
            }
            assertThat(records)
                    .as("one row per CSV record, its raw_record the record")
                    .containsExactlyInAnyOrderElementsOf(expected.records());
            assertThat(tails)
                    .as("an unparsed tail exactly when the file stops parsing")
                    .hasSize(expected.stops() ? 1 : 0);
            long tailLines = 0;
            for (Row tail : tails) {
                String raw = tail.getAs(Cols.RAW_RECORD);
                assertThat(expected.text())
                        .as("the tail is the end of the file")
                        .endsWith(raw);
                assertThat(tail.<String>getAs(Cols.PARSE_DETAIL))
                        .as("the tail's detail counts its physical lines")
                        .endsWith("physical lines in the unparsed rest: " + physicalLineCount(raw));
                tailLines += physicalLineCount(raw);
            }
            assertThat(counted.lines())
                    .as("the reader's count of tail lines, once per file however often the file was read")
                    .isEqualTo(tailLines);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Rows of the flat Parquet export mapped to canonical usage ({@link UsageReader#fromExportParquet}), then
     * validated and priced. Each line of the input is one row, its fields typed from the line as JSON by the
     * export's contract (a field of the wrong type, or a line that is not JSON, leaves nulls, as a Parquet
     * file may hold them). Every row is accounted for, and a quarantined row's raw_record (the row rendered
     * as JSON) reads back to the row.
     */
    @FuzzTest
    void usageExportRows(byte[] input) throws IOException {
        List<String> lines = List.of(text(input).split("\n", -1));
        Dataset<Row> typed = spark().createDataset(lines, Encoders.STRING())
                .select(from_json(col("value"), EXPORT).as("p"))
                .select(col("p.*"))
                .withColumn(Cols.SOURCE_FILE, lit("fuzz.parquet"));
        List<Row> rows = outcomes(UsageReader.fromExportParquet(typed));
        assertAccounted(rows, false, text(input));
        assertThat(rows).as("one row per export row").hasSize(lines.size());
        for (Row r : rows) {
            if ("quarantined".equals(r.getAs("outcome"))) {
                assertThat(r.<Row>getAs("raw_as_row"))
                        .as("raw_record %s reads back to the row", r.<String>getAs(Cols.RAW_RECORD))
                        .isEqualTo(r.getAs(Cols.EXPORT_ROW));
            }
        }
    }

    /** What separates a {@link #batchFiles} input's batch lines from its batch.json. */
    private static final byte[] BATCH_OBJECT_MARK = "\n#batch.json\n".getBytes(StandardCharsets.UTF_8);

    /**
     * One OpenAI Batch directory through the batch reader ({@code --usage-format batch}), validation and pricing:
     * the input up to a line {@code #batch.json} is a JSON Lines file of input, output and error lines, the
     * rest (when there is such a line) the directory's {@code batch.json}. Every row is accounted for, its
     * raw_record one of the file's physical lines (each at most as often as the file holds it), and a line
     * that is no row is an input line its output line consumed.
     */
    @FuzzTest
    void batchFiles(byte[] input) throws IOException {
        int mark = indexOf(input, BATCH_OBJECT_MARK);
        byte[] lines = mark < 0 ? input : java.util.Arrays.copyOfRange(input, 0, mark);
        Path dir = Files.createDirectories(Path.of(
                System.getProperty("java.io.tmpdir"),
                "fuzz-inputs",
                "batch-" + ProcessHandle.current().pid() + "-" + FILES.incrementAndGet()));
        try {
            Files.write(dir.resolve("lines.jsonl"), lines);
            List<String> files = new ArrayList<>(List.of(uri(dir.resolve("lines.jsonl"))));
            if (mark >= 0) {
                Files.write(
                        dir.resolve("batch.json"),
                        java.util.Arrays.copyOfRange(input, mark + BATCH_OBJECT_MARK.length, input.length));
                files.add(uri(dir.resolve("batch.json")));
            }
            List<Row> rows = outcomes(UsageReader.read(
                    spark(),
                    io.assetcost.io.UsageFormat.BATCH,
                    Map.of(InputFiles.Kind.JSON_LINES, files),
                    io.assetcost.io.UsageFormatOptions.defaults()));
            assertAccounted(rows, true, text(input));
            List<String> left = new ArrayList<>(physicalLines(lines));
            for (Row r : rows) {
                String raw = r.getAs(Cols.RAW_RECORD);
                assertThat(left.remove(raw))
                        .as("row %s is a line of the file, once", raw)
                        .isTrue();
            }
            for (String consumed : left) {
                assertThat(consumed)
                        .as("a line that is no row is an input line")
                        .contains("custom_id");
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static int indexOf(byte[] input, byte[] what) {
        for (int i = 0; i + what.length <= input.length; i++) {
            if (java.util.Arrays.equals(input, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A LiteLLM spend-log file through {@code --usage-format litellm}'s reader ({@code io.LiteLlmUsage}),
     * validation and pricing. The first byte of the input picks the shape, the rest is the file: {@code c} a CSV
     * dump, {@code a} the API's JSON document ({@code .json}), anything else JSON Lines. Every record is
     * accounted for with its raw text; a JSON Lines file gives one row per physical line; a CSV header without
     * the contract's columns is the one clear error.
     */
    @FuzzTest
    void litellmSpendLogs(byte[] input) throws IOException {
        byte shape = input.length == 0 ? (byte) 'l' : input[0];
        byte[] body = input.length == 0 ? input : java.util.Arrays.copyOfRange(input, 1, input.length);
        String extension = shape == 'c' ? ".csv" : shape == 'a' ? ".json" : ".jsonl";
        Path file = write(body, extension);
        try {
            List<Row> rows;
            try {
                rows = outcomes(UsageReader.read(
                        spark(),
                        UsageFormat.LITELLM,
                        Map.of(InputFiles.Kind.JSON_LINES, List.of(uri(file))),
                        UsageFormatOptions.defaults()));
            } catch (InputException e) {
                assertThat(extension)
                        .as("only a CSV header is refused: %s", e.getMessage())
                        .isEqualTo(".csv");
                assertOneLine(e.getMessage(), "the header check's message");
                return;
            }
            assertAccounted(rows, true, text(body));
            if (extension.equals(".jsonl")) {
                assertThat(rows.stream()
                                .map(r -> r.<String>getAs(Cols.RAW_RECORD))
                                .toList())
                        .as("one row per physical line, with the line as its raw_record")
                        .containsExactlyInAnyOrderElementsOf(physicalLines(body));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Every canonical usage row, validated and priced as the cost job does it, with its outcome and what the
     * checks read. As in the job, a record that goes to quarantine after pricing (no rate, an implausible
     * cost) gets its raw text rendered too ({@code CostPipeline.priceUsage}).
     */
    private static final String EXPORT_COPY = "_export_copy";

    private static final String RAW_COPY = "_raw_copy";

    private static List<Row> outcomes(Dataset<Row> canonical) {
        Column trusted = UsageValidation.trusted();
        Column priceRejected = col(UsageValidation.PRICE_REASON).isNotNull();
        // The job's steps in its order. export_row and the reader's raw_record are copied aside first: the job
        // keeps a record's text only where it goes to quarantine, and the checks below compare a quarantined
        // row's raw text with its export_row and hold every record read to having its text.
        UsageValidation.Copies copies = UsageValidation.copies(canonical);
        Dataset<Row> rated = UsageValidation.checkPrice(
                RequestPricing.rate(
                        UsageValidation.check(canonical, Bounds.DEFAULT, copies)
                                .withColumn(EXPORT_COPY, col(Cols.EXPORT_ROW))
                                .withColumn(RAW_COPY, col(Cols.RAW_RECORD)),
                        card,
                        col(Cols.PARSE_REASON).isNull(),
                        Bounds.DEFAULT.maxTokensPerMeter()),
                Bounds.DEFAULT);
        Dataset<Row> flagged = UsageValidation.resolve(
                        UsageValidation.narrow(rated, priceRejected),
                        copies,
                        UsageValidation.rejected().or(trusted.and(priceRejected)))
                .withColumn(Cols.EXPORT_ROW, col(EXPORT_COPY))
                .withColumn(Cols.RAW_RECORD, coalesce(col(Cols.RAW_RECORD), col(RAW_COPY)));
        Column outcome = when(UsageValidation.blank(), lit("blank"))
                .when(col(Cols.DUPLICATE), lit("duplicate"))
                .when(UsageValidation.rejected(), lit("quarantined"))
                .when(priceRejected, lit("quarantined"))
                .otherwise(lit("priced"));
        return flagged.select(
                        outcome.as("outcome"),
                        col(Cols.PARSE_REASON),
                        col(Cols.PARSE_DETAIL),
                        col(UsageValidation.PRICE_REASON),
                        col(UsageValidation.PRICE_DETAIL),
                        col(Cols.COST_USD),
                        col(Cols.RAW_RECORD),
                        col(Cols.EXPORT_ROW),
                        from_json(col(Cols.RAW_RECORD), EXPORT).as("raw_as_row"))
                .collectAsList();
    }

    /**
     * Each row is exactly one of priced (with a cost), quarantined (a known reason, a detail, its raw text),
     * an exact duplicate or a blank line.
     */
    private static void assertAccounted(List<Row> rows, boolean rawKept, String input) {
        for (Row r : rows) {
            String raw = r.getAs(Cols.RAW_RECORD);
            String outcome = r.getAs("outcome");
            String where = outcome + " row " + raw + " of input " + input;
            switch (outcome) {
                case "blank" -> assertThat(raw).as(where).isNotNull().isBlank();
                case "duplicate" ->
                    assertThat(r.<String>getAs(Cols.PARSE_REASON)).as(where).isNull();
                case "priced" ->
                    assertThat(r.<Object>getAs(Cols.COST_USD)).as(where).isNotNull();
                case "quarantined" -> {
                    boolean parsed = r.getAs(Cols.PARSE_REASON) != null;
                    String reason = r.getAs(parsed ? Cols.PARSE_REASON : UsageValidation.PRICE_REASON);
                    String detail = r.getAs(parsed ? Cols.PARSE_DETAIL : UsageValidation.PRICE_DETAIL);
                    assertThat(QuarantineReason.of(reason)).as(where).isNotNull();
                    assertThat(detail).as("detail of " + where).isNotBlank();
                    assertThat(raw).as("raw text of " + where).isNotNull();
                }
                default -> throw new AssertionError("unknown outcome " + where);
            }
            if (rawKept) {
                assertThat(raw).as("raw_record of " + where).isNotNull();
            }
        }
    }

    // ---- a time value ----

    /**
     * {@link Times#iso} on the input as one text value: null unless the trimmed text is
     * {@link Times#ISO_PATTERN}; where it is, the instant that {@code java.time} reads from the same text
     * (a date that does not exist, an hour 24 or a second 60 gives null), to the microsecond.
     */
    @FuzzTest
    void timeValue(byte[] input) throws IOException {
        String value = text(input);
        Row r = spark().createDataset(List.of(value), Encoders.STRING())
                .select(Times.iso(col("value")), trim(col("value")))
                .first();
        // The job's settings turn on java.time for Spark's dates and times: a timestamp comes back an Instant.
        Instant time = r.getAs(0);
        Instant expected = isoByJavaTime(r.getString(1));
        assertThat(time).as("Times.iso('%s')", value).isEqualTo(expected);
    }

    /** {@link Times#ISO_PATTERN} with groups: the date, the time, the zone. */
    private static final Pattern ISO = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2})[T ]" + "(\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)(Z|[+-]\\d{2}(?::?\\d{2})?)?$");

    /** The instant a text names by the README's rule, read with java.time; null where it names none. */
    private static Instant isoByJavaTime(String text) {
        if (!text.matches(Times.ISO_PATTERN)) {
            return null;
        }
        Matcher m = ISO.matcher(text);
        assertThat(m.matches()).as("the test's pattern reads %s", text).isTrue();
        try {
            String zone = m.group(3);
            ZoneOffset offset =
                    zone == null ? ZoneOffset.UTC : ZoneOffset.of(zone.replaceFirst("^([+-]\\d{2})(\\d{2})$", "$1:$2"));
            return LocalDate.parse(m.group(1))
                    .atTime(LocalTime.parse(m.group(2)))
                    .toInstant(offset)
                    .truncatedTo(ChronoUnit.MICROS);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    // ---- the rate card and the rate-limit card ----

    /**
     * A rate card file: either an {@link InputException} with a one-line message, or a card whose every row
     * keeps the rules the reader promises (a price not negative, at most 6 decimal places and 12 integer
     * digits, effective_from before effective_to, no two rows of one model, tier and meter in force at once).
     */
    @FuzzTest
    void rateCard(byte[] input) throws IOException {
        Path file = write(input, ".csv");
        try {
            RateCard read;
            try {
                read = RateCard.load(new Configuration(false), file.toString());
            } catch (InputException e) {
                assertOneLine(e.getMessage(), "the rate card's error");
                return;
            }
            List<RateCard.Rate> rates = new ArrayList<>(read.rates());
            assertThat(rates).as("a card has rows").isNotEmpty();
            for (RateCard.Rate r : rates) {
                assertThat(r.usdPer1m().signum()).as("%s", r).isNotNegative();
                assertThat(r.usdPer1m().stripTrailingZeros().scale())
                        .as("%s", r)
                        .isLessThanOrEqualTo(RateCard.MAX_RATE_SCALE);
                assertThat(r.to() == null || r.from().isBefore(r.to()))
                        .as("%s", r)
                        .isTrue();
                assertThat(r.model()).as("%s", r).isNotEmpty();
                assertThat(r.serviceTier()).as("%s", r).isNotEmpty();
            }
            rates.sort(Comparator.comparing(RateCard.Rate::from));
            for (int i = 0; i < rates.size(); i++) {
                for (int j = i + 1; j < rates.size(); j++) {
                    RateCard.Rate a = rates.get(i);
                    RateCard.Rate b = rates.get(j);
                    boolean same = a.model().equals(b.model())
                            && a.serviceTier().equals(b.serviceTier())
                            && a.meter() == b.meter();
                    assertThat(same && (a.to() == null || a.to().isAfter(b.from())))
                            .as("%s and %s overlap", a, b)
                            .isFalse();
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A rate-limit card file: either an {@link InputException} with a one-line message, or a card of
     * tiers 1 to 100 with positive limits, effective_from before effective_to, no two rows of one model and
     * tier in force at once.
     */
    @FuzzTest
    void rateLimitCard(byte[] input) throws IOException {
        Path file = write(input, ".csv");
        try {
            RateLimitCard read;
            try {
                read = RateLimitCard.load(new Configuration(false), file.toString());
            } catch (InputException e) {
                assertOneLine(e.getMessage(), "the rate-limit card's error");
                return;
            }
            List<RateLimitCard.Limit> limits = new ArrayList<>(read.limits());
            assertThat(limits).as("a card has rows").isNotEmpty();
            for (RateLimitCard.Limit l : limits) {
                assertThat(l.tier()).as("%s", l).isBetween(1, 100);
                assertThat(l.imagesPerMinute()).as("%s", l).isPositive();
                assertThat(l.tokensPerMinute()).as("%s", l).isPositive();
                assertThat(l.model()).as("%s", l).isNotEmpty();
                assertThat(l.to() == null || l.from().isBefore(l.to()))
                        .as("%s", l)
                        .isTrue();
            }
            for (int i = 0; i < limits.size(); i++) {
                for (int j = i + 1; j < limits.size(); j++) {
                    RateLimitCard.Limit a = limits.get(i);
                    RateLimitCard.Limit b = limits.get(j);
                    boolean same = a.model().equals(b.model()) && a.tier() == b.tier();
                    boolean overlap = (a.to() == null || a.to().isAfter(b.from()))
                            && (b.to() == null || b.to().isAfter(a.from()));
                    assertThat(same && overlap).as("%s and %s overlap", a, b).isFalse();
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---- pages of the Costs and Usage APIs ----

    /**
     * The input as a Costs API page, both ways the reader takes one (a {@code .json} file read whole and a
     * {@code .jsonl} file, a page per line): either an {@link InputException} with a one-line message naming
     * a file, or every result read is once a trusted result (USD, one UTC day), quarantined (a known reason,
     * a detail, its raw text) or a duplicate of an overlapping page.
     */
    @FuzzTest
    void costsPages(byte[] input) throws IOException {
        List<Path> files = List.of(write(input, ".json"), write(input, ".jsonl"));
        try {
            CostsReader.Result r;
            try {
                r = CostsReader.read(spark(), pageFiles(files));
            } catch (InputException e) {
                assertOneLine(e.getMessage(), "the Costs reader's error");
                assertThat(e.getMessage())
                        .as("the error names the file")
                        .contains(files.get(0).getParent().toString());
                return;
            }
            List<Row> results = r.results().collectAsList();
            List<Row> quarantined = r.quarantined().collectAsList();
            long duplicates = r.duplicatesDropped().count();
            assertThat(r.read().count())
                    .as("results read = trusted + quarantined + duplicates")
                    .isEqualTo(results.size() + quarantined.size() + duplicates);
            for (Row t : results) {
                assertThat(t.<Object>getAs(Cols.AMOUNT_USD)).as("%s", t).isNotNull();
                assertThat(t.<String>getAs(CostsReader.CURRENCY)).as("%s", t).isEqualToIgnoringCase("usd");
                assertOneDay(t.getAs(CostsReader.BUCKET_START), t.getAs(CostsReader.BUCKET_END), t);
            }
            assertQuarantined(quarantined);
        } finally {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            spark.catalog().clearCache();
        }
    }

    /** As {@link #costsPages}, for the Usage API (images): trusted results are one UTC day with a request count. */
    @FuzzTest
    void usageApiPages(byte[] input) throws IOException {
        List<Path> files = List.of(write(input, ".json"), write(input, ".jsonl"));
        try {
            UsageApiReader.Result r;
            try {
                r = UsageApiReader.read(spark(), pageFiles(files));
            } catch (InputException e) {
                assertOneLine(e.getMessage(), "the Usage API reader's error");
                return;
            }
            List<Row> results = r.results().collectAsList();
            List<Row> quarantined = r.quarantined().collectAsList();
            long duplicates = r.duplicatesDropped().count();
            assertThat(r.read().count())
                    .as("results read = trusted + quarantined + duplicates")
                    .isEqualTo(results.size() + quarantined.size() + duplicates);
            for (Row t : results) {
                assertThat(t.<Object>getAs(Cols.USAGE_DATE)).as("%s", t).isNotNull();
                assertThat(t.<Object>getAs(Cols.API_REQUESTS)).as("%s", t).isNotNull();
                assertThat(t.<Object>getAs(Cols.API_IMAGES)).as("%s", t).isNotNull();
            }
            assertQuarantined(quarantined);
        } finally {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            spark.catalog().clearCache();
        }
    }

    private static Map<InputFiles.Kind, List<String>> pageFiles(List<Path> files) {
        return Map.of(
                InputFiles.Kind.JSON_LINES,
                files.stream().map(InputFuzzTest::uri).toList());
    }

    private static void assertOneDay(Long start, Long end, Row row) {
        assertThat(start).as("%s", row).isNotNull();
        assertThat(end).as("%s", row).isNotNull();
        assertThat(end - start).as("%s", row).isEqualTo(86_400L);
        assertThat(Math.floorMod(start, 86_400L)).as("%s", row).isZero();
    }

    private static void assertQuarantined(List<Row> quarantined) {
        for (Row q : quarantined) {
            assertThat(QuarantineReason.of(q.getAs(Cols.PARSE_REASON)))
                    .as("%s", q)
                    .isNotNull();
            assertThat(q.<String>getAs(Cols.PARSE_DETAIL)).as("%s", q).isNotBlank();
            assertThat(q.<String>getAs(Cols.RAW_RECORD)).as("%s", q).isNotNull();
        }
    }

    // ---- helpers ----

    private static void assertOneLine(String message, String what) {
        assertThat(message).as(what).isNotBlank();
        assertThat(message).as("%s is one line", what).doesNotContain("\n", "\r");
    }

    /** The input as a reader decodes it: UTF-8, bytes that are not UTF-8 replaced. */
    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }

    /** The input in a file of its own (a new name each time: Spark may remember what it listed). */
    private static Path write(byte[] input, String extension) throws IOException {
        Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "fuzz-inputs"));
        Path file = dir.resolve("input-" + ProcessHandle.current().pid() + "-" + FILES.incrementAndGet() + extension);
        Files.write(file, input);
        return file;
    }

    private static String uri(Path file) {
        return file.toUri().toString();
    }

    /**
     * The physical lines of a file as Hadoop's line reader splits them: a line ends at LF, CR or CRLF, a last
     * line without a break counts, a UTF-8 byte-order mark at the start is not part of the first line.
     */
    static List<String> physicalLines(byte[] input) {
        int start =
                input.length >= 3 && (input[0] & 0xff) == 0xef && (input[1] & 0xff) == 0xbb && (input[2] & 0xff) == 0xbf
                        ? 3
                        : 0;
        List<String> lines = new ArrayList<>();
        int from = start;
        for (int i = start; i < input.length; i++) {
            if (input[i] == '\n' || input[i] == '\r') {
                lines.add(new String(input, from, i - from, StandardCharsets.UTF_8));
                if (input[i] == '\r' && i + 1 < input.length && input[i + 1] == '\n') {
                    i++;
                }
                from = i + 1;
            }
        }
        if (from < input.length) {
            lines.add(new String(input, from, input.length - from, StandardCharsets.UTF_8));
        }
        return lines;
    }

    /** Physical lines of a text: LF, CR or CRLF end one, a last line without a break counts. */
    private static long physicalLineCount(String text) {
        return physicalLines(text.getBytes(StandardCharsets.UTF_8)).size();
    }

    /**
     * What Commons CSV reads from a file the way the CSV reader opens one (UTF-8, a byte-order mark skipped,
     * RFC 4180 with a header, empty lines ignored): each record re-encoded per RFC 4180, and whether the
     * file stops parsing before its end.
     */
    private record CsvText(String text, List<String> records, boolean stops) {
        static CsvText parse(byte[] input) throws IOException {
            String text;
            try (Reader reader = new InputStreamReader(
                    BOMInputStream.builder()
                            .setInputStream(new ByteArrayInputStream(input))
                            .get(),
                    StandardCharsets.UTF_8)) {
                text = org.apache.commons.io.IOUtils.toString(reader);
            }
            List<String> records = new ArrayList<>();
            CSVFormat format = CSVFormat.RFC4180
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .setIgnoreEmptyLines(true)
                    .get();
            boolean stops = false;
            try (CSVParser parser = CSVParser.builder()
                    .setReader(new StringReader(text))
                    .setFormat(format)
                    .get()) {
                for (CSVRecord r : parser) {
                    records.add(CSVFormat.RFC4180.format((Object[]) r.values()));
                }
            } catch (java.io.UncheckedIOException | IllegalStateException e) {
                stops = true;
            }
            return new CsvText(text, records, stops);
        }
    }
}
