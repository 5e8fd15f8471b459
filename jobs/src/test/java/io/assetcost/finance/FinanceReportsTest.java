package io.assetcost.finance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.SparkTestBase;
import io.assetcost.TestCsv;
import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.pricing.Priced;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.UsageValidation;
import io.assetcost.run.InputException;
import io.assetcost.schema.Cols;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The month close on small in-memory inputs. */
class FinanceReportsTest extends SparkTestBase {

    private static final YearMonth NOV = YearMonth.of(2026, 11);
    private static final DecimalType USD = RequestPricing.USD;
    private static final StructType COMPUTED = new StructType()
            .add(Cols.USAGE_DATE, DataTypes.DateType)
            .add(Cols.PROJECT_ID, DataTypes.StringType)
            .add(Cols.COST_USD, USD);
    private static final StructType BILLED = new StructType()
            .add(Cols.USAGE_DATE, DataTypes.DateType)
            .add(Cols.PROJECT_ID, DataTypes.StringType)
            .add(Cols.AMOUNT_USD, USD);

    private static Row row(String day, String project, String amount) {
        return RowFactory.create(LocalDate.parse(day), project, new BigDecimal(amount).setScale(12));
    }

    private static Map<String, Row> reconcile(List<Row> computed, List<Row> billed) {
        Dataset<Row> out = FinanceReports.reconcile(
                spark.createDataFrame(computed, COMPUTED),
                spark.createDataFrame(billed, BILLED),
                NOV,
                new BigDecimal("0.01"),
                new BigDecimal("0.5"));
        Map<String, Row> byKey = new HashMap<>();
        for (Row r : out.collectAsList()) {
            byKey.put(r.getAs("grain") + "|" + r.getAs(Cols.USAGE_DATE) + "|" + r.getAs(Cols.PROJECT_ID), r);
        }
        return byKey;
    }

    private static String status(Map<String, Row> rows, String day, String project) {
        Row r = rows.get("day|" + day + "|" + project);
        assertThat(r).as(day + " " + project).isNotNull();
        return r.getAs("status");
    }

    @Test
    void everyStatusAndBothToleranceEdges() {
        Map<String, Row> rows = reconcile(
                List.of(
                        row("2026-11-02", "usd_edge", "10.00"),
                        row("2026-11-02", "beyond", "1.00"),
                        row("2026-11-02", "pct_edge", "100.50"),
                        row("2026-11-02", "pct_over", "100.51"),
                        row("2026-11-02", "no_bill", "5"),
                        row("2026-11-02", null, "2.00"),
                        row("2026-10-31", "other_month", "9")),
                List.of(
                        row("2026-11-02", "usd_edge", "10.01"),
                        row("2026-11-02", "beyond", "1.02"),
                        row("2026-11-02", "pct_edge", "100"),
                        row("2026-11-02", "pct_over", "100"),
                        row("2026-11-02", "no_usage", "3"),
                        row("2026-11-02", null, "2.00")));
        assertThat(status(rows, "2026-11-02", "usd_edge"))
                .as("|diff| = 0.01 is inside")
                .isEqualTo("match");
        assertThat(status(rows, "2026-11-02", "beyond")).isEqualTo("under");
        assertThat(status(rows, "2026-11-02", "pct_edge"))
                .as("0.5% exactly is inside")
                .isEqualTo("match");
        assertThat(status(rows, "2026-11-02", "pct_over")).isEqualTo("over");
        assertThat(status(rows, "2026-11-02", "no_bill")).isEqualTo("only_computed");
        assertThat(status(rows, "2026-11-02", "no_usage")).isEqualTo("only_billed");
        assertThat(status(rows, "2026-11-02", null))
                .as("null projects meet null-safely")
                .isEqualTo("match");
        assertThat(rows.keySet()).noneMatch(k -> k.contains("other_month"));
        Row pct = rows.get("day|2026-11-02|pct_over");
        assertThat((BigDecimal) pct.getAs("difference_usd")).isEqualByComparingTo("0.51");
        assertThat((BigDecimal) pct.getAs("difference_pct")).isEqualByComparingTo("0.51");
        assertThat((BigDecimal) rows.get("day|2026-11-02|no_bill").getAs("difference_pct"))
                .isNull();
        assertThat((String) rows.get("month|null|no_usage").getAs("status")).isEqualTo("only_billed");
    }

