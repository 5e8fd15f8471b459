package io.assetcost.view;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * Renders a report page from a Pebble template under {@code assetcost/templates/} (shipped in the jar), with
 * HTML escaping on by default: any text from the data (workflow ids, asset ids, reasons) is escaped, so a
 * workflow named {@code <script>alert(1)</script>} shows as that text. Only the charts' SVG, which Batik
 * escaped as it wrote it, is inserted raw. The page holds everything it needs (styles inline, no script, no
 * link): it opens offline and prints on A4.
 */
public final class Page {

    private static final PebbleEngine ENGINE = new PebbleEngine.Builder()
            .loader(prefixed(new ClasspathLoader(Page.class.getClassLoader())))
            .autoEscaping(true)
            .defaultEscapingStrategy("html")
            .strictVariables(true)
            .build();

    private Page() {}

    private static ClasspathLoader prefixed(ClasspathLoader loader) {
        loader.setPrefix("assetcost/templates");
        loader.setSuffix(".peb");
        return loader;
    }

    /**
     * A section of a report: a title, a sentence saying what it shows, its charts and the table of their
     * numbers (for screen readers and copy-paste).
     *
     * @param id the section's anchor
     * @param lead what it shows, one or two sentences
     * @param svgs the charts' SVG elements (none for a table alone)
     * @param table the numbers (or their summary, when {@code details} holds the full table)
     * @param period the period the section covers, said under its heading (dates, UTC), or null
     * @param details the full table behind a summary, shown collapsed ({@code <details>}) so a section reads in
     *     one screen, or null
     */
    public record Section(
            String id, String title, String lead, List<String> svgs, Table table, String period, Table details) {

        /** A section with no period line and no collapsed table. */
        public Section(String id, String title, String lead, List<String> svgs, Table table) {
            this(id, title, lead, svgs, table, null, null);
        }
    }

    /** A table: a caption, column headers and rows of cells, as many as headers each. */
    public record Table(String caption, List<String> headers, List<List<Cell>> rows) {}

    /**
     * A cell: its text and, for a figure, whether it is a number (right-aligned) and its exact value (for the
     * page check: {@code data-value}; null for text).
     */
    public record Cell(String text, boolean number, String exact) {

        /** A text cell. */
        public static Cell text(String text) {
            return new Cell(text == null ? "" : text, false, null);
        }

        /** A count. */
        public static Cell count(long n) {
            return new Cell(String.format(Locale.ROOT, "%,d", n), true, Long.toString(n));
        }

        /** Money, shown to the cent, exact behind it. */
        public static Cell usd(BigDecimal usd) {
            return usd == null ? text("") : new Cell(dollars(usd), true, usd.toPlainString());
        }

        /** A ratio shown to {@code places} decimals, exact behind it. */
        public static Cell ratio(BigDecimal value, int places) {
            return value == null
                    ? text("")
                    : new Cell(
                            value.setScale(places, RoundingMode.HALF_EVEN).toPlainString(),
                            true,
                            value.toPlainString());
        }

        /** A quantity (tokens, possibly fractional) shown to {@code places} decimals with a thousands separator. */
        public static Cell quantity(BigDecimal value, int places) {
            return value == null
                    ? text("")
                    : new Cell(
                            String.format(
                                    Locale.ROOT, "%,." + places + "f", value.setScale(places, RoundingMode.HALF_EVEN)),
                            true,
                            value.toPlainString());
        }

        /**
         * The cells of a collected row, each by its value's type: a string as text, a long or an int as a count,
         * a decimal as money (USD); null shows as an empty cell.
         *
         * @return one cell per column
         * @throws IllegalArgumentException for a value of another type (cast it to a string first)
         */
        public static List<Cell> of(Row row) {
            List<Cell> cells = new ArrayList<>(row.size());
            for (int i = 0; i < row.size(); i++) {
                Object v = row.get(i);
                cells.add(cell(v, i));
            }
            return cells;
        }

        private static Cell cell(Object v, int column) {
            if (v == null) {
                return text("");
            } else if (v instanceof String t) {
                return text(t);
            } else if (v instanceof Long || v instanceof Integer) {
                return count(((Number) v).longValue());
            } else if (v instanceof BigDecimal usd) {
                return usd(usd);
            }
            throw new IllegalArgumentException(
                    "no cell for a " + v.getClass().getSimpleName() + " in column " + column);
        }

        /** A share shown as a percentage with one decimal, exact behind it. */
        public static Cell percent(BigDecimal share) {
            return share == null ? text("") : new Cell(Page.percent(share), true, share.toPlainString());
        }
    }

    /** Money to the cent, half-even, with a thousands separator: {@code $1,234.57}. */
    public static String dollars(BigDecimal usd) {
        BigDecimal cents = usd.setScale(2, RoundingMode.HALF_EVEN);
        return (cents.signum() < 0 ? "-$" : "$") + String.format(Locale.ROOT, "%,.2f", cents.abs());
    }

    /** A share as a percentage with one decimal: {@code 0.16137} is {@code 16.1%}. */
    public static String percent(BigDecimal share) {
        return share.movePointRight(2).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }

    /**
     * Writes a page atomically: to a hidden file beside it, then renamed over the old one, so a reader never opens
     * half a page.
     *
     * @param conf Hadoop configuration (the page may be on any Hadoop file system)
     * @throws UncheckedIOException when it cannot be written
     */
    public static void write(Configuration conf, Path file, String html) {
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
        try {
            var fs = file.getFileSystem(conf);
            try (OutputStream os = fs.create(tmp, true)) {
                os.write(html.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(file, false);
            if (!fs.rename(tmp, file)) {
                throw new IOException("cannot move " + tmp + " to " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Renders a template.
     *
     * @param template its name under {@code assetcost/templates/}, without {@code .peb}
     * @param model the variables it reads
     * @return the HTML page
     * @throws UncheckedIOException when the template cannot be read
     */
    public static String render(String template, Map<String, Object> model) {
        PebbleTemplate t = ENGINE.getTemplate(template);
        StringWriter out = new StringWriter();
        try {
            t.evaluate(out, model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + template, e);
        }
        return out.toString();
    }
}
