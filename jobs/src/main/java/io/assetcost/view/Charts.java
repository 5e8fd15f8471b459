package io.assetcost.view;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.apache.batik.svggen.SVGIDGenerator;
import org.apache.batik.svggen.SVGSyntax;
import org.apache.batik.util.SVGConstants;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.w3c.dom.DOMImplementation;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Charts of the HTML reports, drawn by JFreeChart and rendered to inline SVG by Apache Batik's SVG generator on
 * the driver (docs/DESIGN.md, "Reports people look at"): no script runs when the page is viewed, nothing is
 * fetched, and the page prints as drawn. Every chart has a title, axis labels with units, and a legend; the numbers
 * themselves are in the table printed beside each chart (exact decimals; a chart's doubles are for drawing
 * only). Text from the data (workflow ids, models) is escaped by Batik as it writes the SVG.
 */
public final class Charts {

    /** Width of a chart, SVG user units (the page scales it to its column). */
    public static final int WIDTH = 760;
    /** Height of a chart. */
    public static final int HEIGHT = 340;

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
    };

    /**
     * Java's logical SansSerif font everywhere: Batik writes it as the generic {@code sans-serif}, which every
     * browser has (JFreeChart's default, Tahoma, is missing on most servers and would print as the JVM's Dialog).
     */
    private static final StandardChartTheme THEME = theme();

    /** Charts drawn by this JVM: a prefix for each chart's SVG ids. */
    private static final AtomicLong CHARTS = new AtomicLong();

    /** The JDK's DOM, for Batik to build each chart's SVG document in (batik-dom is not needed). */
    private static final DOMImplementation DOM;

    static {
        try {
            DOM = DocumentBuilderFactory.newInstance().newDocumentBuilder().getDOMImplementation();
        } catch (ParserConfigurationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // Rotated labels (the value axis, slanted categories) as SVG text, not glyph outlines: readable by
        // screen readers and the page check, and a fraction of the bytes.
        org.jfree.chart.text.TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {}

    private static StandardChartTheme theme() {
        StandardChartTheme theme = new StandardChartTheme("assetcost");
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        return theme;
    }

    /**
     * A reference line across a chart, e.g. a planning factor or a tier's limit.
     *
     * @param value where, in the value axis's unit
     */
    public record Marker(BigDecimal value, String label) {}

    /**
     * Data of a category chart: for each series (legend entry), a value per category (x axis), in order.
     *
     * @param series series name to (category to value); missing values are gaps
     * @param categories the categories, in order
     */
    public record Data(Map<String, Map<String, BigDecimal>> series, List<String> categories) {}

    /**
     * A line chart, one line per series.
     *
     * @return the SVG element
     */
    public static String lines(String title, String xLabel, String yLabel, Data data, List<Marker> markers) {
        JFreeChart chart = ChartFactory.createLineChart(
                title, xLabel, yLabel, dataset(data), PlotOrientation.VERTICAL, true, false, false);
        return svg(style(chart, markers, true), title);
    }

    /**
     * A line chart, one line per series, with some points marked by a hollow circle and a note under the title
     * saying what the circles mean (e.g. a cost resting on too few approvals to read much into).
     *
     * @param marked series name to the categories whose point is marked
     * @param markNote what a circle means, shown under the title
     * @return the SVG element
     */
    public static String lines(
            String title,
            String xLabel,
            String yLabel,
            Data data,
            List<Marker> markers,
            Map<String, java.util.Set<String>> marked,
            String markNote) {
        JFreeChart chart = ChartFactory.createLineChart(
                title, xLabel, yLabel, dataset(data), PlotOrientation.VERTICAL, true, false, false);
        style(chart, markers, true);
        CategoryPlot plot = chart.getCategoryPlot();
        LineAndShapeRenderer renderer = new LineAndShapeRenderer(true, true) {
            @Override
            public boolean getItemShapeVisible(int row, int column) {
                CategoryDataset ds = getPlot().getDataset();
                return marked.getOrDefault(ds.getRowKey(row).toString(), java.util.Set.of())
                        .contains(ds.getColumnKey(column).toString());
            }
        };
        renderer.setDefaultShapesFilled(false);
        renderer.setUseOutlinePaint(false);
        for (int i = 0; i < PALETTE.length; i++) {
            renderer.setSeriesPaint(i, PALETTE[i]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
        }
        // The legend shows lines only: a circle there would read as if every point of the series were marked.
        renderer.setDefaultLegendShape(new Rectangle(0, -1, 12, 2));
        plot.setRenderer(renderer);
        TextTitle note = new TextTitle(markNote, new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        note.setPaint(new Color(0x555555));
        chart.addSubtitle(0, note);
        return svg(chart, title);
    }

    /**
     * A bar chart, bars of a category side by side.
     *
     * @return the SVG element
     */
    public static String bars(String title, String xLabel, String yLabel, Data data, List<Marker> markers) {
        JFreeChart chart = ChartFactory.createBarChart(
                title, xLabel, yLabel, dataset(data), PlotOrientation.VERTICAL, true, false, false);
        return svg(style(chart, markers, false), title);
    }

    /**
     * A bar chart of counts (rows, days, assets): bars side by side on an axis of whole numbers, so that a count
     * is never drawn on a money axis nor ticked at 0.5.
     *
     * @param yLabel what is counted, e.g. "Project days"
     * @param data counts per series and category (whole numbers)
     * @return the SVG element
     */
    public static String countBars(String title, String xLabel, String yLabel, Data data) {
        JFreeChart chart = ChartFactory.createBarChart(
                title, xLabel, yLabel, dataset(data), PlotOrientation.VERTICAL, true, false, false);
        JFreeChart styled = style(chart, List.of(), false);
        styled.getCategoryPlot().getRangeAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return svg(styled, title);
    }

    /**
     * A stacked bar chart, one bar per category, stacked by series.
     *
     * @return the SVG element
     */
    public static String stackedBars(String title, String xLabel, String yLabel, Data data) {
        JFreeChart chart = ChartFactory.createStackedBarChart(
                title, xLabel, yLabel, dataset(data), PlotOrientation.VERTICAL, true, false, false);
        return svg(style(chart, List.of(), false), title);
    }

    private static DefaultCategoryDataset dataset(Data data) {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<String, BigDecimal>> s : data.series().entrySet()) {
            for (String c : data.categories()) {
                BigDecimal v = s.getValue().get(c);
                ds.addValue(v == null ? null : v.doubleValue(), s.getKey(), c);
            }
        }
        return ds;
    }

    private static JFreeChart style(JFreeChart chart, List<Marker> markers, boolean lines) {
        THEME.apply(chart);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        plot.getDomainAxis().setMaximumCategoryLabelLines(2);
        for (int i = 0; i < PALETTE.length; i++) {
            plot.getRenderer().setSeriesPaint(i, PALETTE[i]);
            if (lines) {
                plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
            }
        }
        if (plot.getRenderer() instanceof BarRenderer bars) {
            bars.setBarPainter(new StandardBarPainter());
            bars.setShadowVisible(false);
        }
        if (!markers.isEmpty()) {
            // The reference lines are the point of such a chart: keep them in view even above the data.
            double top = markers.stream()
                    .mapToDouble(m -> m.value().doubleValue())
                    .max()
                    .orElse(0);
            Number dataTop = org.jfree.data.general.DatasetUtils.findMaximumRangeValue(plot.getDataset());
            top = Math.max(top, dataTop == null ? 0 : dataTop.doubleValue());
            plot.getRangeAxis().setRange(0, top * 1.1 + 1e-9);
        }
        for (Marker m : markers) {
            ValueMarker line = new ValueMarker(
                    m.value().doubleValue(),
                    new Color(0x555555),
                    new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            line.setLabel(m.label());
            line.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            line.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            line.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            line.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(line);
        }
        return chart;
    }

    /**
     * The chart as an inline SVG element, marked as a chart for styles, screen readers and the page check.
     */
    private static String svg(JFreeChart chart, String title) {
        Document document = DOM.createDocument(SVGConstants.SVG_NAMESPACE_URI, SVGConstants.SVG_SVG_TAG, null);
        SVGGeneratorContext context = SVGGeneratorContext.createDefault(document);
        context.setPrecision(3);
        // Ids of inline SVGs share the page's one namespace: each chart's clip paths get their own prefix, or a
        // chart would clip by another chart's clipPath1.
        String chartId = "chart" + CHARTS.incrementAndGet() + "-";
        context.setIDGenerator(new SVGIDGenerator() {
            @Override
            public String generateID(String prefix) {
                return super.generateID(chartId + prefix);
            }
        });
        SVGGraphics2D g = new SVGGraphics2D(context, false);
        g.setSVGCanvasSize(new Dimension(WIDTH, HEIGHT));
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        Element root = g.getRoot();
        root.setAttribute("class", "chart");
        root.setAttribute("role", "img");
        root.setAttribute("aria-label", title);
        root.setAttribute("viewBox", "0 0 " + WIDTH + " " + HEIGHT);
        root.removeAttribute("width");
        root.removeAttribute("height");
        // Batik's shared <defs id="genericDefs">: keep what it holds, not its id, which every chart would repeat.
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getAttribute("id").equals(SVGSyntax.ID_PREFIX_GENERIC_DEFS)) {
                e.removeAttribute("id");
            }
        }
        StringWriter out = new StringWriter();
        try {
            // The element alone: an inline SVG in HTML has no XML declaration and no DOCTYPE.
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.transform(new DOMSource(root), new StreamResult(out));
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write the chart \"" + title + "\" as SVG", e);
        }
        return out.toString();
    }
}
