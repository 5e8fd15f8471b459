package io.assetcost.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report pages: escaped text, charts drawn with their titles and legends, figures exact behind the cents. */
class PageTest {

    private static final String XSS = "<script>alert(1)</script>";

    @Test
    void textFromTheDataIsEscapedInTheTableAndInTheChart() {
        Map<String, Map<String, BigDecimal>> series = new TreeMap<>();
        series.put(XSS, Map.of("2026-11-02", new BigDecimal("0.25")));
        String svg = Charts.lines(
                "Cost per approved asset by workflow",
                "Cohort date (UTC)",
                "USD",
                new Charts.Data(series, List.of("2026-11-02")),
                List.of(new Charts.Marker(BigDecimal.ONE, "Tier 1")));
        Page.Section section = new Page.Section(
                "s",
                "A section",
                "Lead " + XSS,
                List.of(svg),
                new Page.Table(
                        "caption",
                        List.of("Workflow", "Cost"),
                        List.of(List.of(Page.Cell.text(XSS), Page.Cell.usd(new BigDecimal("1234.565000000000"))))));
        Map<String, Object> model = new java.util.HashMap<>();
        model.put("title", "T");
        model.put("subtitle", "S");
        model.put("footer", "F");
        model.put("periodFrom", "2026-11-09");
        model.put("periodTo", "2026-11-15");
        model.put("periodTitle", "P");
        model.put("periodNote", "N");
        model.put("maturePendingShare", "0.1");
        model.put("matureAfterDays", 7);
        model.put(
                "headline",
                Map.of(
                        "figures",
                        List.of(),
                        "period",
                        Map.of("pending", 1L),
                        "compared",
                        List.of(),
                        "comparison",
                        "C"));
        model.put("pendingCostShown", "$0.25");
        model.put("pendingCostExact", "0.25");
        model.put("quarantined", 0L);
        model.put("topReasons", List.of());
        model.put("sections", List.of(section));
        String html = Page.render("cost-report", model);
        assertThat(html).doesNotContain("<script>alert(1)").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(svg)
                .as("the legend writes the series name escaped")
                .contains("&lt;script&gt;")
                .doesNotContain("<script>");
        assertThat(html)
                .as("money to the cent, half-even, exact behind it")
                .contains(">$1,234.56<", "data-value=\"1234.565000000000\"");
        assertThat(html).doesNotContain("src=\"http", "href=\"http", "<link", "<script");
        assertThat(html).as("one pending asset, singular").contains(">1 asset<");
    }

    @Test
    void aChartHasItsTitleAxisLabelsLegendAndReferenceLines() {
        String svg = Charts.bars(
                "Measured iteration factor per workflow",
                "Workflow",
                "Images per approved asset",
                new Charts.Data(Map.of("measured", Map.of("wf-a", new BigDecimal("1.27"))), List.of("wf-a")),
                List.of(new Charts.Marker(new BigDecimal("2.5"), "2.5x re-prompt each time")));
        assertThat(svg)
                .startsWith("<svg ")
                .contains("class=\"chart\"", "role=\"img\"")
                .contains(
                        "Measured iteration factor per workflow",
                        "Images per approved asset",
                        "Workflow",
                        "measured",
                        "2.5x re-prompt each time",
                        "viewBox=\"0 0 760 340\"")
                .doesNotContain("<?xml", "<!DOCTYPE", "http://www.w3.org/TR");
    }

    @Test
    void twoChartsOnOnePageNeverShareAnSvgId() {
        Charts.Data data = new Charts.Data(Map.of("s", Map.of("a", BigDecimal.ONE)), List.of("a"));
        java.util.regex.Pattern id = java.util.regex.Pattern.compile(" id=\"([^\"]+)\"");
        java.util.Set<String> first = id.matcher(Charts.bars("A", "x", "USD", data, List.of()))
                .results()
                .map(m -> m.group(1))
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> second = id.matcher(Charts.bars("A", "x", "USD", data, List.of()))
                .results()
                .map(m -> m.group(1))
                .collect(java.util.stream.Collectors.toSet());
        assertThat(first).isNotEmpty();
        assertThat(second).isNotEmpty().doesNotContainAnyElementsOf(first);
    }

    @Test
    void aCollectedRowBecomesCellsByTheTypeOfEachValue() {
        List<Page.Cell> cells = Page.Cell.of(
                org.apache.spark.sql.RowFactory.create("wf-a", 7L, 3, new BigDecimal("0.205000000000"), null));
        assertThat(cells).extracting(Page.Cell::text).containsExactly("wf-a", "7", "3", "$0.20", "");
        assertThat(cells).extracting(Page.Cell::exact).containsExactly(null, "7", "3", "0.205000000000", null);
        assertThatThrownBy(() -> Page.Cell.of(org.apache.spark.sql.RowFactory.create(1.5d)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Double");
    }

    @Test
    void sharesAndMoneyAreShownAsPeopleReadThem() {
        assertThat(Page.dollars(new BigDecimal("62.395677750000"))).isEqualTo("$62.40");
        assertThat(Page.dollars(new BigDecimal("-0.205"))).isEqualTo("-$0.20");
        assertThat(Page.percent(new BigDecimal("0.161374"))).isEqualTo("16.1%");
    }
}
