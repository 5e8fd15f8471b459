package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.io.UsageReader;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.run.SparkSettings;
import io.assetcost.schema.Cols;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Any bytes are input: random and mutated usage log lines (cut, concatenated, digits blown up, keys dropped,
 * wrong types, random bytes, random Unicode) go through the real reader, validation and pricing. Every line
 * must end as exactly one of priced, quarantined (with a reason and a detail), an exact duplicate or a blank
 * line; nothing may throw; the counts add up. A bounded number of tries keeps {@code mvn test} short: each try
 * is one Spark job over a batch of lines.
 */
class AnyBytesPropertyTest {

    private static SparkSession spark;
    private static RateCard card;

    @BeforeContainer
    static void startSpark() throws Exception {
        Path local = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "spark-local"));
        spark = SparkSettings.apply(SparkSession.builder()
                        .master("local[2]")
                        .appName("assetcost-property")
                        .config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", "2")
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.local.dir", local.toString()))
                .getOrCreate();
        card = RateCard.load(new Configuration(false), null);
    }

    @AfterContainer
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
    }

    private static final String GOOD = "{\"request_id\":\"r%d\",\"created\":1762077600,\"project_id\":\"p\","
            + "\"workflow_id\":\"wf\",\"asset_id\":\"a%d\",\"model\":\"gpt-image-2\",\"service_tier\":\"default\","
            + "\"status\":\"succeeded\",\"n\":1,\"usage\":{\"input_tokens\":500,\"total_tokens\":4660,"
            + "\"output_tokens\":4160,\"input_tokens_details\":{\"text_tokens\":500,\"image_tokens\":0},"
            + "\"output_tokens_details\":{\"image_tokens\":4160,\"text_tokens\":0}},\"input_cached_text_tokens\":%d}";

    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> good =
                Arbitraries.integers().between(0, 40).map(i -> String.format(Locale.ROOT, GOOD, i, i % 7, i % 3 * 100));
        Arbitrary<String> cut = Combinators.combine(good, Arbitraries.integers().between(0, 400))
                .as((l, at) -> l.substring(0, Math.min(at, l.length())));
        Arbitrary<String> concatenated = Combinators.combine(good, good).as((a, b) -> a + b);
        Arbitrary<String> trailing =
                Combinators.combine(good, Arbitraries.strings().ofMaxLength(8)).as((a, b) -> a + " " + b);
        Arbitrary<String> blownUp = Combinators.combine(good, Arbitraries.of("500", "4160", "1762077600", "\"n\":1"))
                .as((l, number) -> l.replace(number, number.replace("1", "9".repeat(25))));
        Arbitrary<String> dropped = Combinators.combine(
                        good, Arbitraries.of("\"model\":\"gpt-image-2\",", "\"n\":1,", "\"status\":\"succeeded\","))
                .as((l, key) -> l.replace(key, ""));
        Arbitrary<String> retyped = Combinators.combine(good, Arbitraries.of("\"n\":1", "\"created\":1762077600"))
                .as((l, field) -> l.replace(field, field.replaceFirst(":(.*)$", ":\"$1\"")));
        Arbitrary<String> negative = good.map(l -> l.replace("\"output_tokens\":4160", "\"output_tokens\":-4160"));
        Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(60);
        Arbitrary<String> bytes = Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(60)
                .map(b -> new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
        Arbitrary<String> blank = Arbitraries.of("", " ", "\t", "   ");
        Arbitrary<String> any = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, good),
                net.jqwik.api.Tuple.of(2, cut),
                net.jqwik.api.Tuple.of(1, concatenated),
                net.jqwik.api.Tuple.of(1, trailing),
                net.jqwik.api.Tuple.of(2, blownUp),
                net.jqwik.api.Tuple.of(2, dropped),
                net.jqwik.api.Tuple.of(1, retyped),
                net.jqwik.api.Tuple.of(1, negative),
                net.jqwik.api.Tuple.of(2, unicode),
                net.jqwik.api.Tuple.of(1, bytes),
                net.jqwik.api.Tuple.of(1, blank));
        // A line never holds a line break: the reader splits on them, as a file would.
        return any.map(l -> l.replaceAll("[\\r\\n]", " ")).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 20)
    void everyLineEndsPricedQuarantinedDuplicateOrBlankAndTheCountsAddUp(@ForAll("lines") List<String> lines) {
        Dataset<Row> read = UsageReader.fromJsonLines(spark.createDataset(lines, Encoders.STRING())
                .toDF(Cols.RAW_RECORD)
                .withColumn(Cols.SOURCE_FILE, lit("property.jsonl")));
        Dataset<Row> flagged = UsageValidation.checkPrice(
                RequestPricing.rate(UsageValidation.validate(read).flagged(), card, UsageValidation.trusted()),
                Bounds.DEFAULT);
        List<Row> rows = flagged.select(
                        when(UsageValidation.blank(), lit("blank"))
                                .when(col(Cols.DUPLICATE), lit("duplicate"))
                                .when(UsageValidation.rejected(), lit("quarantined"))
                                .when(col(UsageValidation.PRICE_REASON).isNotNull(), lit("quarantined"))
                                .otherwise(lit("priced")),
                        col(Cols.PARSE_REASON),
                        col(Cols.PARSE_DETAIL),
                        col(Cols.COST_USD),
                        col(Cols.RAW_RECORD))
                .collectAsList();
        assertThat(rows).as("one row per line").hasSize(lines.size());
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Row r : rows) {
            outcomes.merge(r.getString(0), 1, Integer::sum);
            String reason = r.getString(1);
            if ("quarantined".equals(r.getString(0)) && reason != null && !reason.equals(UsageValidation.BLANK_LINE)) {
                QuarantineReason.of(reason);
                if (r.getString(2) == null) {
                    problems.add("no detail for " + r.getString(4));
                }
            }
            if ("priced".equals(r.getString(0)) && r.getDecimal(3) == null) {
                problems.add("priced without a cost: " + r.getString(4));
            }
        }
        assertThat(problems).isEmpty();
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(lines.size());
    }

    /** Text and times as an input may hold them: edges of every kind of space, digits and the date signs. */
    @Provide
    Arbitrary<List<String>> texts() {
        Arbitrary<String> mixed = Arbitraries.strings()
                .withChars("0123456789-:TZ+. ab\t\n\r\u000B\u00A0\u0085\u2007\u2028\u3000\uFEFF\u200B\u00E9")
                .ofMaxLength(24);
        Arbitrary<String> edge = Arbitraries.of("", " ", "\t", "\u00A0", "\uFEFF", "\u200B", "\u3000", "\u0085", "x");
        Arbitrary<String> time = Combinators.combine(
                        Arbitraries.of("2026-11-03T10:15", "2026-11-03 10:15", "2026-02-31T23:59", "1999-12-31T00:00"),
                        Arbitraries.of("", ":00", ":07.5", ":60", ":0"),
                        Arbitraries.of("", "Z", "+01:00", "-0530", "+01", " UTC", "z"))
                .as((a, b, c) -> a + b + c);
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(12);
        Arbitrary<String> core = Arbitraries.oneOf(mixed, time, any);
        return Combinators.combine(edge, core, edge)
                .as((a, b, c) -> a + b + c)
                .list()
                .ofMaxSize(60);
    }

    /**
     * {@link Text#clean} and {@link Times#iso} skip their regular expressions where a value has nothing for
     * them to do; on any text they must give what the rules themselves ({@link Text#EDGES}, the seconds added
     * by {@link Times#ADD_SECONDS}) give.
     */
    @Property(tries = 25)
    void cleaningAndTimesGiveWhatTheirRulesGive(@ForAll("texts") List<String> texts) {
        Dataset<Row> df = spark.createDataset(texts, Encoders.STRING()).toDF("t");
        org.apache.spark.sql.Column trimmed = org.apache.spark.sql.functions.trim(col("t"));
        org.apache.spark.sql.Column byRule = when(
                trimmed.rlike(Times.ISO_PATTERN),
                org.apache
                        .spark
                        .sql
                        .functions
                        .regexp_replace(trimmed, Times.ADD_SECONDS, "$1:00")
                        .try_cast(org.apache.spark.sql.types.DataTypes.TimestampType));
        List<Row> rows = df.select(
                        col("t"),
                        Text.clean(col("t")).as("clean"),
                        org.apache
                                .spark
                                .sql
                                .functions
                                .nullif(
                                        org.apache.spark.sql.functions.regexp_replace(col("t"), Text.EDGES, ""),
                                        lit(""))
                                .as("clean_by_rule"),
                        Times.iso(col("t")).as("time"),
                        byRule.as("time_by_rule"))
                .collectAsList();
        assertThat(rows).hasSameSizeAs(texts);
        for (Row r : rows) {
            String t = r.getString(0);
            assertThat(r.get(1)).as("clean(%s)", t).isEqualTo(r.get(2));
            assertThat(r.get(3)).as("iso(%s)", t).isEqualTo(r.get(4));
        }
    }
}
