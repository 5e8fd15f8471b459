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
     * The body rows of the table in {@code <section id="ID">}.
     *
     * @param html the page
     * @param section the section's id
     * @return its rows of cells, in page order
     * @throws AssertionError when the page has no such section
     */
    public static List<List<Cell>> rows(String html, String section) {
        int start = html.indexOf("<section id=\"" + section + "\">");
        if (start < 0) {
            throw new AssertionError("the page has no section " + section);
        }
        String body = html.substring(html.indexOf("<tbody>", start), html.indexOf("</section>", start));
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
