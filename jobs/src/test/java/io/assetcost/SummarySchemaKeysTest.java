package io.assetcost;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.cost.CostRunSummary;
import io.assetcost.finance.ReconcileSummary;
import io.assetcost.forecast.ForecastSummary;
import io.assetcost.ops.LockTakenOver;
import io.assetcost.ops.OutputLock;
import io.assetcost.run.RunSummary;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each job's summary records ({@link CostRunSummary}, {@link ReconcileSummary}, {@link ForecastSummary}) name
 * exactly the keys their JSON Schema under docs/ names, so neither drifts from the other; and the blocks the three
 * share are written with the keys, order and value formats the summaries have always had.
 */
class SummarySchemaKeysTest {

    private static final OutputLock.TakenOver DEAD = new OutputLock.TakenOver(
            "20261201T000000Z-7",
            "host-a",
            42,
            "2026-12-01T00:00:00Z",
            Instant.parse("2026-12-01T00:05:00.250Z"),
            "its process is gone");

    @Test
    void theCostJobsRecordsAndSchemaNameTheSameKeys() {
        Set<String> records = SummarySchemas.recordKeys(CostRunSummary.class);
        assertThat(records)
                .contains(
                        "run_id",
                        "exit_code",
                        "options.small_sample_approvals",
                        "lock_taken_over.why",
                        "lock_taken_over.taken_over_by",
                        "shrink_guard.days_shrunk[].cohort_date",
                        "shrink_guard.days_shrunk[].staged")
                .doesNotContain("header", "lock_taken_over.dead", "shrink_guard.days_shrunk[].day");
        assertThat(SummarySchemas.load("run_summary.schema.json").keys()).isEqualTo(records);
    }

    @Test
    void theMonthClosesRecordsAndSchemaNameTheSameKeys() {
        Set<String> records = SummarySchemas.recordKeys(ReconcileSummary.class);
        assertThat(records)
                .contains(
                        "job",
                        "month_coverage.data_through",
                        "status_counts.day",
                        "status_counts.log_coverage",
                        "usage_api.pages_read",
                        "lock_taken_over.publish_completed_by_next_run",
                        "invariants[].detail",
                        "exit_reason")
                .doesNotContain("header", "outcome");
        assertThat(SummarySchemas.load("reconcile_summary.schema.json").keys()).isEqualTo(records);
    }

    @Test
    void theForecastsRecordsAndSchemaNameTheSameKeys() {
        Set<String> records = SummarySchemas.recordKeys(ForecastSummary.class);
        assertThat(records)
                .contains("started_at", "window.short", "totals.budget_usd", "staged_tables")
                .doesNotContain("header", "outcome", "window.short_window");
        assertThat(SummarySchemas.load("forecast_summary.schema.json").keys()).isEqualTo(records);
    }

    @Test
    void aTakeoverIsWrittenWithTheDeadRunsKeysFirstAndWhoTookOverOnlyWhereKnown() throws Exception {
        assertThat(SummarySchemas.JSON.writeValueAsString(new LockTakenOver(DEAD, null, null, true)))
                .isEqualTo("{\"run_id\":\"20261201T000000Z-7\",\"host\":\"host-a\",\"pid\":42,"
                        + "\"started_at\":\"2026-12-01T00:00:00Z\",\"last_heartbeat\":\"2026-12-01T00:05:00.250Z\","
                        + "\"why\":\"its process is gone\",\"publish_completed_by_next_run\":true}");
        LockTakenOver byTheNight = new LockTakenOver(DEAD, "20261201T001000Z-9", "2026-12-01T00:10:00Z", false);
        assertThat(SummarySchemas.JSON.writeValueAsString(new CostRunSummary.DeadRun(
                        new RunSummary.Header(CostRunSummary.JOB, DEAD.runId(), DEAD.startedAt(), null, null),
                        "died without finishing",
                        byTheNight)))
                .isEqualTo("{\"job\":\"assetcost\",\"run_id\":\"20261201T000000Z-7\","
                        + "\"started_at\":\"2026-12-01T00:00:00Z\",\"finished_at\":null,\"exit_code\":null,"
                        + "\"outcome\":\"died without finishing\",\"lock\":{\"run_id\":\"20261201T000000Z-7\","
                        + "\"host\":\"host-a\",\"pid\":42,\"started_at\":\"2026-12-01T00:00:00Z\","
                        + "\"last_heartbeat\":\"2026-12-01T00:05:00.250Z\",\"why\":\"its process is gone\","
                        + "\"taken_over_by\":\"20261201T001000Z-9\",\"taken_over_at\":\"2026-12-01T00:10:00Z\","
                        + "\"publish_completed_by_next_run\":false}}");
    }
}
