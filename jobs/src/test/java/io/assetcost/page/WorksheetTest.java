package io.assetcost.page;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.planning.Forecast;
import io.assetcost.planning.Plan;
import io.assetcost.planning.PlanCheck;
import io.assetcost.planning.RateLimitCard;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The forecast's checks and the worksheet people read, on small data (no Spark): a budget below the worksheet's
 * own P90, an unknown workflow priced with the planning factor, the usage tier a row's pace needs, and a window
 * the data covers only in part.
 */
class WorksheetTest {

    private static final LocalDate AS_OF = LocalDate.of(2026, 11, 15);
    /** 28 days asked for. */
    private static final LocalDate FROM = AS_OF.minusDays(27);

    private static final RateLimitCard CARD = RateLimitCard.fromCsv(
            new StringReader("model,tier,images_per_minute,tokens_per_minute,effective_from,effective_to\n"
                    + "gpt-image-2,1,5,100000,2026-04-21,\n"
                    + "gpt-image-2,2,20,250000,2026-04-21,\n"
                    + "gpt-image-2,3,50,800000,2026-04-21,\n"
                    + "gpt-image-2,4,150,3000000,2026-04-21,\n"
                    + "gpt-image-2,5,250,8000000,2026-04-21,\n"),
            "test card");

    private static final PlanCheck.Coverage FULL = new PlanCheck.Coverage(FROM, AS_OF);

    private static Plan plan(String rows) {
        return Plan.fromCsv(new StringReader("workflow_id,finals,period,label,hours\n" + rows), "plan.csv");
    }

    private static Forecast.Day day(int d, long approved, long images, String cost) {
        return new Forecast.Day(AS_OF.minusDays(d), approved, images, new BigDecimal(cost));
    }

    /** 10 approvals from 18 images generated (20 asked for) for $3.60 over two days: 1.8x, $0.36 per final. */
    private static final Map<String, List<Forecast.Day>> STEADY =
            Map.of("wf", List.of(day(1, 6, 10, "2.000000000000"), day(2, 4, 8, "1.600000000000")));

    private record Checked(List<Forecast.Line> lines, List<PlanCheck.Result> checks, Worksheet sheet) {}

    private static Checked check(
            Plan plan,
            Map<String, List<Forecast.Day>> days,
            String buffer,
            Map<String, PlanCheck.Coverage> coverage,
            PlanCheck.Coverage all,
            Map<String, List<PlanCheck.ModelUse>> use,
            Integer accountTier) {
        List<Forecast.Line> lines = Forecast.of(plan, days, AS_OF, FROM, new BigDecimal(buffer), 10);
        PlanCheck.Context context =
                new PlanCheck.Context(Set.copyOf(coverage.keySet()), coverage, all, use, CARD, accountTier, 10);
        List<PlanCheck.Result> checks = PlanCheck.of(lines, context);
        return new Checked(
                lines,
                checks,
                new Worksheet("plan.csv", FROM, AS_OF, new BigDecimal(buffer), all, CARD, lines, checks));
    }

    private static Checked steady(String planRows, Map<String, List<PlanCheck.ModelUse>> use, Integer accountTier) {
        return check(plan(planRows), STEADY, "0.2", Map.of("wf", FULL), FULL, use, accountTier);
    }

    private static Map<String, List<PlanCheck.ModelUse>> use(PlanCheck.ModelUse... u) {
        return Map.of("wf", List.of(u));
    }

    @Test
    void aBudgetBelowTheWorksheetsOwnP90IsFlaggedWithTheBufferThatWouldCoverIt() {
        // Cost per final $0.20 on a day of 8 approvals, $0.40 on a day of 2: mean $0.24, P90 (nearest rank, by
        // approvals) $0.40. Ten finals: expected $2.40, P90 $4.00; +20% is $2.88, under it; +70% is $4.08, over.
        Map<String, List<Forecast.Day>> days =
                Map.of("wf", List.of(day(1, 8, 8, "1.600000000000"), day(2, 2, 4, "0.800000000000")));
        Checked low = check(plan("wf,10,,,\n"), days, "0.2", Map.of("wf", FULL), FULL, Map.of(), null);
        assertThat(low.lines().get(0).high()).isEqualByComparingTo("4.00");
        assertThat(low.checks().get(0).budgetBelowP90()).isTrue();
        assertThat(low.checks().get(0).flags()).contains(PlanCheck.BUDGET_BELOW_P90);
        assertThat(low.sheet().warnings())
                .anySatisfy(w -> assertThat(w)
                        .startsWith("row 1 (wf): budget $2.88 is below this worksheet's P90 $4.00")
                        .endsWith("a buffer of 67% would cover it"));
        assertThat(low.sheet().text()).contains("$2.88 = expected + 20% buffer  ** below the P90 **");

        Checked enough = check(plan("wf,10,,,\n"), days, "0.7", Map.of("wf", FULL), FULL, Map.of(), null);
        assertThat(enough.checks().get(0).budgetBelowP90()).isFalse();
        assertThat(enough.checks().get(0).flags()).doesNotContain(PlanCheck.BUDGET_BELOW_P90);
    }

