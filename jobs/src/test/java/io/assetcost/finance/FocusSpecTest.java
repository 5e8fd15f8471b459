package io.assetcost.finance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.pricing.Priced;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.UsageValidation;
import io.assetcost.schema.Cols;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The FOCUS export against the specification: the column definitions derived from the FOCUS_Spec repository
 * ({@code src/test/resources/focus/}), checked by {@link FocusSpec}, for both versions; and each way the FOCUS
 * 1.2 export of issue 15 broke the specification is caught.
 */
class FocusSpecTest extends SparkTestBase {

    private static final YearMonth NOV = YearMonth.of(2026, 11);
    private static final BigDecimal BILL = new BigDecimal("2.62");

    private static Dataset<Row> export(FocusExport.Version version) {
        Dataset<Row> requestCosts = Schemas.conform(
                Priced.of(
                                UsageValidation.validate(usageLines(
                                                line(
                                                        "r1",
                                                        "2026-11-10T10:00:00Z",
                                                        "gpt-image-2",
                                                        "default",
                                                        1_234,
                                                        200,
                                                        0,
                                                        0,
                                                        4_160,
                                                        0),
                                                line(
                                                        "r2",
                                                        "2026-11-12T10:00:00Z",
                                                        "gpt-image-1-mini",
                                                        "batch",
                                                        500,
                                                        0,
                                                        0,
                                                        0,
                                                        1_056,
                                                        0)))
                                        .accepted(),
                                RateCard.load(new org.apache.hadoop.conf.Configuration(false), null))
                        .priced(),
                OutputTable.REQUEST_COSTS.tableName());
        StructType billedSchema = new StructType()
                .add(Cols.USAGE_DATE, DataTypes.DateType)
                .add(Cols.PROJECT_ID, DataTypes.StringType)
                .add(Cols.PROJECT_NAME, DataTypes.StringType)
                .add(Cols.LINE_ITEM, DataTypes.StringType)
                .add(Cols.MODEL, DataTypes.StringType)
                .add(Cols.METER, DataTypes.StringType)
                .add(Cols.AMOUNT_USD, RequestPricing.USD)
                .add(Cols.BILLED_TOKENS, CostsReader.TOKEN_QUANTITY);
        Dataset<Row> billed = spark.createDataFrame(
                List.of(
                        RowFactory.create(
                                LocalDate.parse("2026-11-10"),
                                "proj_t",
                                "Test",
                                "gpt-image-2 image, output",
                                "gpt-image-2",
                                "image_output",
                                new BigDecimal("1.000000000000"),
                                new BigDecimal("4160.000000")),
                        RowFactory.create(
                                LocalDate.parse("2026-11-11"),
                                "proj_old",
                                null,
                                "gpt-image-1 image, output",
                                "gpt-image-1",
                                "image_output",
                                new BigDecimal("1.200000000000"),
                                new BigDecimal("30000.000000")),
                        RowFactory.create(
                                LocalDate.parse("2026-11-10"),
                                "proj_t",
                                "Test",
                                "gpt-4.1-mini, input",
                                null,
                                null,
                                new BigDecimal("0.420000000000"),
                                null)),
                billedSchema);
        Dataset<Row> meterRows = FinanceReports.meterRows(requestCosts, NOV);
        Dataset<Row> statuses = MeterReconciliation.of(
                        meterRows,
                        billed.filter(col(Cols.MODEL).isNotNull()),
                        NOV,
                        new MeterReconciliation.Tolerances(new BigDecimal("0.01"), new BigDecimal("0.5"), 0))
                .filter(col(Cols.GRAIN).equalTo("day"));
        Dataset<Row> focus = FocusExport.of(
                meterRows,
                billed,
                statuses,
                FocusExport.names(spark, Map.of()),
                NOV,
                new FocusExport.Account(version, "org-test", "Test org"));
        // Held in memory so that each broken copy below is a cheap projection.
        return spark.createDataFrame(focus.collectAsList(), focus.schema());
    }

