package io.assetcost.finance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The FOCUS 1.4 export against the FOCUS requirements model ({@link FocusRequirementsModel}) on a hard month:
 * logged usage on two days in two tiers, a correction (a negative billed line for a logged meter), a line item
 * only the bill has with its tokens (a model nobody logged), two with no quantity (a chat model, an image meter
 * the bill gives no tokens for); and each rule issue 29 found broken is caught.
 */
class FocusRequirementsModelTest extends SparkTestBase {

    private static final YearMonth NOV = YearMonth.of(2026, 11);

    private static Row bill(String day, String item, String model, String meter, String usd, Long tokens) {
        return RowFactory.create(
                LocalDate.parse(day),
                "proj_t",
                "Test",
                item,
                model,
                meter,
                new BigDecimal(usd),
                tokens == null ? null : new BigDecimal(tokens));
    }

    private static Dataset<Row> hardMonth(FocusExport.Version version) {
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
                                                        "2026-11-10T11:00:00Z",
                                                        "gpt-image-2",
                                                        "batch",
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        2_080,
                                                        0),
                                                line(
                                                        "r3",
                                                        "2026-11-12T10:00:00Z",
                                                        "gpt-image-1-mini",
                                                        "default",
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
                        bill("2026-11-10", "gpt-image-2 image, output", "gpt-image-2", "image_output", "0.20", 6_240L),
                        bill(
                                "2026-11-10",
                                "gpt-image-2 image, output (correction)",
                                "gpt-image-2",
                                "image_output",
                                "-0.05",
                                null),
                        bill("2026-11-11", "gpt-image-1 image, output", "gpt-image-1", "image_output", "1.20", 30_000L),
                        bill("2026-11-11", "gpt-image-1 text, input", "gpt-image-1", "text_input", "0.07", null),
                        bill("2026-11-10", "gpt-4.1-mini, input", null, null, "0.42", null),
                        bill(
                                "2026-11-12",
                                "gpt-image-1-mini image, output",
                                "gpt-image-1-mini",
                                "image_output",
                                "0.01",
                                1_056L)),
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
        return spark.createDataFrame(focus.collectAsList(), focus.schema());
    }

    @Test
    void theHardMonthKeepsEveryRuleOfTheRequirementsModel() {
        Dataset<Row> focus = hardMonth(FocusExport.Version.V1_4);
        FocusRequirementsModel.Report report =
                FocusRequirementsModel.load("1.4").check(focus);
        System.out.println(summary("hard month", report));
        assertThat(report.violations()).isEmpty();
        assertThat(report.checked())
                .contains(
                        "CAU-SkuPriceId-C-005-C",
                        "CAU-PricingQuantity-C-005-C",
                        "CAU-PricingQuantity-C-011-C",
                        "CAU-ListUnitPrice-C-005-C",
                        "CAU-ListUnitPrice-C-013-C",
                        "CAU-ConsumedQuantity-C-004-C",
                        "CAU-ConsumedQuantity-C-009-C",
                        "CAU-ListCost-C-011-C",
                        "CAU-ChargeCategory-C-003-M",
                        "CAU-ChargePeriodStart-C-002-M",
                        "CAU-Tags-C-001-M",
                        "CAU-SkuPriceDetails-C-001-M",
                        "CAU-SkuPriceDetails-C-004-C");
        assertThat(report.notChecked().get("removed")).contains("CAU-ProviderName-C-000-M");
        // Every column rule file and the dataset's own rules: presence, the other columns, the unused ones counted.
        assertThat(report.checked())
                .contains(
                        "CAU-CostAndUsage-D-006-M",
                        "CAU-CostAndUsage-D-058-C",
                        "CAU-ContractedCost-C-011-C",
                        "CAU-ServiceSubcategory-C-004-M",
                        "CAU-ServiceName-C-005-C",
                        "CAU-SubAccountName-C-005-C");
        assertThat(report.notChecked().get("column not in the export"))
                .contains("CAU-RegionId-C-000-C", "CAU-CommitmentDiscountId-C-000-C", "CAU-InvoiceId-C-000-O");
        assertThat(report.notChecked()).containsKey("not applicable: COMMITMENT_DISCOUNT_SUPPORTED");
        int accounted = report.checked().size()
                + report.notChecked().values().stream().mapToInt(List::size).sum();
        assertThat(accounted)
                .as("every rule is checked or counted with its reason")
                .isEqualTo(report.rules());
        // The month's rows: what was logged is Usage, what only the bill has is Adjustment, nothing is lost.
        List<Row> rows = focus.collectAsList();
        assertThat(rows)
                .filteredOn(r -> FocusExport.ADJUSTMENT.equals(r.getAs("ChargeCategory")))
                .extracting(r -> (String) r.getAs("ChargeDescription"))
                .containsExactlyInAnyOrder(
                        "gpt-image-1 image, output", "gpt-image-1 text, input", "gpt-4.1-mini, input");
        assertThat(rows.stream().map(r -> (BigDecimal) r.getAs("BilledCost")).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("1.85");
    }

    @Test
    void eachRuleIssue29FoundBrokenIsCaught() {
        Dataset<Row> good = hardMonth(FocusExport.Version.V1_4);
        FocusRequirementsModel model = FocusRequirementsModel.load("1.4");
        // Bill-only rows as Usage with the line item as SkuPriceId and no prices or quantities (the old export).
        Dataset<Row> old = good.withColumn("SkuPriceId", coalesce("SkuPriceId", "ChargeDescription"))
                .withColumn("ChargeCategory", lit(FocusExport.USAGE));
        assertThat(model.check(old).violations())
                .anyMatch(v -> v.startsWith("CAU-ListUnitPrice-C-013-C"))
                .anyMatch(v -> v.startsWith("CAU-ListUnitPrice-C-005-C"))
                .anyMatch(v -> v.startsWith("CAU-PricingQuantity-C-005-C"));
        // A Usage row without SkuPriceId.
        assertThat(model.check(good.withColumn("ChargeCategory", lit(FocusExport.USAGE)))
                        .violations())
                .anyMatch(v -> v.startsWith("CAU-SkuPriceId-C-005-C"));
        // Quantities on a row that is not Usage, or without a SkuPriceId.
        assertThat(model.check(good.withColumn(
                                "ConsumedQuantity", lit(BigDecimal.ONE).cast("decimal(38,12)")))
                        .violations())
                .anyMatch(v -> v.startsWith("CAU-ConsumedQuantity-C-004-C"))
                .anyMatch(v -> v.startsWith("CAU-ConsumedQuantity-C-009-C"));
        // Tags that are no key-value object; a charge period that is no date-time.
        assertThat(model.check(good.withColumn("Tags", lit("{\"workflow\":{\"id\":\"wf\"}}")))
                        .violations())
                .anyMatch(v -> v.startsWith("CAU-Tags-C-001-M"));
        assertThat(model.check(good.withColumn("ChargePeriodStart", lit("2026/11/10")))
                        .violations())
                .anyMatch(v -> v.startsWith("CAU-ChargePeriodStart-C-001-M"))
                .anyMatch(v -> v.startsWith("CAU-ChargePeriodStart-C-002-M"));
        // ListCost that is not ListUnitPrice x PricingQuantity.
        assertThat(model.check(good.withColumn(
                                "ListCost",
                                when(
                                                col("ListUnitPrice").isNotNull(),
                                                col("ListCost").plus(lit(1)))
                                        .otherwise(col("ListCost"))
                                        .cast("decimal(38,12)")))
                        .violations())
                .anyMatch(v -> v.startsWith("CAU-ListCost-C-011-C"));
    }

    /** One line of counts: rules, checked, not checked by reason (the README's figures come from it). */
    static String summary(String what, FocusRequirementsModel.Report report) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        report.notChecked().forEach((reason, ids) -> counts.put(reason, ids.size()));
        return "FOCUS 1.4 requirements model, " + what + ": " + report.rules() + " rules, "
                + report.checked().size() + " checked, " + report.violations().size() + " broken; not checked: "
                + counts;
    }

    @Test
    void aColumnWhoseRulesWereTranscribedAsIdsOnlyStopsTheCheck() {
        Dataset<Row> withRegion = hardMonth(FocusExport.Version.V1_4).withColumn("RegionId", lit("us"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> FocusRequirementsModel.load("1.4").check(withRegion))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RegionId")
                .hasMessageContaining("transcribe its rule file in full");
    }

    private static org.apache.spark.sql.Column coalesce(String a, String b) {
        return org.apache.spark.sql.functions.coalesce(col(a), col(b));
    }

    /**
     * The FOCUS validator's whole 1.2 model ({@code focus_validator/rules/model-1.2.json} of
     * finopsfoundation/focus_validator, not part of this repository) on the 1.2 export of the hard month, when
     * {@code -Dfocus.validatorModel=FILE} or the environment's {@code FOCUS_VALIDATOR_MODEL} names a copy: every
     * rule checked or counted with its reason, and what it finds printed (README, "FOCUS 1.4 export").
     */
    @Test
    void theValidatorsPublishedModelCanBeRunWhenGiven() throws Exception {
        String file = System.getProperty("focus.validatorModel", System.getenv("FOCUS_VALIDATOR_MODEL"));
        org.junit.jupiter.api.Assumptions.assumeTrue(
                file != null, "no -Dfocus.validatorModel or FOCUS_VALIDATOR_MODEL");
        FocusRequirementsModel model =
                FocusRequirementsModel.fromValidatorModel(java.nio.file.Files.readString(java.nio.file.Path.of(file)));
        FocusRequirementsModel.Report report = model.check(hardMonth(FocusExport.Version.V1_2));
        int accounted = report.checked().size()
                + report.notChecked().values().stream().mapToInt(List::size).sum();
        assertThat(accounted).isEqualTo(report.rules());
        System.out.println("validator model: " + report.rules() + " rules, "
                + report.checked().size()
                + " checked; not checked: "
                + report.notChecked().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().size())
                        .toList());
        report.violations().forEach(v -> System.out.println("violation: " + v));
    }

    @Test
    void theMetadataNamesTheVersionAndEveryColumnOfItsContract() throws Exception {
        for (FocusExport.Version v : FocusExport.Version.values()) {
            JsonNode meta = new ObjectMapper().readTree(FocusMetadata.json(v));
            assertThat(meta.path("DataGenerator").asText()).isEqualTo("assetcost");
            JsonNode schema = meta.path("Schema");
            assertThat(schema.path("FocusVersion").asText()).isEqualTo(v.label());
            assertThat(schema.path("SchemaId").asText()).isEqualTo(FocusMetadata.schemaId(v));
            assertThat(schema.path("CreationDate").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
            List<String> names = new java.util.ArrayList<>();
            schema.path("ColumnDefinition")
                    .forEach(c -> names.add(c.path("ColumnName").asText()));
            assertThat(names).containsExactly(v.table().sparkSchema().fieldNames());
            JsonNode billed = schema.path("ColumnDefinition").get(names.indexOf("BilledCost"));
            assertThat(billed.path("DataType").asText()).isEqualTo("DECIMAL");
            assertThat(billed.path("NumberScale").asInt()).isEqualTo(12);
            assertThat(schema.path("ColumnDefinition")
                            .get(names.indexOf("Tags"))
                            .path("DataType")
                            .asText())
                    .isEqualTo("JSON");
            assertThat(names.contains("ProviderName")).isEqualTo(v != FocusExport.Version.V1_4);
            assertThat(FocusRequirementsModel.metadataViolations(
                            meta, v.label(), v.table().sparkSchema()))
                    .as("metadata rules of %s", v.label())
                    .isEmpty();
            assertThat(meta.has("DatasetInstance")).isEqualTo(v != FocusExport.Version.V1_2);
        }
        // What the metadata check catches: a schema without its instance, an instance of no FOCUS dataset.
        ObjectNode broken = (ObjectNode) new ObjectMapper().readTree(FocusMetadata.json(FocusExport.Version.V1_4));
        ((ObjectNode) broken.path("Schema")).remove("DatasetInstanceId");
        ((ObjectNode) broken.path("DatasetInstance").get(0)).put("FocusDatasetId", "Costs");
        assertThat(FocusRequirementsModel.metadataViolations(
                        broken, "1.4", FocusExport.Version.V1_4.table().sparkSchema()))
                .containsExactlyInAnyOrder(
                        "FocusDatasetId names no FOCUS dataset: "
                                + broken.path("DatasetInstance").get(0),
                        "DatasetInstance has no object for the CostAndUsage dataset",
                        "Schema.DatasetInstanceId names no DatasetInstance");
        assertThat(FocusMetadata.schemaId(FocusExport.Version.V1_3))
                .isNotEqualTo(FocusMetadata.schemaId(FocusExport.Version.V1_4));
    }
}