    @Test
    void anUnknownWorkflowIsWarnedOfAndPricedWithThePlanningFactorAKnownOneWithFewApprovalsToo() {
        Map<String, List<Forecast.Day>> days =
                Map.of("wf", STEADY.get("wf"), "rare", List.of(day(3, 2, 6, "1.000000000000")));
        Map<String, PlanCheck.Coverage> coverage = Map.of("wf", FULL, "rare", FULL);
        Checked c = check(plan("wf-typo,24,,,\nrare,5,,,\nwf,5,,,\n"), days, "0.2", coverage, FULL, Map.of(), null);

        PlanCheck.Result unknown = c.checks().get(0);
        assertThat(c.lines().get(0).basis()).isEqualTo(Forecast.PLANNING_FACTOR);
        assertThat(c.lines().get(0).iterationFactor()).isEqualByComparingTo("1.8");
        assertThat(unknown.workflowKnown()).isFalse();
        assertThat(unknown.flags()).contains(PlanCheck.UNKNOWN_WORKFLOW).doesNotContain(PlanCheck.FEW_APPROVALS);
        assertThat(unknown.warnings().get(0))
                .contains("workflow 'wf-typo' has no history in asset_costs (known: rare, wf)")
                .contains("1.8x planning factor");
        assertThat(unknown.budgetBelowP90())
                .as("no spread on the planning factor")
                .isNull();

        PlanCheck.Result few = c.checks().get(1);
        assertThat(few.workflowKnown()).isTrue();
        assertThat(few.flags()).contains(PlanCheck.FEW_APPROVALS).doesNotContain(PlanCheck.UNKNOWN_WORKFLOW);
        assertThat(few.warnings().get(0)).contains("has 2 approvals in the window, fewer than --min-approvals 10");

        assertThat(c.checks().get(2).flags()).doesNotContain(PlanCheck.UNKNOWN_WORKFLOW, PlanCheck.FEW_APPROVALS);
        assertThat(c.sheet().text())
                .contains("the seeds' 1.8x planning factor: the workflow has no history in the tables")
                .contains("1.80x, measured: 18 images for 10 approvals");
    }

    @Test
    void eachRowSaysWhichTierItsPaceNeedsByImagesOrByTokens() {
        // 100 finals from 10 approvals that asked for 20 images: 200 images over 0.5 h is 6.67 a minute, above
        // Tier 1's 5 IPM: Tier 2. Their 200,000 tokens are 66,667 a minute, within Tier 1's 100,000 TPM.
        Checked byImages = steady("wf,100,,,0.5\n", use(new PlanCheck.ModelUse("gpt-image-2", 20, 18, 200_000)), null);
        PlanCheck.Result r = byImages.checks().get(0);
        assertThat(r.imagesPerMinute()).isEqualByComparingTo("6.666666666667");
        assertThat(r.tokensPerMinute()).isEqualByComparingTo("66666.666666666667");
        assertThat(r.tierNeeded()).isEqualTo(2);
        assertThat(r.limitModel()).isEqualTo("gpt-image-2");
        assertThat(r.flags()).isEmpty();
        assertThat(byImages.sheet().text())
                .contains("over 0.5 h: gpt-image-2 6.67 images/min, 66,666.67 tokens/min -> Tier 2 (20 IPM, 250,000"
                        + " TPM)");

        // Ten times the tokens: 666,667 a minute needs Tier 3's 800,000 TPM; a dated snapshot takes its base
        // name's rows; a model the card does not know is named.
        Checked byTokens = steady(
                "wf,100,,,0.5\n",
                use(
                        new PlanCheck.ModelUse("gpt-image-2-2026-04-21", 20, 18, 2_000_000),
                        new PlanCheck.ModelUse("gpt-image-1-mini", 0, 0, 0)),
                1);
        PlanCheck.Result t = byTokens.checks().get(0);
        assertThat(t.tierNeeded()).isEqualTo(3);
        assertThat(t.limitModel()).isEqualTo("gpt-image-2-2026-04-21");
        assertThat(t.flags()).containsExactly(PlanCheck.NO_RATE_LIMIT_CARD, PlanCheck.ABOVE_ACCOUNT_TIER);
        assertThat(t.warnings()).contains("no rate-limit card for gpt-image-1-mini: its pace is not checked");

        // 36 seconds for 200 images is 333 a minute: above Tier 5's 250.
        PlanCheck.Result above = steady("wf,100,,,0.01\n", use(new PlanCheck.ModelUse("gpt-image-2", 20, 18, 1)), null)
                .checks()
                .get(0);
        assertThat(above.tierNeeded()).isNull();
        assertThat(above.flags()).containsExactly(PlanCheck.ABOVE_TOP_TIER);

        PlanCheck.Result none = steady("wf,100,,,\n", use(new PlanCheck.ModelUse("gpt-image-2", 20, 18, 1)), null)
                .checks()
                .get(0);
        assertThat(none.tierNeeded()).isNull();
        assertThat(none.flags()).containsExactly(PlanCheck.NO_PACE);
    }

