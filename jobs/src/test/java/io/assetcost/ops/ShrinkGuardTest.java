package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.SparkTestBase;
import io.assetcost.schema.Cols;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The shrink guard's rule, day by day, on small tables: below the share shrank, at it did not. */
class ShrinkGuardTest extends SparkTestBase {

    private static final StructType REQUESTS = new StructType()
            .add(Cols.USAGE_DATE, DataTypes.DateType)
            .add(Cols.COST_USD, DataTypes.createDecimalType(38, 12));
    private static final StructType ASSETS =
            new StructType().add(Cols.COHORT_DATE, DataTypes.DateType).add(Cols.IMAGES_REVIEWED, DataTypes.LongType);

    /** {@code n} requests of a day, each costing {@code usd}. */
    private static List<Row> requests(String day, int n, String usd) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(Date.valueOf(day), new BigDecimal(usd)));
        }
        return rows;
    }

    private static Dataset<Row> requestTable(List<Row> rows) {
        return spark.createDataFrame(rows, REQUESTS);
    }

    private static Dataset<Row> assetTable(Object[]... rows) {
        List<Row> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(RowFactory.create(Date.valueOf((String) r[0]), r[1]));
        }
        return spark.createDataFrame(out, ASSETS);
    }

    @Test
    void aDayBelowTheShareShrinksOneAtItDoesNotAndANewDayNever() {
        List<Row> published = new ArrayList<>(requests("2026-11-14", 40, "0.05"));
        published.addAll(requests("2026-11-13", 10, "0.05"));
        List<Row> staged = new ArrayList<>(requests("2026-11-14", 19, "0.05"));
        staged.addAll(requests("2026-11-13", 5, "0.05"));
        staged.addAll(requests("2026-11-15", 30, "0.05"));
        List<ShrinkGuard.Shrunk> shrunk = ShrinkGuard.check(
                requestTable(staged), requestTable(published), assetTable(), assetTable(), new BigDecimal("0.5"));
        assertThat(shrunk)
                .extracting(ShrinkGuard.Shrunk::describe)
                .containsExactly(
                        "usage_date 2026-11-14: priced cost USD 0.950000000000 staged vs 2.000000000000 published",
                        "usage_date 2026-11-14: priced requests 19 staged vs 40 published");
    }

    @Test
    void costCanShrinkWhileTheCountHoldsAndReviewsVanishPerCohort() throws Exception {
        List<ShrinkGuard.Shrunk> shrunk = ShrinkGuard.check(
                requestTable(requests("2026-11-14", 40, "0.01")),
                requestTable(requests("2026-11-14", 40, "0.19")),
                assetTable(new Object[] {"2026-11-10", 0L}, new Object[] {"2026-11-11", 9L}),
                assetTable(new Object[] {"2026-11-10", 12L}, new Object[] {"2026-11-11", 10L}),
                new BigDecimal("0.5"));
        assertThat(shrunk)
                .extracting(ShrinkGuard.Shrunk::measure, ShrinkGuard.Shrunk::day)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ShrinkGuard.PRICED_COST_USD, LocalDate.of(2026, 11, 14)),
                        org.assertj.core.groups.Tuple.tuple(ShrinkGuard.REVIEWED_IMAGES, LocalDate.of(2026, 11, 10)));
        assertThat(shrunk.get(1).dateColumn()).isEqualTo(Cols.COHORT_DATE);
        // As the run summary writes them (shrink_guard.days_shrunk): the day under its column, exact decimals.
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(shrunk.get(0)))
                .isEqualTo("{\"usage_date\":\"2026-11-14\",\"measure\":\"priced cost USD\","
                        + "\"staged\":\"0.400000000000\",\"published\":\"7.600000000000\"}");
        assertThat(json.writeValueAsString(shrunk.get(1)))
                .isEqualTo("{\"cohort_date\":\"2026-11-10\",\"measure\":\"reviewed images\",\"staged\":\"0\","
                        + "\"published\":\"12\"}");
    }

    @Test
    void shareZeroTurnsTheGuardOff() {
        assertThat(ShrinkGuard.check(
                        requestTable(List.of()),
                        requestTable(requests("2026-11-14", 40, "0.19")),
                        assetTable(),
                        assetTable(new Object[] {"2026-11-10", 12L}),
                        BigDecimal.ZERO))
                .isEmpty();
    }
}
