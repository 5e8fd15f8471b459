package io.assetcost.finance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.io.UsageFormatOptions;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** meter_reconciliation, the FOCUS export's BilledCost split, token normalisation, the Usage API and coverage. */
class MeterAndFocusTest extends SparkTestBase {

    private static final YearMonth NOV = YearMonth.of(2026, 11);
    private static final StructType BILLED = new StructType()
            .add(Cols.USAGE_DATE, DataTypes.DateType)
            .add(Cols.PROJECT_ID, DataTypes.StringType)
            .add(Cols.PROJECT_NAME, DataTypes.StringType)
            .add(Cols.LINE_ITEM, DataTypes.StringType)
            .add(Cols.MODEL, DataTypes.StringType)
            .add(Cols.METER, DataTypes.StringType)
            .add(Cols.AMOUNT_USD, RequestPricing.USD)
            .add(Cols.BILLED_TOKENS, CostsReader.TOKEN_QUANTITY);

    /** request_costs of test lines (project proj_t, workflow wf unless replaced), priced with the embedded card. */
    private static Dataset<Row> costs(String... lines) {
        return Schemas.conform(
                Priced.of(
                                UsageValidation.validate(usageLines(lines)).accepted(),
                                RateCard.load(new org.apache.hadoop.conf.Configuration(false), null))
                        .priced(),
                OutputTable.REQUEST_COSTS.tableName());
    }

    private static Row bill(
            String day, String project, String lineItem, String model, String meter, String usd, Long tokens) {
        return RowFactory.create(
                LocalDate.parse(day),
                project,
                null,
                lineItem,
                model,
                meter,
                new BigDecimal(usd).setScale(12),
                tokens == null ? null : new BigDecimal(tokens).setScale(6));
    }