    @Test
    void hoursThatAreNoPositiveNumberAreRefusedWithTheirLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan("wf,10,,,0\n"))
                .isInstanceOf(io.assetcost.run.InputException.class)
                .hasMessageContaining("plan plan.csv line 2")
                .hasMessageContaining("hours '0' is not a number of hours above 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan("wf,10,,,two\n"))
                .hasMessageContaining("hours 'two'");
        assertThat(plan("wf,10,,,1.5\n").rows().get(0).hours()).isEqualByComparingTo("1.5");
        assertThat(plan("wf,10,,,\n").rows().get(0).hours()).isNull();
    }

    @Test
    void aWindowTheDataCoversInPartIsSaidWithTheDaysItCovers() {
        PlanCheck.Coverage twoWeeks = new PlanCheck.Coverage(LocalDate.of(2026, 11, 2), AS_OF);
        Checked c = check(plan("wf,10,,,\n"), STEADY, "0.2", Map.of("wf", twoWeeks), twoWeeks, Map.of(), null);
        PlanCheck.Result r = c.checks().get(0);
        assertThat(r.dataFrom()).isEqualTo(LocalDate.of(2026, 11, 2));
        assertThat(r.flags()).contains(PlanCheck.SHORT_WINDOW);
        assertThat(r.warnings())
                .contains("the data covers 2026-11-02 to 2026-11-15 (14 cohort days), not the 28 days asked for"
                        + " (2026-10-19 to 2026-11-15)");
        assertThat(c.sheet().shortWindow()).isTrue();
        assertThat(c.sheet().windowSentence())
                .isEqualTo("Cohort window 2026-10-19 to 2026-11-15 (28 days asked for): the data covers only"
                        + " 2026-11-02 to 2026-11-15 (14 cohort days), and every measured figure is over those days.");

        Checked whole = check(plan("wf,10,,,\n"), STEADY, "0.2", Map.of("wf", FULL), FULL, Map.of(), null);
        assertThat(whole.checks().get(0).flags()).doesNotContain(PlanCheck.SHORT_WINDOW);
        assertThat(whole.sheet().windowSentence()).endsWith("the data covers all of it.");
    }

    @Test
    void thePageCarriesTheHeadlineExactlyTheWarningsEscapedAndNoPathOfTheMachine() {
        Checked c = check(
                plan("<b>wf</b>,10,,,\nwf,100,,,0.5\n"),
                STEADY,
                "0.2",
                Map.of("wf", FULL),
                FULL,
                use(new PlanCheck.ModelUse("gpt-image-2", 20, 18, 200_000)),
                null);
        String html = ForecastPage.html(c.sheet());
        BigDecimal expected =
                c.lines().get(0).expectedCost().add(c.lines().get(1).expectedCost());
        assertThat(html)
                .contains("data-metric=\"expected_cost_usd\" data-value=\"" + expected.toPlainString() + "\"")
                .contains("data-metric=\"finals\" data-value=\"110\"")
                .contains("data-metric=\"highest_tier_needed\" data-value=\"2\"")
                .contains("workflow &#39;&lt;b&gt;wf&lt;/b&gt;&#39; has no history")
                .doesNotContain("<b>wf</b>")
                .doesNotContain("/tmp")
                .contains("class=\"chart\"");
    }
}
