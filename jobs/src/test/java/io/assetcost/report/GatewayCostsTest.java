package io.assetcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.schema.Cols;
import java.math.BigDecimal;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The second opinion on money: our cost beside the gateway's per day and model, exact, with the requests that
 * differ at the micro-dollar counted (a gateway's binary-float rounding is not a difference).
 */
class GatewayCostsTest extends SparkTestBase {

    private static final StructType COSTS = new StructType()
            .add(Cols.USAGE_DATE, DataTypes.DateType)
            .add(Cols.MODEL, DataTypes.StringType)
            .add(Cols.COST_USD, RequestPricing.USD)
            .add(Cols.GATEWAY_COST_USD, RequestPricing.USD);

    @Test
    void sumsBothCostsPerDayAndModelAndCountsTheRequestsThatDiffer() {
        Date d1 = Date.valueOf("2026-11-03");
        Date d2 = Date.valueOf("2026-11-04");
        Dataset<Row> costs = spark.createDataFrame(
                List.of(
                        // gpt-image-2, high, 1024x1024: 4,160 output tokens at $30/1M = $0.1248; the gateway agrees
                        // but for its float's last digits.
                        row(d1, "gpt-image-2", "0.124800000000", "0.124800000000000001"),
                        // a gateway that billed image output at the text rate ($10/1M): $0.0416
                        row(d1, "gpt-image-2", "0.124800000000", "0.041600000000"),
                        // a gateway that priced the model at $0 (LiteLLM #26863)
                        row(d2, "gpt-image-2", "0.031200000000", "0"),
                        // no gateway cost: left out
                        row(d2, "gpt-image-2", "0.500000000000", null)),
                COSTS);
        List<Row> rows = Reports.gatewayCosts(costs).collectAsList();
        assertThat(rows).hasSize(2);
        Row first = rows.get(0);
        assertThat(first.getAs(Cols.USAGE_DATE).toString()).isEqualTo("2026-11-03");
        assertThat(first.<Long>getAs(Cols.REQUESTS)).isEqualTo(2L);
        assertThat(first.<BigDecimal>getAs(Cols.COST_USD)).isEqualByComparingTo("0.2496");
        assertThat(first.<BigDecimal>getAs(Cols.COST_USD).scale()).isEqualTo(12);
        assertThat(first.<BigDecimal>getAs(Cols.GATEWAY_COST_USD)).isEqualByComparingTo("0.1664");
        assertThat(first.<BigDecimal>getAs(Cols.DIFFERENCE_USD)).isEqualByComparingTo("-0.0832");
        assertThat(first.<Long>getAs(Cols.REQUESTS_DIFFERING)).isEqualTo(1L);
        Row second = rows.get(1);
        assertThat(second.<Long>getAs(Cols.REQUESTS)).isEqualTo(1L);
        assertThat(second.<BigDecimal>getAs(Cols.DIFFERENCE_USD)).isEqualByComparingTo("-0.0312");
        assertThat(second.<Long>getAs(Cols.REQUESTS_DIFFERING)).isEqualTo(1L);
    }

    @Test
    void noGatewayCostGivesNoRows() {
        Dataset<Row> costs =
                spark.createDataFrame(List.of(row(Date.valueOf("2026-11-03"), "gpt-image-2", "0.1248", null)), COSTS);
        assertThat(Reports.gatewayCosts(costs).count()).isZero();
    }

    private static Row row(Date day, String model, String ours, String gateway) {
        // The gateway's float, as its export writes it, has more than 12 decimals: kept to decimal(38,12) as the
        // canonical contract types it.
        return RowFactory.create(
                day,
                model,
                new BigDecimal(ours),
                gateway == null ? null : new BigDecimal(gateway).setScale(12, java.math.RoundingMode.HALF_EVEN));
    }
}
