package io.assetcost.view;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cells of a section's table on a rendered page, as the templates write them ({@code sections.peb}): for a
 * test that holds the page's cells to the Parquet tables they came from.
 */
public final class PageCells {

    private static final Pattern ROW = Pattern.compile("<tr>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern CELL =
            Pattern.compile("<td(?: class=\"[^\"]*\")?(?: data-value=\"([^\"]*)\")?>(.*?)</td>", Pattern.DOTALL);

    private PageCells() {}

    /**
     * A cell: its text (HTML entities of the templates undone) and its exact value, or null.
     *
     * @param text what it shows
     * @param exact its {@code data-value}, or null
     */
    public record Cell(String text, BigDecimal exact) {}

    /**
     * The body rows of the (first) table in {@code <section id="ID">}.
     *
     * @param html the page
     * @param section the section's id
     * @return its rows of cells, in page order
     * @throws AssertionError when the page has no such section
     */
    public static List<List<Cell>> rows(String html, String section) {
        return rows(html, section, 0);
    }

    /**
     * The body rows of the n-th table in {@code <section id="ID">} (0: the first; a section's summary comes
     * before its full table, which is collapsed in {@code <details>}).
     *
     * @param html the page
     * @param section the section's id
     * @param table which table of the section, from 0
     * @return its rows of cells, in page order
     * @throws AssertionError when the page has no such section or table
     */
    public static List<List<Cell>> rows(String html, String section, int table) {
        int start = html.indexOf("<section id=\"" + section + "\">");
        if (start < 0) {
            throw new AssertionError("the page has no section " + section);
        }
        String[] bodies =
                html.substring(start, html.indexOf("</section>", start)).split("<tbody>");
        if (bodies.length <= table + 1) {
            throw new AssertionError("section " + section + " has no table " + table);
        }
        String body = bodies[table + 1].substring(0, bodies[table + 1].indexOf("</tbody>"));
        List<List<Cell>> rows = new ArrayList<>();
        Matcher r = ROW.matcher(body);
        while (r.find()) {
            List<Cell> cells = new ArrayList<>();
            Matcher c = CELL.matcher(r.group(1));
            while (c.find()) {
                cells.add(new Cell(unescape(c.group(2)), c.group(1) == null ? null : new BigDecimal(c.group(1))));
            }
            rows.add(cells);
        }
        return rows;
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
    }
}
