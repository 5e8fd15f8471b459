package io.assetcost.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The forecast's arithmetic, with the seed guides' own example as the first test. */
class ForecastTest {

    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 15);
    private static final LocalDate FROM = AS_OF.minusDays(27);

    private static Plan plan(String csv) {
        return Plan.fromCsv(new StringReader("workflow_id,finals,period,label\n" + csv), "test");
    }

    private static Forecast.Day day(int d, long approved, long images, String cost) {
        return new Forecast.Day(AS_OF.minusDays(d), approved, images, new BigDecimal(cost));
    }

    @Test
    void theSeedsExample24FinalsAt1_8xIs43_2ExpectedImages() {
        // No measurements for the workflow: the 1.8x planning factor, as the guide budgets it.
        List<Forecast.Line> lines = Forecast.of(
                plan("sku-drop,24,,12 SKUs x 2 angles\n"),
                Map.of("other", List.of(day(1, 20, 40, "8.000000000000"))),
                AS_OF,
                FROM,
                new BigDecimal("0.2"),
                10);
        Forecast.Line l = lines.get(0);
        assertThat(l.basis()).isEqualTo(Forecast.PLANNING_FACTOR);
        assertThat(l.expectedImages()).isEqualByComparingTo("43.2");
        assertThat(l.costPerImage()).as("all workflows: 8 / 40").isEqualByComparingTo("0.2");
        assertThat(l.expectedCost()).as("43.2 x 0.20").isEqualByComparingTo("8.64");
        assertThat(l.budget()).as("8.64 x 1.2").isEqualByComparingTo("10.368");
        assertThat(l.low()).isNull();
    }

    @Test
    void aMeasuredWorkflowAt1_8xGivesTheSameImagesFromItsOwnFigures() {
        // 10 approvals from 18 images for $3.60: iteration 1.8, $0.36 per approved asset, $0.20 per image.
        Map<String, List<Forecast.Day>> days =
                Map.of("wf", List.of(day(1, 6, 10, "2.000000000000"), day(2, 4, 8, "1.600000000000")));
        Forecast.Line l = Forecast.of(plan("wf,24,2026-12,drop\n"), days, AS_OF, FROM, new BigDecimal("0.2"), 10)
                .get(0);
        assertThat(l.basis()).isEqualTo(Forecast.MEASURED);
        assertThat(l.iterationFactor()).isEqualByComparingTo("1.8");
        assertThat(l.expectedImages()).isEqualByComparingTo("43.2");
        assertThat(l.costPerApprovedAsset()).isEqualByComparingTo("0.36");
        assertThat(l.expectedCost()).isEqualByComparingTo("8.64");
        assertThat(l.costAt12()).as("24 x 1.2 x 0.20").isEqualByComparingTo("5.76");
        assertThat(l.costAt18()).isEqualByComparingTo("8.64");
        assertThat(l.costAt25()).as("24 x 2.5 x 0.20").isEqualByComparingTo("12");
        assertThat(l.budget()).isEqualByComparingTo("10.368");
        assertThat(l.expectedCost().scale()).isEqualTo(12);
    }

    @Test
    void theSpreadIsTheApprovalWeightedTenthAndNinetiethPercentileOfDailyCost() {
        // Daily cost per approved asset: 0.10 (1 approval), 0.20 (8), 0.90 (1): 10% of 10 approvals is
        // reached on the first day, 90% on the second.
        List<Forecast.Day> days = List.of(day(1, 1, 1, "0.10"), day(2, 8, 9, "1.60"), day(3, 1, 2, "0.90"));
        assertThat(Forecast.weightedPercentile(days, 10)).isEqualByComparingTo("0.10");
        assertThat(Forecast.weightedPercentile(days, 90)).isEqualByComparingTo("0.20");
        assertThat(Forecast.weightedPercentile(days, 100)).isEqualByComparingTo("0.90");
        assertThat(Forecast.weightedPercentile(List.of(day(1, 0, 3, "1")), 50)).isNull();
        Forecast.Line l = Forecast.of(plan("wf,10,,\n"), Map.of("wf", days), AS_OF, FROM, BigDecimal.ZERO, 10)
                .get(0);
        assertThat(l.low()).isEqualByComparingTo("1.0");
        assertThat(l.high()).isEqualByComparingTo("2.0");
    }

    @Test
    void aBadPlanIsRefusedWithItsLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan("wf,zero,,\n"))
                .hasMessageContaining("plan test line 2")
                .hasMessageContaining("finals 'zero'");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Plan.fromCsv(new StringReader("workflow,finals\nwf,1\n"), "p.csv"))
                .hasMessageContaining("lacks column 'workflow_id'");
    }
}