    @Test
    void theDerivedColumnListsAreTheSpecsAndDifferWhere13And14ChangedThem() {
        List<FocusSpec.Column> v12 = FocusSpec.columns("1.2");
        List<FocusSpec.Column> v13 = FocusSpec.columns("1.3");
        List<FocusSpec.Column> v14 = FocusSpec.columns("1.4");
        assertThat(v14)
                .extracting(FocusSpec.Column::id)
                .doesNotContain("ProviderName", "PublisherName")
                .contains("ServiceProviderName", "HostProviderName", "InvoiceDetailId");
        assertThat(v13.stream()
                        .filter(c -> c.id().equals("HostProviderName"))
                        .findFirst()
                        .orElseThrow()
                        .nullRules())
                .as("1.3 lets HostProviderName be null in stated cases")
                .doesNotContain("never_null");
        assertThat(v12)
                .extracting(FocusSpec.Column::id)
                .contains("ProviderName", "SkuPriceDetails", "SubAccountName")
                .doesNotContain("ServiceProviderName", "HostProviderName", "ContractApplied");
        assertThat(v13)
                .filteredOn(c -> c.featureLevel().equals("Mandatory"))
                .extracting(FocusSpec.Column::id)
                .contains("ServiceProviderName", "HostProviderName", "ProviderName", "PublisherName", "BilledCost");
        assertThat(v13)
                .extracting(FocusSpec.Column::id)
                .contains("ContractApplied", "AllocatedMethodId", "AllocatedResourceId", "AllocatedTags");
        FocusSpec.Column subAccountName = v12.stream()
                .filter(c -> c.id().equals("SubAccountName"))
                .findFirst()
                .orElseThrow();
        assertThat(subAccountName.nullRules()).contains("not_null_when_present:SubAccountId");
        assertThat(v12.stream()
                        .filter(c -> c.id().equals("ChargeCategory"))
                        .findFirst()
                        .orElseThrow()
                        .allowed())
                .containsExactly("Usage", "Purchase", "Tax", "Credit", "Adjustment");
    }

    @Test
    void theExportOfBothVersionsFollowsItsSpecification() {
        for (FocusExport.Version v : FocusExport.Version.values()) {
            assertThat(FocusSpec.violations(export(v), v.label(), BILL))
                    .as(v.label())
                    .isEmpty();
        }
    }

    @Test
    void eachWayTheFocus12ExportBrokeTheSpecificationIsCaught() {
        Map<String, UnaryOperator<Dataset<Row>>> breaks = Map.of(
                "SubAccountName: null where SubAccountId is not",
                        d -> d.withColumn("SubAccountName", lit(null).cast("string")),
                "SkuPriceDetails: Conditional column missing", d -> d.drop("SkuPriceDetails"),
                "BillingAccountName: null",
                        d -> d.withColumn("BillingAccountName", lit(null).cast("string")),
                "PricingUnit: '1M Tokens' does not follow UnitFormat",
                        d -> d.withColumn("PricingUnit", lit("1M Tokens")),
                "BilledCost: sums to", d -> d.withColumn("BilledCost", col("x_ComputedCost")),
                "Workflow: not a FOCUS", d -> d.withColumn("Workflow", lit("wf")),
                "ChargeCategory: 'usage' is not an allowed value", d -> d.withColumn("ChargeCategory", lit("usage")),
                "SkuPriceDetails: key 'Model' is not prefixed x_",
                        d -> d.withColumn("SkuPriceDetails", lit("{\"Model\":\"gpt-image-2\"}")));
        Map<FocusExport.Version, Dataset<Row>> exports = Map.of(
                FocusExport.Version.V1_2, export(FocusExport.Version.V1_2),
                FocusExport.Version.V1_3, export(FocusExport.Version.V1_3),
                FocusExport.Version.V1_4, export(FocusExport.Version.V1_4));
        for (FocusExport.Version v : FocusExport.Version.values()) {
            Dataset<Row> good = exports.get(v);
            for (Map.Entry<String, UnaryOperator<Dataset<Row>>> b : breaks.entrySet()) {
                assertThat(FocusSpec.violations(b.getValue().apply(good), v.label(), BILL))
                        .as(v.label() + ": " + b.getKey())
                        .anyMatch(m -> m.startsWith(b.getKey()));
            }
        }
        Dataset<Row> v13 = exports.get(FocusExport.Version.V1_3);
        assertThat(FocusSpec.violations(v13.drop("ServiceProviderName"), "1.3", BILL))
                .anyMatch(m -> m.startsWith("ServiceProviderName: Mandatory column missing"));
        assertThat(FocusSpec.violations(v13, "1.2", BILL))
                .as("a 1.3 export is not a 1.2 one")
                .anyMatch(m -> m.startsWith("ServiceProviderName: not a FOCUS 1.2 column"));
        assertThat(FocusSpec.violations(v13, "1.4", BILL))
                .as("a 1.3 export is not a 1.4 one")
                .anyMatch(m -> m.startsWith("ProviderName: not a FOCUS 1.4 column"));
        assertThat(FocusSpec.violations(exports.get(FocusExport.Version.V1_4), "1.3", BILL))
                .as("a 1.4 export is not a 1.3 one")
                .anyMatch(m -> m.startsWith("ProviderName: Mandatory column missing"));
    }
}