    private static Map<String, Row> byKey(Dataset<Row> meters) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : meters.collectAsList()) {
            out.put(
                    r.getAs("grain") + "|" + r.getAs(Cols.USAGE_DATE) + "|" + r.getAs(Cols.MODEL) + "|"
                            + r.getAs(Cols.METER),
                    r);
        }
        return out;
    }

    @Test
    void everyMeterStatusInDollarsAndTokensAndMonthRowsSumTheDays() {
        // 2026-11-10: 1,000 text + 4,160 image output tokens (gpt-image-2: 5 and 30 USD per 1M) = 0.005 + 0.1248.
        // 2026-11-12: the same again, never billed.
        Dataset<Row> requestCosts = costs(
                line("r1", "2026-11-10T10:00:00Z", "gpt-image-2", "default", 1_000, 0, 0, 0, 4_160, 0),
                line("r2", "2026-11-12T10:00:00Z", "gpt-image-2", "default", 1_000, 0, 0, 0, 4_160, 0));
        Dataset<Row> billed = spark.createDataFrame(
                List.of(
                        // text input billed exactly: match in both units.
                        bill(
                                "2026-11-10",
                                "proj_t",
                                "gpt-image-2 text, input",
                                "gpt-image-2",
                                "text_input",
                                "0.005",
                                1_000L),
                        // image output: 2,000 more tokens billed than logged (0.06 USD): under in both units.
                        bill(
                                "2026-11-10",
                                "proj_t",
                                "gpt-image-2 image, output",
                                "gpt-image-2",
                                "image_output",
                                "0.1848",
                                6_160L),
                        // a bill with no usage that day: only_billed.
                        bill(
                                "2026-11-11",
                                "proj_t",
                                "gpt-image-2 image, output",
                                "gpt-image-2",
                                "image_output",
                                "0.1248",
                                4_160L),
                        // a text output line without a quantity, on a meter nothing was logged for.
                        bill(
                                "2026-11-10",
                                "proj_t",
                                "gpt-image-2 text, output",
                                "gpt-image-2",
                                "text_output",
                                "0.01",
                                null)),
                BILLED);
        MeterReconciliation.Tolerances tol =
                new MeterReconciliation.Tolerances(new BigDecimal("0.01"), new BigDecimal("0.5"), 0);
        Map<String, Row> rows =
                byKey(MeterReconciliation.of(FinanceReports.meterRows(requestCosts, NOV), billed, NOV, tol));
        Row text = rows.get("day|2026-11-10|gpt-image-2|text_input");
        assertThat((String) text.getAs("status")).isEqualTo("match");
        assertThat((String) text.getAs("token_status")).isEqualTo("match");
        Row image = rows.get("day|2026-11-10|gpt-image-2|image_output");
        assertThat((String) image.getAs("status")).isEqualTo("under");
        assertThat((String) image.getAs("token_status")).isEqualTo("under");
        assertThat((BigDecimal) image.getAs("token_difference")).isEqualByComparingTo("-2000");
        assertThat((BigDecimal) image.getAs("difference_usd")).isEqualByComparingTo("-0.06");
        assertThat((String) rows.get("day|2026-11-11|gpt-image-2|image_output").getAs("token_status"))
                .isEqualTo("only_billed");
        Row unbilled = rows.get("day|2026-11-12|gpt-image-2|image_output");
        assertThat((String) unbilled.getAs("status")).isEqualTo("only_computed");
        assertThat((String) unbilled.getAs("token_status")).isEqualTo("only_computed");
        Row noQuantity = rows.get("day|2026-11-10|gpt-image-2|text_output");
        assertThat((String) noQuantity.getAs("status")).isEqualTo("only_billed");
        assertThat((Object) noQuantity.getAs("billed_tokens")).isNull();
        Row month = rows.get("month|null|gpt-image-2|image_output");
        assertThat((Long) month.getAs("computed_tokens")).isEqualTo(8_320L);
        assertThat((BigDecimal) month.getAs("billed_tokens")).isEqualByComparingTo("10320");
        assertThat((BigDecimal) month.getAs("computed_cost_usd")).isEqualByComparingTo("0.2496");
        assertThat((BigDecimal) month.getAs("billed_cost_usd")).isEqualByComparingTo("0.3096");
        // A computed meter billed without a quantity: the dollars reconcile, the tokens cannot.
        Dataset<Row> noQty = billed.filter(col(Cols.METER).equalTo("text_input"))
                .withColumn(Cols.BILLED_TOKENS, lit(null).cast(CostsReader.TOKEN_QUANTITY));
        Row textNoQty = byKey(MeterReconciliation.of(FinanceReports.meterRows(requestCosts, NOV), noQty, NOV, tol))
                .get("day|2026-11-10|gpt-image-2|text_input");
        assertThat((String) textNoQty.getAs("status")).isEqualTo("match");
        assertThat((String) textNoQty.getAs("token_status")).isEqualTo(MeterReconciliation.NO_QUANTITY);
        // The token tolerance, edge included: 2,000 tokens apart is a match at --tolerance-tokens 2000.
        MeterReconciliation.Tolerances wide =
                new MeterReconciliation.Tolerances(new BigDecimal("0.01"), new BigDecimal("0.5"), 2_000);
        assertThat((String)
                        byKey(MeterReconciliation.of(FinanceReports.meterRows(requestCosts, NOV), billed, NOV, wide))
                                .get("day|2026-11-10|gpt-image-2|image_output")
                                .getAs("token_status"))
                .isEqualTo("match");
    }

    @Test
    void quantitiesAreNormalisedToTokens() {
        Dataset<Row> q = spark.createDataFrame(
                        List.of(
                                RowFactory.create(new BigDecimal("4160"), "tokens"),
                                RowFactory.create(new BigDecimal("4.16"), "1000_tokens"),
                                RowFactory.create(new BigDecimal("0.00416"), " 1000000_TOKENS "),
                                RowFactory.create(new BigDecimal("3"), "images"),
                                RowFactory.create(null, "tokens")),
                        new StructType()
                                .add(Cols.QUANTITY, DataTypes.createDecimalType(38, 12))
                                .add(Cols.QUANTITY_UNIT, DataTypes.StringType))
                .select(CostsReader.tokens(col(Cols.QUANTITY), col(Cols.QUANTITY_UNIT)));
        List<BigDecimal> tokens = new ArrayList<>();
        q.collectAsList().forEach(r -> tokens.add(r.getDecimal(0)));
        assertThat(tokens.get(0)).isEqualByComparingTo("4160");
        assertThat(tokens.get(1)).isEqualByComparingTo("4160");
        assertThat(tokens.get(2)).isEqualByComparingTo("4160");
        assertThat(tokens.get(3)).isNull();
        assertThat(tokens.get(4)).isNull();
    }

    @Test
    void billedCostSplitsTheBillOverTheLoggedRowsAndSumsToTheWholeBill() {
        // Two workflows share gpt-image-2 image_output on 2026-11-10 (2 : 1 by computed cost); the bill is 1.00 USD.
        String wf2 = line("r2", "2026-11-10T11:00:00Z", "gpt-image-2", "default", 0, 0, 0, 0, 2_080, 0)
                .replace("\"workflow_id\":\"wf\"", "\"workflow_id\":\"wf2\"");
        Dataset<Row> requestCosts =
                costs(line("r1", "2026-11-10T10:00:00Z", "gpt-image-2", "default", 0, 0, 0, 0, 4_160, 0), wf2);
        Dataset<Row> billed = spark.createDataFrame(
                List.of(
                        bill(
                                "2026-11-10",
                                "proj_t",
                                "gpt-image-2 image, output",
                                "gpt-image-2",
                                "image_output",
                                "1.00",
                                6_240L),
                        bill(
                                "2026-11-11",
                                "proj_old",
                                "gpt-image-1 image, output",
                                "gpt-image-1",
                                "image_output",
                                "1.20",
                                30_000L),
                        bill("2026-11-10", "proj_t", "gpt-4.1-mini, input", null, null, "0.42", null)),
                BILLED);
        Dataset<Row> meterRows = FinanceReports.meterRows(requestCosts, NOV);
        Dataset<Row> statuses = MeterReconciliation.of(
                        meterRows,
                        billed.filter(col(Cols.MODEL).isNotNull()),
                        NOV,
                        new MeterReconciliation.Tolerances(new BigDecimal("0.01"), new BigDecimal("0.5"), 0))
                .filter(col(Cols.GRAIN).equalTo("day"));
        Dataset<Row> names = FocusExport.names(spark, Map.of("proj_t", "Test project"));
        for (FocusExport.Version v : FocusExport.Version.values()) {
            List<Row> focus = FocusExport.of(
                            meterRows, billed, statuses, names, NOV, new FocusExport.Account(v, "org-test", "Test org"))
                    .collectAsList();
            assertThat(focus).as(v.label()).hasSize(4);
            BigDecimal billedTotal = BigDecimal.ZERO;
            Map<String, Row> bySku = new HashMap<>();
            for (Row r : focus) {
                billedTotal = billedTotal.add(r.getAs("BilledCost"));
                String key = r.getAs("SkuId") == null ? r.getAs("ChargeDescription") : r.getAs("SkuId");
                bySku.put(key + "|" + r.getAs("Tags"), r);
            }
            assertThat(billedTotal).as("BilledCost is the whole bill").isEqualByComparingTo("2.62");
            Row first = bySku.get("gpt-image-2/default/image_output|{\"workflow_id\":\"wf\"}");
            Row second = bySku.get("gpt-image-2/default/image_output|{\"workflow_id\":\"wf2\"}");
            assertThat(((BigDecimal) first.getAs("BilledCost")).add(second.getAs("BilledCost")))
                    .isEqualByComparingTo("1.00");
            assertThat((BigDecimal) second.getAs("BilledCost")).isEqualByComparingTo("0.333333333333");
            assertThat((BigDecimal) first.getAs("BilledCost")).isEqualByComparingTo("0.666666666667");
            assertThat((BigDecimal) first.getAs("x_ComputedCost")).isEqualByComparingTo("0.1248");
            assertThat((BigDecimal) first.getAs("ListCost"))
                    .isEqualByComparingTo(
                            ((BigDecimal) first.getAs("PricingQuantity")).multiply(first.getAs("ListUnitPrice")));
            assertThat((String) first.getAs("PricingUnit")).isEqualTo("1000000 Tokens");
            assertThat((String) first.getAs("SubAccountName")).isEqualTo("Test project");
            assertThat((String) first.getAs("SkuPriceDetails"))
                    .isEqualTo("{\"x_Model\":\"gpt-image-2\",\"x_ServiceTier\":\"default\","
                            + "\"x_TokenMeter\":\"image_output\"}");
            assertThat((String) first.getAs("x_ReconciliationStatus")).isEqualTo("under");
            Row legacy = bySku.get("gpt-image-1 image, output|null");
            assertThat((String) legacy.getAs("SubAccountName"))
                    .as("fallback: the id")
                    .isEqualTo("proj_old");
            assertThat((BigDecimal) legacy.getAs("BilledCost")).isEqualByComparingTo("1.20");
            assertThat((BigDecimal) legacy.getAs("x_ComputedCost")).isEqualByComparingTo("0");
            // Only the bill has it: an Adjustment without SKU price, unit prices or quantities; the bill's tokens kept.
            assertThat((String) legacy.getAs("ChargeCategory")).isEqualTo(FocusExport.ADJUSTMENT);
            assertThat((Object) legacy.getAs("ConsumedQuantity")).isNull();
            assertThat((Object) legacy.getAs("SkuPriceId")).isNull();
            assertThat((Object) legacy.getAs("ListUnitPrice")).isNull();
            assertThat((BigDecimal) legacy.getAs("ListCost")).isEqualByComparingTo("1.20");
            assertThat((BigDecimal) legacy.getAs("x_BilledTokens")).isEqualByComparingTo("30000");
            assertThat((String) first.getAs("ChargeCategory")).isEqualTo(FocusExport.USAGE);
            assertThat((String) legacy.getAs("x_ReconciliationStatus")).isEqualTo("only_billed");
            Row chat = bySku.get("gpt-4.1-mini, input|null");
            assertThat((String) chat.getAs("ServiceName")).isEqualTo("OpenAI API");
            assertThat((Object) chat.getAs("PricingUnit")).isNull();
            assertThat((Object) chat.getAs("x_BilledTokens")).isNull();
            assertThat((String) chat.getAs("x_ReconciliationStatus")).isEqualTo(FocusExport.UNMATCHED);
            List<String> fields = List.of(focus.get(0).schema().fieldNames());
            assertThat(fields.contains("ServiceProviderName")).as(v.label()).isEqualTo(v != FocusExport.Version.V1_2);
            assertThat(fields.contains("ProviderName"))
                    .as(v.label() + ": removed in 1.4")
                    .isEqualTo(v != FocusExport.Version.V1_4);
        }
    }

    @Test
    void theShareOfABillIsHalfEvenAtTwelvePlaces() {
        assertThat(FocusExport.share(new BigDecimal("1"), new BigDecimal("1"), new BigDecimal("3")))
                .isEqualByComparingTo("0.333333333333");
        assertThat(FocusExport.share(new BigDecimal("2"), new BigDecimal("1"), new BigDecimal("3")))
                .isEqualByComparingTo("0.666666666667");
        assertThat(FocusExport.share(new BigDecimal("2"), new BigDecimal("1"), BigDecimal.ZERO))
                .isEqualByComparingTo("0");
    }

    @Test
    void usageApiPagesOverlapOnceAndBadResultsAreQuarantined() {
        long day = epoch("2026-11-10T00:00:00Z");
        StructType schema = new StructType()
                .add("_start", DataTypes.LongType)
                .add("_end", DataTypes.LongType)
                .add(Cols.PROJECT_ID, DataTypes.StringType)
                .add(Cols.MODEL, DataTypes.StringType)
                .add(Cols.SIZE, DataTypes.StringType)
                .add(Cols.SOURCE, DataTypes.StringType)
                .add("_api_key_id", DataTypes.StringType)
                .add("_user_id", DataTypes.StringType)
                .add(Cols.API_REQUESTS, DataTypes.LongType)
                .add(Cols.API_IMAGES, DataTypes.LongType)
                .add(Cols.RAW_RECORD, DataTypes.StringType)
                .add(Cols.SOURCE_FILE, DataTypes.StringType)
                .add(Cols.PARSE_REASON, DataTypes.StringType)
                .add(Cols.PARSE_DETAIL, DataTypes.StringType);
        List<Row> rows = List.of(
                RowFactory.create(
                        day,
                        day + 86_400,
                        "p",
                        "gpt-image-2",
                        "1024x1024",
                        "image.edit",
                        null,
                        null,
                        5L,
                        6L,
                        "a",
                        "page1",
                        null,
                        null),
                RowFactory.create(
                        day,
                        day + 86_400,
                        "p",
                        "gpt-image-2",
                        "1024x1024",
                        "image.edit",
                        null,
                        null,
                        5L,
                        6L,
                        "a",
                        "page2",
                        null,
                        null),
                RowFactory.create(
                        day,
                        day + 86_400,
                        "q",
                        "gpt-image-2",
                        "1024x1024",
                        "image.edit",
                        null,
                        null,
                        5L,
                        6L,
                        "b",
                        "page1",
                        null,
                        null),
                RowFactory.create(
                        day,
                        day + 86_400,
                        "q",
                        "gpt-image-2",
                        "1024x1024",
                        "image.edit",
                        null,
                        null,
                        7L,
                        8L,
                        "c",
                        "page2",
                        null,
                        null),
                RowFactory.create(
                        day,
                        day + 3_600,
                        "p",
                        "gpt-image-2",
                        "1024x1024",
                        "image.edit",
                        null,
                        null,
                        1L,
                        1L,
                        "d",
                        "page1",
                        null,
                        null),
                RowFactory.create(
                        day,
                        day + 86_400,
                        "r",
                        "gpt-image-2",
                        "1024x1024",
                        "image.edit",
                        null,
                        null,
                        null,
                        1L,
                        "e",
                        "page1",
                        null,
                        null));
        UsageApiReader.Result r = UsageApiReader.check(spark.createDataFrame(rows, schema), 2);
        assertThat(r.results().count()).isEqualTo(1);
        assertThat(r.duplicatesDropped().count()).isEqualTo(1);
        assertThat(r.quarantined().collectAsList())
                .extracting(x -> (String) x.getAs(Cols.PARSE_REASON))
                .containsExactlyInAnyOrder(
                        "conflicting_bucket", "conflicting_bucket", "bucket_not_a_day", "missing_field");
    }

    @Test
    void logCoverageFindsTheDayTheLogsMissedComparingModelsWithoutTheirSnapshot() {
        Dataset<Row> requestCosts = costs(
                line("r1", "2026-11-10T10:00:00Z", "gpt-image-2-2026-04-21", "default", 100, 0, 0, 0, 4_160, 0),
                line("r2", "2026-11-10T11:00:00Z", "gpt-image-2", "default", 100, 0, 0, 0, 4_160, 0),
                line("r3", "2026-11-11T11:00:00Z", "gpt-image-2", "default", 100, 0, 0, 0, 4_160, 0),
                line("r4", "2026-11-12T11:00:00Z", "gpt-image-2", "default", 100, 0, 0, 0, 4_160, 0));
        StructType api = new StructType()
                .add(Cols.USAGE_DATE, DataTypes.DateType)
                .add(Cols.PROJECT_ID, DataTypes.StringType)
                .add(Cols.MODEL, DataTypes.StringType)
                .add(Cols.SOURCE, DataTypes.StringType)
                .add(Cols.API_REQUESTS, DataTypes.LongType)
                .add(Cols.API_IMAGES, DataTypes.LongType);
        Dataset<Row> usageApi = spark.createDataFrame(
                List.of(
                        RowFactory.create(
                                LocalDate.parse("2026-11-10"),
                                "proj_t",
                                "gpt-image-2-2026-04-21",
                                "image.generation",
                                1L,
                                1L),
                        RowFactory.create(
                                LocalDate.parse("2026-11-10"), "proj_t", "gpt-image-2", "image.generation", 1L, 1L),
                        RowFactory.create(
                                LocalDate.parse("2026-11-11"), "proj_t", "gpt-image-2", "image.generation", 4L, 4L),
                        RowFactory.create(
                                LocalDate.parse("2026-11-13"), "proj_t", "gpt-image-2", "image.generation", 2L, 2L)),
                api);
        Dataset<Row> quarantine = spark.createDataFrame(List.of(), OutputTable.QUARANTINE.sparkSchema());
        Map<String, Row> byDay = new HashMap<>();
        for (Row r : LogCoverage.of(requestCosts, quarantine, usageApi, NOV, UsageFormatOptions.defaults())
                .collectAsList()) {
            byDay.put(r.getAs(Cols.USAGE_DATE).toString(), r);
        }
        assertThat((String) byDay.get("2026-11-10").getAs("status")).isEqualTo(LogCoverage.COMPLETE);
        assertThat((Long) byDay.get("2026-11-10").getAs("logged_requests")).isEqualTo(2L);
        Row gap = byDay.get("2026-11-11");
        assertThat((String) gap.getAs("status")).isEqualTo(LogCoverage.GAP);
        assertThat((BigDecimal) gap.getAs("request_coverage_pct")).isEqualByComparingTo("25");
        assertThat((String) byDay.get("2026-11-12").getAs("status")).isEqualTo(LogCoverage.ONLY_LOGGED);
        assertThat((String) byDay.get("2026-11-13").getAs("status")).isEqualTo(LogCoverage.ONLY_API);
    }
}
