package io.assetcost.quality;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;

/**
 * How a text field of an input is read: spaces of any kind at either end are not part of it (a trailing
 * tab, a no-break space, a byte-order mark: what spreadsheets and copy-paste leave behind), and a blank
 * field is absent. Spark's own {@code trim} removes only the ASCII space.
 */
public final class Text {

    /** One space of any kind: Java's {@code \s}, the Unicode separators, the byte-order mark, the zero-width space. */
    static final String SPACE = "[\\s\\p{Z}\\x{FEFF}\\x{200B}]";
    /** Leading or trailing whitespace: the rule itself, as a Java regular expression. */
    static final String EDGES = "^" + SPACE + "+|" + SPACE + "+$";
    /** Every character {@link #SPACE} matches, found from the pattern itself over all of Unicode. */
    private static final Object[] SPACES = spaces();
    /**
     * What a value may end with for {@link #EDGES} to change its end: a space, or the next-line control
     * (U+0085), which is no space but a line terminator, before which Java's {@code $} matches too (so the
     * spaces before a final U+0085 are removed; the other line terminators are spaces themselves).
     */
    private static final Object[] LAST = withNextLine(SPACES);

    private Text() {}

    /**
     * A text column without whitespace at its ends; null when nothing is left. The regular expression runs
     * only on a value whose first character is a space or whose last is one of {@link #LAST} (a set lookup):
     * run on every value, it took most of a run's regular-expression time. {@code TextAndTimeRulesTest} holds
     * it to {@link #EDGES} on generated text.
     *
     * @param text a string column
     * @return the cleaned column
     */
    public static Column clean(Column text) {
        Column edged =
                substring(text, 1, 1).isin(SPACES).or(substring(text, -1, 1).isin(LAST));
        return nullif(when(edged, regexp_replace(text, EDGES, "")).otherwise(text), lit(""));
    }

    /**
     * A code (a status, a decision) cleaned and in lower case, so {@code Succeeded} is {@code succeeded}.
     *
     * @param text a string column
     * @return the cleaned, lower-case column
     */
    public static Column code(Column text) {
        return lower(clean(text));
    }

    private static Object[] withNextLine(Object[] spaces) {
        Object[] last = Arrays.copyOf(spaces, spaces.length + 1);
        last[spaces.length] = "\u0085";
        return last;
    }

    private static Object[] spaces() {
        Pattern one = Pattern.compile(SPACE);
        List<String> found = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String c = Character.toString(cp);
            if (one.matcher(c).matches()) {
                found.add(c);
            }
        }
        return found.toArray();
    }
}
