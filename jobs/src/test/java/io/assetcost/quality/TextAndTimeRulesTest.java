package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Text#clean} and {@link Times#iso} skip their regular expressions where a value has nothing for them to
 * do; on any text they must give what the rules themselves give ({@link Text#EDGES}; {@link Times#ISO_PATTERN}
 * with the seconds added by {@link Times#ADD_SECONDS}). The texts are generated, not fuzzed: what matters is
 * the mix of edges (every kind of space, the next-line control, the byte-order mark) around digits and the
 * signs of a date, which a seeded generator makes directly. Each seed is one Spark job over a batch of texts;
 * a failure names its seed, and the same seed makes the same texts again.
 */
class TextAndTimeRulesTest extends SparkTestBase {

    /** Characters a text of an input may hold around a date: digits, date signs, spaces of every kind. */
    private static final String MIXED =
            "0123456789-:TZ+. ab\t\n\r\u000B\u00A0\u0085\u2007\u2028\u3000\uFEFF\u200B\u00E9";
    /** What may stand at either end of a value. */
    private static final String[] EDGES = {"", " ", "\t", "\u00A0", "\uFEFF", "\u200B", "\u3000", "\u0085", "x"};

    private static final String[] DATE_TIMES = {
        "2026-11-03T10:15", "2026-11-03 10:15", "2026-02-31T23:59", "1999-12-31T00:00"
    };
    private static final String[] SECONDS = {"", ":00", ":07.5", ":60", ":0"};
    private static final String[] ZONES = {"", "Z", "+01:00", "-0530", "+01", " UTC", "z"};

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 25);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void cleaningAndTimesGiveWhatTheirRulesGive(long seed) {
        List<String> texts = texts(new Random(seed));
        Column trimmed = trim(col("t"));
        Column timeByRule = when(
                trimmed.rlike(Times.ISO_PATTERN),
                regexp_replace(trimmed, Times.ADD_SECONDS, "$1:00").try_cast(DataTypes.TimestampType));
        List<Row> rows = spark.createDataset(texts, Encoders.STRING())
                .toDF("t")
                .select(
                        col("t"),
                        Text.clean(col("t")),
                        nullif(regexp_replace(col("t"), Text.EDGES, ""), lit("")),
                        Times.iso(col("t")),
                        timeByRule)
                .collectAsList();
        assertThat(rows).as("seed %d: one row per text", seed).hasSameSizeAs(texts);
        for (Row r : rows) {
            String t = escaped(r.getString(0));
            assertThat(r.get(1)).as("seed %d: clean(\"%s\")", seed, t).isEqualTo(r.get(2));
            assertThat(r.get(3)).as("seed %d: iso(\"%s\")", seed, t).isEqualTo(r.get(4));
        }
    }

    /** Up to 60 texts: an edge, then mixed signs, a near-ISO time or any characters, then an edge. */
    static List<String> texts(Random random) {
        List<String> texts = new ArrayList<>();
        int n = random.nextInt(61);
        for (int i = 0; i < n; i++) {
            String core = switch (random.nextInt(3)) {
                case 0 -> from(random, MIXED, random.nextInt(25));
                case 1 -> pick(random, DATE_TIMES) + pick(random, SECONDS) + pick(random, ZONES);
                default -> anyChars(random, random.nextInt(13));
            };
            texts.add(pick(random, EDGES) + core + pick(random, EDGES));
        }
        return texts;
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String from(Random random, String chars, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(chars.charAt(random.nextInt(chars.length())));
        }
        return b.toString();
    }

    /** Any code points, mostly of the first plane, surrogates of the others included. */
    private static String anyChars(Random random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp = random.nextInt(8) == 0 ? 0x10000 + random.nextInt(0x100000) : random.nextInt(0xD800);
            b.appendCodePoint(cp);
        }
        return b.toString();
    }

    /** A text with its invisible characters written as Java escapes, for a message that shows them. */
    private static String escaped(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f) {
                b.appendCodePoint(cp);
            } else {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04X", cp));
            }
        });
        return b.toString();
    }
}
