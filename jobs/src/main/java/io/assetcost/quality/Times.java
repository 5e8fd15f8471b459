package io.assetcost.quality;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/**
 * How a time written as text is read (README, "Inputs"): an ISO-8601 date and time, {@code T} or one space
 * between them, seconds and a fraction optional, then {@code Z}, an offset ({@code +01:00}, {@code +0100})
 * or nothing, which means UTC. Anything else, a date alone or a time alone included, is not a time: Spark's
 * own cast would take {@code T10:15:00} as today at 10:15 and {@code 2026} as the start of 2026, so the
 * same file would give other tables on another day. Years outside [2000, 2100) are not credible times
 * for an API call or a review.
 */
public final class Times {

    /**
     * The accepted text, as a Java regular expression. It ends at {@code \z}, the end of the text: {@code $}
     * would also match before a final line break, which Spark's cast then drops.
     */
    public static final String ISO_PATTERN =
            "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}(:?\\d{2})?)?\\z";
    /** A date and a time to the minute with nothing after the minutes but a zone (or nothing). */
    static final String ADD_SECONDS = "^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})(?=$|Z|[+-])";
    /** Words for messages. */
    public static final String ISO_EXAMPLE = "an ISO-8601 date and time such as 2026-11-03T10:15:00Z or"
            + " 2026-11-03T11:15:00+01:00 (no offset = UTC)";
    /** First credible instant (inclusive), as a timestamp literal. */
    public static final String EARLIEST = "2000-01-01T00:00:00Z";
    /** First instant no longer credible (exclusive). */
    public static final String LATEST = "2100-01-01T00:00:00Z";

    private Times() {}

    /**
     * Reads a text column as a time.
     *
     * @param text a string column
     * @return a timestamp (UTC instant), null where the text is not {@link #ISO_PATTERN} or names no real
     *     date and time (a 31st of February)
     */
    public static Column iso(Column text) {
        Column t = trim(text);
        // Spark's cast wants seconds: 10:15 is 10:15:00. A text whose 17th character is the seconds' colon
        // has them (the pattern cannot match it): only the others need the regular expression.
        Column withSeconds =
                when(substring(t, 17, 1).equalTo(":"), t).otherwise(regexp_replace(t, ADD_SECONDS, "$1:00"));
        return when(t.rlike(ISO_PATTERN), withSeconds.try_cast(DataTypes.TimestampType));
    }

    /**
     * Whether a time is outside [2000, 2100).
     *
     * @param time a timestamp column
     * @return a boolean column, null where time is null
     */
    public static Column outOfRange(Column time) {
        return time.lt(lit(EARLIEST).cast("timestamp")).or(time.geq(lit(LATEST).cast("timestamp")));
    }
}
