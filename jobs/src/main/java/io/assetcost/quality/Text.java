package io.assetcost.quality;

import static org.apache.spark.sql.functions.lower;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.objects.StaticInvoke;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.AbstractDataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

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

    private static final Pattern EDGES_PATTERN = Pattern.compile(EDGES);

    private Text() {}

    /**
     * A text column without whitespace at its ends ({@link #EDGES}); null when nothing is left. Evaluated by
     * {@link #cleanValue(UTF8String)} on Spark's own string bytes, called straight from the generated code
     * (Spark's {@code StaticInvoke}, as Spark's own built-in functions do).
     *
     * @param text a string column
     * @return the cleaned column
     */
    public static Column clean(Column text) {
        Expression call = new StaticInvoke(
                Text.class,
                DataTypes.StringType,
                "cleanValue",
                CollectionConverters.asScala(java.util.List.of(ExpressionUtils.expression(text)))
                        .toSeq(),
                CollectionConverters.asScala(java.util.List.<AbstractDataType>of())
                        .toSeq(),
                true,
                true,
                true,
                Option.empty());
        return ExpressionUtils.column(call);
    }

    /**
     * One value of {@link #clean(Column)}: the value without whitespace at its ends, null when nothing is left.
     * A value whose first and last bytes are both printable ASCII other than the space (0x21 to 0x7E) has no
     * space, and no line terminator before which {@code $} would match, at either end, so it comes back as it
     * is without its text being decoded; any other value is matched against {@link #EDGES} itself, and comes
     * back as it is when nothing matches. The profile of a run at 1M records found the earlier form (the first
     * and last characters cut out and looked up in a set of spaces) in a seventh of the executors' samples
     * (docs/PERFORMANCE.md). {@code TextAndTimeRulesTest} holds it to {@link #EDGES} on generated text.
     *
     * @param value a non-null string, as Spark holds it (UTF-8 bytes)
     * @return the cleaned value, or null when it is blank
     */
    public static UTF8String cleanValue(UTF8String value) {
        int last = value.numBytes() - 1;
        if (last < 0) {
            return null;
        }
        if (printable(value.getByte(0)) && printable(value.getByte(last))) {
            return value;
        }
        Matcher edges = EDGES_PATTERN.matcher(value.toString());
        if (!edges.find()) {
            return value;
        }
        String cleaned = edges.replaceAll("");
        return cleaned.isEmpty() ? null : UTF8String.fromString(cleaned);
    }

    /** Whether a byte is printable ASCII other than the space (a negative byte is not ASCII). */
    private static boolean printable(byte b) {
        return b > 0x20 && b < 0x7F;
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
}
