package io.assetcost.finance;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** How much of a month a close covers: the banner and the summary's month_coverage (issue 30). */
class MonthCoverageTest extends SparkTestBase {

    private static final StructType DAYS =
            new StructType().add("grain", "string").add("usage_date", "date");

    private static Dataset<Row> reconciliation(Row... rows) {
        return spark.createDataFrame(List.of(rows), DAYS);
    }

    private static Row day(String date) {
        return RowFactory.create("day", java.sql.Date.valueOf(date));
    }

    @Test
    void aMonthWhoseDataReachesItsLastDayIsComplete() {
        MonthCoverage c = MonthCoverage.of(
                reconciliation(day("2026-02-01"), day("2026-02-28"), RowFactory.create("month", null)),
                YearMonth.of(2026, 2));
        assertThat(c.complete()).isTrue();
        assertThat(c.banner()).isEmpty();
        assertThat(c.summary()).isEqualTo(new ReconcileSummary.Coverage(true, "2026-02-28", "2026-02-28", 2, 28));
    }

    @Test
    void aMonthClosedBeforeItEndsNamesTheLastDayWithData() {
        MonthCoverage c = MonthCoverage.of(
                reconciliation(day("2026-11-02"), day("2026-11-15"), day("2026-11-15")), YearMonth.of(2026, 11));
        assertThat(c.complete()).isFalse();
        assertThat(c.dataThrough()).isEqualTo(LocalDate.of(2026, 11, 15));
        assertThat(c.banner())
                .startsWith("Incomplete month: data through 2026-11-15.")
                .contains("2 of the month's 30 days")
                .contains("2026-11-16 to 2026-11-30");
        assertThat(c.summary()).isEqualTo(new ReconcileSummary.Coverage(false, "2026-11-15", "2026-11-30", 2, 30));
    }

    @Test
    void aMonthWithNoDataIsIncompleteAndSaysSo() {
        MonthCoverage c = MonthCoverage.of(reconciliation(), YearMonth.of(2026, 12));
        assertThat(c.complete()).isFalse();
        assertThat(c.dataThrough()).isNull();
        assertThat(c.banner()).startsWith("Incomplete month: no usage and no billed cost in 2026-12");
        assertThat(c.summary()).isEqualTo(new ReconcileSummary.Coverage(false, null, "2026-12-31", 0, 31));
    }
}
