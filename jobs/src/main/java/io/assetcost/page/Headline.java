package io.assetcost.page;

import io.assetcost.view.Page;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * One headline figure of month_close.html or forecast.html: the templates read its fields by name, and the
 * page check (scripts/check-reports.sh) reads {@code exact} from the figure's {@code data-value}.
 *
 * @param metric its id ({@code data-metric})
 * @param value as shown (dollars rounded half-even to cents, counts with thousands separators)
 * @param exact the exact figure (a USD decimal string at the table's scale, or a whole count)
 * @param note a line under it
 */
record Headline(String metric, String label, String value, String exact, String note) {

    static Headline usd(String metric, String label, BigDecimal usd, String note) {
        return new Headline(metric, label, Page.dollars(usd), usd.toPlainString(), note);
    }

    static Headline count(String metric, String label, long n, String note) {
        return new Headline(metric, label, String.format(Locale.ROOT, "%,d", n), Long.toString(n), note);
    }
}
