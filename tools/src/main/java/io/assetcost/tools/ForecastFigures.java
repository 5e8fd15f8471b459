package io.assetcost.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Checks the headline figures of {@code forecast.html}, as read from the rendered page by
 * {@code scripts/browser/check-report.mjs}, the sibling of {@link ReportFigures} for the forecast. The finals,
 * the expected cost and the budget are recomputed here from the plan CSV and the cost job's {@code asset_costs}
 * with this class's own Spark SQL and arithmetic (README, "The forecast worksheet": a workflow with at least
 * {@code --min-approvals} approvals in the window is priced at finals x resolved cost / approvals, else at finals x
 * 1.8 x all workflows' resolved cost / images; the budget is that x (1 + buffer); each row's figure one quotient
 * rounded half-even to 12 places), not with the forecast's code. The P90 total, the rows flagged and the highest
 * tier needed are summed from the published {@code forecast} table. The plan, the tables, the window, the buffer
 * and the minimum come from the run's {@code forecast_summary.json}.
 *
 * <p>Usage: {@code ForecastFigures FIGURES.json FORECAST_DIR}; exits 0 when every figure agrees to the last decimal,
 * 1 with one line per difference.
 */
public final class ForecastFigures {

    private static final BigDecimal PLANNING_FACTOR = new BigDecimal("1.8");

    private ForecastFigures() {}

    /**
     * Compares.
     *
     * @param args the figures file and the forecast's output directory
     * @throws IOException when the figures, the summary or the plan cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ForecastFigures FIGURES.json FORECAST_DIR");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode page = json.readTree(new File(args[0]));
        JsonNode summary =
                json.readTree(Path.of(args[1], "forecast_summary.json").toFile());
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .appName("forecast-figures")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
                .getOrCreate();
        Map<String, String> expected;
        try {
            expected = expected(spark, summary, args[1]);
        } finally {
            spark.stop();
        }
        System.exit(ReportFigures.compare(args[0], page, expected) == 0 ? 0 : 1);
    }

    private static Map<String, String> expected(SparkSession spark, JsonNode summary, String dir) throws IOException {
        JsonNode options = summary.path("options");
        String from = summary.path("window_from").asText();
        String to = summary.path("as_of").asText();
        BigDecimal onePlusBuffer =
                BigDecimal.ONE.add(new BigDecimal(options.path("buffer").asText()));
        long minApprovals = options.path("min_approvals").asLong();
        spark.read().parquet(options.path("tables").asText() + "/asset_costs").createOrReplaceTempView("asset_costs");
        Map<String, Row> byWorkflow = new HashMap<>();
        for (Row r : spark.sql("SELECT workflow_id, count_if(status = 'approved'), sum(images_generated),"
                        + " sum(total_cost_usd) FROM asset_costs WHERE status <> 'pending' AND cohort_date BETWEEN"
                        + " DATE '" + from + "' AND DATE '" + to + "' GROUP BY workflow_id")
                .collectAsList()) {
            byWorkflow.put(r.getString(0), r);
        }
        BigDecimal allImages = BigDecimal.ZERO;
        BigDecimal allCost = BigDecimal.ZERO;
        for (Row r : byWorkflow.values()) {
            allImages = allImages.add(BigDecimal.valueOf(r.getLong(2)));
            allCost = allCost.add(r.getDecimal(3));
        }
        long finals = 0;
        BigDecimal expectedCost = BigDecimal.ZERO;
        BigDecimal budget = BigDecimal.ZERO;
        try (Reader in = Files.newBufferedReader(Path.of(options.path("plan").asText()), StandardCharsets.UTF_8)) {
            for (CSVRecord p : CSVFormat.RFC4180
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(in)) {
                BigDecimal n = new BigDecimal(p.get("finals").strip());
                finals += n.longValueExact();
                Row r = byWorkflow.get(p.get("workflow_id"));
                boolean measured = r != null && r.getLong(1) >= minApprovals;
                BigDecimal cost = measured
                        ? n.multiply(r.getDecimal(3))
                        : n.multiply(PLANNING_FACTOR).multiply(allCost);
                BigDecimal per = measured ? BigDecimal.valueOf(r.getLong(1)) : allImages;
                expectedCost = expectedCost.add(cost.divide(per, 12, RoundingMode.HALF_EVEN));
                budget = budget.add(cost.multiply(onePlusBuffer).divide(per, 12, RoundingMode.HALF_EVEN));
            }
        }
        spark.read().parquet(dir + "/forecast").createOrReplaceTempView("forecast");
        Row f = spark.sql("SELECT coalesce(sum(high_usd), 0), count(flags), max(tier_needed) FROM forecast")
                .first();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("finals", Long.toString(finals));
        m.put("expected_cost_usd", expectedCost.toPlainString());
        m.put("budget_usd", budget.toPlainString());
        m.put("p90_cost_usd", new BigDecimal(f.get(0).toString()).toPlainString());
        m.put("rows_flagged", Long.toString(f.getLong(1)));
        m.put("highest_tier_needed", f.isNullAt(2) ? null : Integer.toString(f.getInt(2)));
        return m;
    }
}
