package io.assetcost.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.view.PageCells;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * report.html on the sample data, cell by cell against the published Parquet tables (recomputed here with Spark
 * SQL, not with the page's code), and the headline's rules on small hand-made cohorts: maturity, changes of a
 * share in points, plurals.
 */
class CostPageTest extends SparkTestBase {

    private static Path out;
    private static String html;

    @BeforeAll
    static void runOnTheSample() throws Exception {
        out = tempDir("cost-report").resolve("out");
        assertThat(CostJob.execute(sampleArgs(out), System.out, System.err, spark))
                .isZero();
        html = Files.readString(out.resolve("report.html"));
        spark.read().parquet(out.resolve("cost_per_approved_asset").toString()).createOrReplaceTempView("cpa");
        spark.read().parquet(out.resolve("asset_costs").toString()).createOrReplaceTempView("assets");
    }

    /** The rows of the n-th table (0: the shown one, 1: the collapsed full table) of a section: cells' values. */
    private static List<List<String>> rows(String section, int table) {
        return PageCells.rows(html, section, table).stream()
                .map(row -> row.stream()
                        .map(c -> c.exact() != null ? c.exact().toPlainString() : c.text())
                        .toList())
                .toList();
    }

    private static String value(String metric) {
        Matcher m = Pattern.compile("data-metric=\"" + metric + "\" data-value=\"([^\"]*)\"")
                .matcher(html);
        assertThat(m.find()).as("the page shows %s", metric).isTrue();
        return m.group(1);
    }

    @Test
    void everyCellOfTheCostTableIsTheTablesFigure() {
        List<Row> expected = spark.sql("SELECT cast(cohort_date AS string), workflow_id, assets_approved,"
                        + " assets_pending, resolved_cost_usd, cost_per_approved_asset_usd FROM cpa"
                        + " WHERE cohort_date >= date_sub((SELECT max(cohort_date) FROM cpa), 27)"
                        + " ORDER BY cohort_date, workflow_id")
                .collectAsList();
        List<List<String>> shown = rows("cost-per-approved-asset", 1);
        assertThat(shown).hasSize(expected.size()).hasSizeGreaterThan(20);
        for (int i = 0; i < expected.size(); i++) {
            Row e = expected.get(i);
            List<String> cells = shown.get(i);
            assertThat(cells.subList(0, 4))
                    .as("row %d", i)
                    .containsExactly(
                            e.getString(0), e.getString(1), Long.toString(e.getLong(2)), Long.toString(e.getLong(3)));
            assertThat(new BigDecimal(cells.get(4)))
                    .as("resolved cost, row %d", i)
                    .isEqualByComparingTo(e.getDecimal(4));
            if (e.isNullAt(5)) {
                assertThat(cells.get(5)).isEmpty();
            } else {
                assertThat(new BigDecimal(cells.get(5)))
                        .as("cost per approved asset, row %d", i)
                        .isEqualByComparingTo(e.getDecimal(5));
            }
            assertThat(cells.get(6))
                    .as("small-sample mark, row %d", i)
                    .isEqualTo(!e.isNullAt(5) && e.getLong(2) < 5 ? "fewer than 5 approvals" : "");
        }
    }

    @Test
    void theSummaryDividesSumsNeverAveragesRatios() {
        List<Row> expected = spark.sql("SELECT workflow_id, sum(assets_approved), sum(resolved_cost_usd) FROM cpa"
                        + " WHERE cohort_date >= date_sub((SELECT max(cohort_date) FROM cpa), 27)"
                        + " GROUP BY workflow_id ORDER BY workflow_id")
                .collectAsList();
        List<List<String>> shown = rows("cost-per-approved-asset", 0);
        assertThat(shown).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            Row e = expected.get(i);
            BigDecimal quotient = e.getDecimal(2).divide(BigDecimal.valueOf(e.getLong(1)), 12, RoundingMode.HALF_EVEN);
            assertThat(shown.get(i).get(0)).isEqualTo(e.getString(0));
            assertThat(shown.get(i).get(1)).isEqualTo(Long.toString(e.getLong(1)));
            assertThat(new BigDecimal(shown.get(i).get(4))).as(e.getString(0)).isEqualByComparingTo(quotient);
        }
    }

    @Test
    void theHeadlineSaysWhatIsPendingAndComparesMatureDaysOnly() {
        LocalDate to = spark.sql("SELECT max(cohort_date) FROM assets").first().getAs(0);
        Row pending = spark.sql("SELECT count_if(status = 'pending'), sum(pending_cost_usd) FROM assets"
                        + " WHERE cohort_date > date_sub(DATE '" + to + "', 7)")
                .first();
        assertThat(value("pending_assets")).isEqualTo(Long.toString(pending.getLong(0)));
        assertThat(new BigDecimal(value("pending_cost_usd"))).isEqualByComparingTo(pending.getDecimal(1));
        assertThat(pending.getLong(0))
                .as("the sample's last days are still in review")
                .isPositive();
        // The sample's last two cohort days are mostly pending: five days are compared, with the days a week before.
        assertThat(value("mature_cohort_days")).isEqualTo("5");
        Row approved = spark.sql("SELECT count_if(status = 'approved') FROM assets WHERE cohort_date BETWEEN"
                        + " date_sub(DATE '" + to + "', 13) AND date_sub(DATE '" + to + "', 9)")
                .first();
        assertThat(value("previous_mature_assets_approved")).isEqualTo(Long.toString(approved.getLong(0)));
        assertThat(html)
                .contains("Not compared yet: " + to.minusDays(1))
                .contains("Resolved cost / approved assets")
                .contains("Retry waste is the spend on resolved assets that did not produce the approved image")
                .doesNotContain(out.toString(), "1 attempts")
                .contains("no rate-limit card for this model")
                .contains("<details>");
    }

    private static CostHeadline.Day day(String date, long assets, long approved, long pending, String waste) {
        BigDecimal usd = new BigDecimal("10.000000000000");
        BigDecimal pendingCost = usd.multiply(BigDecimal.valueOf(pending))
                .divide(BigDecimal.valueOf(assets), 12, RoundingMode.HALF_EVEN);
        return new CostHeadline.Day(
                LocalDate.parse(date),
                assets,
                approved,
                pending,
                usd,
                usd.subtract(pendingCost),
                pendingCost,
                new BigDecimal(waste),
                BigDecimal.ZERO);
    }

    @Test
    void aDayInReviewIsNotComparedAndASharesChangeIsInPoints() {
        CostPage.Options options = CostPage.Options.DEFAULTS;
        List<CostHeadline.Day> days = List.of(
                day("2026-11-02", 10, 10, 0, "3.22"),
                day("2026-11-03", 10, 10, 0, "3.00"),
                day("2026-11-09", 10, 10, 0, "3.41"),
                day("2026-11-10", 10, 2, 8, "1.00"));
        CostHeadline.Headline h =
                CostHeadline.of(days, LocalDate.parse("2026-11-04"), LocalDate.parse("2026-11-10"), options);
        assertThat(h.compared()).containsExactly(LocalDate.parse("2026-11-09"));
        assertThat(h.notCompared()).containsExactly("2026-11-10 (8 of 10 assets pending)");
        CostHeadline.Figure waste = h.figures().get(3);
        assertThat(waste.metric()).isEqualTo("waste_share");
        assertThat(waste.change()).as("32.2%% to 34.1%%").isEqualTo("+1.9 points");
        assertThat(h.figures().get(1).definition()).contains("8 more assets await review");
        assertThat(CostHeadline.plural(1, "attempt")).isEqualTo("1 attempt");
        assertThat(CostHeadline.mature(day("2026-11-01", 10, 2, 8, "0"), LocalDate.parse("2026-11-08"), options))
                .as("old enough: 7 days before the latest cohort")
                .isTrue();
        CostHeadline.Headline none = CostHeadline.of(
                List.of(day("2026-11-09", 10, 1, 9, "0")),
                LocalDate.parse("2026-11-03"),
                LocalDate.parse("2026-11-09"),
                options);
        assertThat(none.compared()).isEmpty();
        assertThat(none.figures()).allSatisfy(f -> assertThat(f.change()).isEmpty());
        assertThat(none.comparison()).startsWith("No comparison");
    }
}
