package io.assetcost.page;

import io.assetcost.pricing.RequestPricing;
import java.math.BigDecimal;
import org.apache.spark.sql.Row;

/**
 * A collected row's cells by column name (a constant of {@link io.assetcost.schema.Cols} or a page's own alias),
 * never by position: a column added to a select moves no figure (docs/DESIGN.md, "Reports people look at").
 */
final class Rows {

    /** A sum over no rows is null in Spark; a page shows it as 0 at the tables' money scale. */
    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(RequestPricing.USD.scale());

    private Rows() {}

    /**
     * A money column.
     *
     * @return the exact value, USD; 0 (scale 12) when null, as a sum over no rows is
     * @throws IllegalArgumentException when the row has no such column
     */
    static BigDecimal usd(Row r, String column) {
        BigDecimal v = decimal(r, column);
        return v == null ? ZERO : v;
    }

    /**
     * A decimal column that may stay empty on the page (a ratio with no denominator, tokens the bill does not give).
     *
     * @return the exact value, or null when null
     * @throws IllegalArgumentException when the row has no such column
     */
    static BigDecimal decimal(Row r, String column) {
        int i = r.fieldIndex(column);
        return r.isNullAt(i) ? null : r.getDecimal(i);
    }

    /**
     * A count column, long or int (a table's column or a page's {@code count}/{@code sum}).
     *
     * @return the count; 0 when null, as a sum over no rows is
     * @throws IllegalArgumentException when the row has no such column
     */
    static long count(Row r, String column) {
        int i = r.fieldIndex(column);
        return r.isNullAt(i) ? 0 : ((Number) r.get(i)).longValue();
    }

    /**
     * A text column, or a date as ISO text ({@code 2026-11-15}).
     *
     * @return the text, or null when null
     * @throws IllegalArgumentException when the row has no such column
     */
    static String text(Row r, String column) {
        Object v = r.get(r.fieldIndex(column));
        return v == null ? null : v.toString();
    }
}