    @Test
    void monthTotalsAreSumsOfExactDaysAndRoundHalfEvenOnlyWhenPresented() throws Exception {
        List<Row> computed = List.of(
                row("2026-11-02", "p", "0.005"), row("2026-11-03", "p", "0.005"), row("2026-11-04", "p", "0.005"));
        Dataset<Row> out = FinanceReports.reconcile(
                spark.createDataFrame(computed, COMPUTED),
                spark.createDataFrame(List.of(row("2026-11-02", "p", "0.01")), BILLED),
                NOV,
                new BigDecimal("0.01"),
                new BigDecimal("0.5"));
        Row month = out.filter("grain = 'month'").first();
        assertThat((BigDecimal) month.getAs("computed_cost_usd")).isEqualTo(new BigDecimal("0.015000000000"));
        Path csv = tempDir("cents").resolve("r.csv");
        OutputWriter.csv(
                ReconcilePipeline.presentCents(out.orderBy("grain", "usage_date")),
                spark.sparkContext().hadoopConfiguration(),
                csv.toString());
        List<CSVRecord> records = TestCsv.records(csv);
        // Each day presents 0.005 half-even as 0.00; the month presents its exact 0.015 as 0.02, not 0.00.
        assertThat(records)
                .filteredOn(r -> r.get("grain").equals("day"))
                .allSatisfy(r -> assertThat(r.get("computed_cost_usd")).isEqualTo("0.00"));
        assertThat(records)
                .filteredOn(r -> r.get("grain").equals("month"))
                .singleElement()
                .satisfies(r -> assertThat(r.get("computed_cost_usd")).isEqualTo("0.02"));
    }

    @Test
    void overlappingPagesCountOnceAndBadResultsAreQuarantinedWithAReason() throws Exception {
        Path dir = tempDir("costs");
        long d1 = Instant.parse("2026-11-02T00:00:00Z").getEpochSecond();
        long d2 = d1 + 86_400;
        String r = "{\"object\":\"organization.costs.result\",\"amount\":{\"value\":%s,\"currency\":\"%s\"},"
                + "\"line_item\":\"%s\",\"project_id\":\"%s\"}";
        String bucket = "{\"object\":\"bucket\",\"start_time\":%s,\"end_time\":%s,\"results\":[%s]}";
        String page = "{\"object\":\"page\",\"data\":[%s],\"has_more\":false,\"next_page\":null}";
        String day1 = String.format(
                bucket,
                d1,
                d2,
                String.format(r, "1.25", "usd", "gpt-image-2, images", "p") + ","
                        + String.format(r, "0.5", "usd", "gpt-image-1-mini, images", "p"));
        Files.writeString(dir.resolve("page-1.json"), String.format(page, day1));
        Files.writeString(
                dir.resolve("page-2.json"),
                String.format(
                        page,
                        String.join(
                                ",",
                                day1,
                                String.format(
                                        bucket,
                                        d2,
                                        d2 + 86_400,
                                        String.format(r, "0.75", "usd", "gpt-image-2, images", "p") + ","
                                                + String.format(r, "9", "eur", "gpt-image-2, images", "q")),
                                String.format(
                                        bucket,
                                        "null",
                                        "null",
                                        String.format(r, "1", "usd", "gpt-image-2, images", "p")),
                                String.format(
                                        bucket,
                                        d1,
                                        d1 + 2 * 86_400,
                                        String.format(r, "1", "usd", "gpt-image-2, images", "p")))));
        Files.writeString(
                dir.resolve("page-3.json"),
                String.format(
                        page,
                        String.format(
                                bucket, d2, d2 + 86_400, String.format(r, "0.80", "usd", "gpt-image-2, images", "p"))));
        CostsReader.Result res = CostsReader.read(
                spark,
                InputFiles.list(
                        spark.sparkContext().hadoopConfiguration(),
                        "--costs",
                        dir.toString(),
                        List.of(InputFiles.Kind.JSON_LINES)));
        assertThat(res.pages()).isEqualTo(3);
        assertThat(res.results().count()).as("day 1's two results, once").isEqualTo(2);
        assertThat(res.duplicatesDropped().count()).isEqualTo(2);
        List<String> reasons = new ArrayList<>();
        for (Row q : res.quarantined().collectAsList()) {
            reasons.add(q.getAs(Cols.PARSE_REASON));
        }
        assertThat(reasons)
                .containsExactlyInAnyOrder(
                        "non_usd_currency",
                        "bucket_without_times",
                        "bucket_not_a_day",
                        "conflicting_bucket",
                        "conflicting_bucket");
        assertThat(res.read().count())
                .isEqualTo(res.results().count()
                        + res.quarantined().count()
                        + res.duplicatesDropped().count());

        Files.writeString(dir.resolve("page-4.json"), "<html>502 Bad Gateway</html>");
        assertThatThrownBy(() -> CostsReader.read(
                        spark,
                        InputFiles.list(
                                spark.sparkContext().hadoopConfiguration(),
                                "--costs",
                                dir.toString(),
                                List.of(InputFiles.Kind.JSON_LINES))))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("page-4.json")
                .hasMessageContaining("is not a Costs API page");
    }

