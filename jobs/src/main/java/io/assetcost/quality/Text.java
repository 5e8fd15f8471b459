package io.assetcost.quality;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.regexp_replace;

import org.apache.spark.sql.Column;

/**
 * How a text field of an input is read: spaces of any kind at either end are not part of it (a trailing
 * tab, a no-break space, a byte-order mark: what spreadsheets and copy-paste leave behind), and a blank
 * field is absent. Spark's own {@code trim} removes only the ASCII space.
 */
public final class Text {

    /** Leading or trailing whitespace: Unicode separators, ASCII controls, the byte-order mark. */
    private static final String EDGES = "^[\\s\\p{Z}\\x{FEFF}\\x{200B}]+|[\\s\\p{Z}\\x{FEFF}\\x{200B}]+$";

    private Text() {}

    /**
     * A text column without whitespace at its ends; null when nothing is left.
     *
     * @param text a string column
     * @return the cleaned column
     */
    public static Column clean(Column text) {
        return nullif(regexp_replace(text, EDGES, ""), lit(""));
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