    @Test
    void lineItemsMapToModelsMostSpecificFirstAndTheMappingCanBeReplaced() {
        LineItemMapping defaults =
                ReconcilePipeline.loadMapping(spark.sparkContext().hadoopConfiguration(), null);
        assertThat(defaults.modelOf("gpt-image-2")).isEqualTo("gpt-image-2");
        assertThat(defaults.modelOf("gpt-image-2-2026-04-21, output")).isEqualTo("gpt-image-2");
        assertThat(defaults.modelOf("gpt-image-1-mini, images")).isEqualTo("gpt-image-1-mini");
        assertThat(defaults.modelOf("gpt-image-1, input")).isEqualTo("gpt-image-1");
        assertThat(defaults.modelOf("gpt-image-1.5 (batch)")).isEqualTo("gpt-image-1.5");
        assertThat(defaults.modelOf("gpt-image-10")).isNull();
        assertThat(defaults.modelOf("gpt-4.1-mini, input")).isNull();
        assertThat(defaults.modelOf((String) null)).isNull();
        // Line items naming model and meter, as real exports do, map to both; the model-only form to the model.
        Dataset<Row> metered = spark.createDataFrame(
                        List.of(
                                RowFactory.create("gpt-image-2 image, output"),
                                RowFactory.create("gpt-image-2-2026-04-21 text, input"),
                                RowFactory.create("gpt-image-1 image, output"),
                                RowFactory.create("gpt-image-1-mini cached image, input"),
                                RowFactory.create("gpt-image-2, images")),
                        new StructType().add("line_item", DataTypes.StringType))
                .select(
                        defaults.modelOf(org.apache.spark.sql.functions.col("line_item")),
                        defaults.meterOf(org.apache.spark.sql.functions.col("line_item")));
        assertThat(metered.collectAsList())
                .extracting(r -> r.getString(0) + "/" + r.getString(1))
                .containsExactly(
                        "gpt-image-2/image_output",
                        "gpt-image-2/text_input",
                        "gpt-image-1/image_output",
                        "gpt-image-1-mini/cached_image_input",
                        "gpt-image-2/null");
        assertThatThrownBy(() -> LineItemMapping.fromCsv(
                        new StringReader("pattern,model,meter\n\"x\",m,image_outptu\n"), "typo.csv"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("typo.csv line 2")
                .hasMessageContaining("image_outptu");
        LineItemMapping custom = LineItemMapping.fromCsv(
                new StringReader("pattern,model\n\"Image models.*\",gpt-image-2\n"), "custom.csv");
        assertThat(custom.modelOf("Image models")).isEqualTo("gpt-image-2");
        Dataset<Row> items = spark.createDataFrame(
                List.of(RowFactory.create("Image models"), RowFactory.create("x")),
                new StructType().add("line_item", DataTypes.StringType));
        assertThat(items.select(custom.modelOf(items.col("line_item"))).collectAsList())
                .extracting(x -> x.getString(0))
                .containsExactly("gpt-image-2", null);
        assertThatThrownBy(() -> LineItemMapping.fromCsv(new StringReader("pattern,model\n\"([\",m\n"), "bad.csv"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("bad.csv line 2");
    }

    @Test
    void aRateChangeInsideTheMonthGivesTwoRowsNotAnAverage() {
        RateCard card = RateCard.fromCsv(new StringReader("""
        model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to
        m,default,image_output,30,2026-01-01,2026-11-15
        m,default,image_output,20,2026-11-15,
        """), "change.csv");
        Dataset<Row> costs = Schemas.conform(
                Priced.of(
                                UsageValidation.validate(usageLines(
                                                line(
                                                        "a",
                                                        "2026-11-10T00:00:00Z",
                                                        "m",
                                                        "default",
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        1_000_000,
                                                        0),
                                                line(
                                                        "b",
                                                        "2026-11-20T00:00:00Z",
                                                        "m",
                                                        "default",
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        1_000_000,
                                                        0),
                                                line(
                                                        "c",
                                                        "2026-11-21T00:00:00Z",
                                                        "m",
                                                        "default",
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        500_000,
                                                        0),
                                                line(
                                                        "dec",
                                                        "2026-12-01T00:00:00Z",
                                                        "m",
                                                        "default",
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        1_000_000,
                                                        0)))
                                        .accepted(),
                                card)
                        .priced(),
                OutputTable.REQUEST_COSTS.tableName());
        List<Row> spend = FinanceReports.monthlySpend(FinanceReports.meterRows(costs, NOV), NOV)
                .orderBy("usd_per_1m_tokens")
                .collectAsList();
        assertThat(spend).hasSize(2);
        assertThat((BigDecimal) spend.get(0).getAs("usd_per_1m_tokens")).isEqualByComparingTo("20");
        assertThat((Long) spend.get(0).getAs("tokens")).isEqualTo(1_500_000L);
        assertThat((Long) spend.get(0).getAs("requests")).isEqualTo(2L);
        assertThat((BigDecimal) spend.get(0).getAs(Cols.COST_USD)).isEqualByComparingTo("30");
        assertThat((BigDecimal) spend.get(1).getAs("usd_per_1m_tokens")).isEqualByComparingTo("30");
        assertThat((BigDecimal) spend.get(1).getAs(Cols.COST_USD)).isEqualByComparingTo("30");
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAreNeutralisedAndNumbersStayNumbers() throws Exception {
        StructType schema = new StructType()
                .add("workflow_id", DataTypes.StringType)
                .add("difference_usd", USD)
                .add("n", DataTypes.LongType);
        List<Row> rows = List.of(
                RowFactory.create(
                        "=HYPERLINK(\"http://x.invalid\",\"click\")", new BigDecimal("-0.03").setScale(12), -5L),
                RowFactory.create("+1+2", BigDecimal.ZERO.setScale(12), 0L),
                RowFactory.create("-2+3", BigDecimal.ONE.setScale(12), 1L),
                RowFactory.create("@SUM(A1)", BigDecimal.ONE.setScale(12), 1L),
                RowFactory.create("\tcmd", BigDecimal.ONE.setScale(12), 1L),
                RowFactory.create("\rcmd", BigDecimal.ONE.setScale(12), 1L),
                RowFactory.create("ugc-hooks", BigDecimal.ONE.setScale(12), 1L));
        Path file = tempDir("hostile").resolve("h.csv");
        OutputWriter.csv(
                spark.createDataFrame(rows, schema), spark.sparkContext().hadoopConfiguration(), file.toString());
        List<CSVRecord> back = TestCsv.records(file);
        assertThat(back)
                .extracting(r -> r.get("workflow_id"))
                .containsExactly(
                        "'=HYPERLINK(\"http://x.invalid\",\"click\")",
                        "'+1+2",
                        "'-2+3",
                        "'@SUM(A1)",
                        "'\tcmd",
                        "'\rcmd",
                        "ugc-hooks");
        assertThat(back.get(0).get("difference_usd")).isEqualTo("-0.030000000000");
        assertThat(back.get(0).get("n")).isEqualTo("-5");
    }
}
