package io.assetcost.ops;

import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.IMAGES_REVIEWED;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.assetcost.run.PlainDecimal;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The shrink guard (README, "Exit codes"; docs/DESIGN.md, "Write, audit, publish"): a night whose staged
 * tables hold much less, for a day, than the published tables already hold for that same day is most often
 * a partial export (an upstream job that wrote half its files), not a change of the facts. Such a run must
 * not replace what is published.
 *
 * <p>Three measures, per day of the window (every day for a full run), each compared staged against
 * published: priced requests and their cost ({@code request_costs} by usage_date: a usage export that lost
 * records) and reviewed images ({@code asset_costs.images_reviewed} by cohort_date: acceptance records that
 * vanished for cohorts already reviewed). A day shrank when its staged figure is below
 * {@code share x published}; a day with nothing published never shrank. Counts and USD are exact (the cost is
 * the sum of decimal(38,12) costs, compared as {@link BigDecimal}).
 */
public final class ShrinkGuard {

    /** Measure: priced requests of a usage_date (rows of request_costs). */
    public static final String PRICED_REQUESTS = "priced requests";
    /** Measure: cost of a usage_date's priced requests, USD. */
    public static final String PRICED_COST_USD = "priced cost USD";
    /** Measure: reviewed images of a cohort_date's assets. */
    public static final String REVIEWED_IMAGES = "reviewed images";

    private static final String MEASURE = "_measure";
    private static final String DAY = "_day";
    private static final String VALUE = "_value";
    private static final String SIDE = "_side";

    private ShrinkGuard() {}

    /**
     * One day whose staged figure fell below the share of the published one. Written by Jackson as one of a
     * summary's {@code shrink_guard.days_shrunk}: the day under the name of its partition column (usage_date or
     * cohort_date, the other key absent), then the measure and both figures as exact decimal strings.
     *
     * @param dateColumn the partition column that names the day (usage_date, cohort_date)
     * @param day the day (UTC)
     * @param measure {@link #PRICED_REQUESTS}, {@link #PRICED_COST_USD} or {@link #REVIEWED_IMAGES}
     * @param staged the staged figure (a count, or USD)
     * @param published the published figure
     */
    @JsonPropertyOrder({USAGE_DATE, COHORT_DATE, "measure", "staged", "published"})
    public record Shrunk(
            @JsonIgnore String dateColumn,
            @JsonIgnore LocalDate day,
            @JsonProperty("measure") String measure,

            @JsonProperty("staged") @JsonSerialize(using = PlainDecimal.class)
            BigDecimal staged,

            @JsonProperty("published") @JsonSerialize(using = PlainDecimal.class)
            BigDecimal published) {

        /** One phrase, e.g. {@code usage_date 2026-11-14: priced requests 3 staged vs 41 published}. */
        public String describe() {
            return dateColumn + " " + day + ": " + measure + " " + staged.toPlainString() + " staged vs "
                    + published.toPlainString() + " published";
        }

        /** The day (ISO date) when it is a usage_date, else null (and then absent from the JSON). */
        @JsonProperty(USAGE_DATE)
        @JsonInclude(JsonInclude.Include.NON_NULL)
        String usageDate() {
            return USAGE_DATE.equals(dateColumn) ? day.toString() : null;
        }

        /** The day (ISO date) when it is a cohort_date, else null (and then absent from the JSON). */
        @JsonProperty(COHORT_DATE)
        @JsonInclude(JsonInclude.Include.NON_NULL)
        String cohortDate() {
            return COHORT_DATE.equals(dateColumn) ? day.toString() : null;
        }
    }

    /**
     * Compares staged and published tables day by day (one Spark query).
     *
     * @param stagedRequests the run's staged request_costs (usage_date, cost_usd)
     * @param publishedRequests the published request_costs, already limited to the days the run replaces
     * @param stagedAssets the run's staged asset_costs (cohort_date, images_reviewed)
     * @param publishedAssets the published asset_costs, already limited to the days the run replaces
     * @param share the least share of a published figure a staged figure may keep (0 turns the guard off)
     * @return the days that shrank, by measure then day; empty when none did
     */
    public static List<Shrunk> check(
            Dataset<Row> stagedRequests,
            Dataset<Row> publishedRequests,
            Dataset<Row> stagedAssets,
            Dataset<Row> publishedAssets,
            BigDecimal share) {
        if (share.signum() == 0) {
            return List.of();
        }
        Dataset<Row> figures = requests(stagedRequests, "staged")
                .unionByName(requests(publishedRequests, "published"))
                .unionByName(assets(stagedAssets, "staged"))
                .unionByName(assets(publishedAssets, "published"));
        // measure -> day -> {staged, published}
        Map<String, Map<LocalDate, BigDecimal[]>> byMeasure = new TreeMap<>();
        for (Row r : figures.collectAsList()) {
            BigDecimal[] pair = byMeasure
                    .computeIfAbsent(r.getString(0), k -> new TreeMap<>())
                    .computeIfAbsent(r.getLocalDate(1), k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            BigDecimal value = r.isNullAt(2) ? BigDecimal.ZERO : r.getDecimal(2);
            // Counts read as whole numbers; USD keeps the table's scale.
            pair["staged".equals(r.getString(3)) ? 0 : 1] =
                    PRICED_COST_USD.equals(r.getString(0)) ? value : value.setScale(0, RoundingMode.UNNECESSARY);
        }
        List<Shrunk> shrunk = new ArrayList<>();
        for (Map.Entry<String, Map<LocalDate, BigDecimal[]>> m : byMeasure.entrySet()) {
            String column = REVIEWED_IMAGES.equals(m.getKey()) ? COHORT_DATE : USAGE_DATE;
            for (Map.Entry<LocalDate, BigDecimal[]> d : m.getValue().entrySet()) {
                BigDecimal staged = d.getValue()[0];
                BigDecimal published = d.getValue()[1];
                if (published.signum() > 0 && staged.compareTo(published.multiply(share)) < 0) {
                    shrunk.add(new Shrunk(column, d.getKey(), m.getKey(), staged, published));
                }
            }
        }
        return shrunk;
    }

    /** Priced requests and their cost per usage_date. */
    private static Dataset<Row> requests(Dataset<Row> requestCosts, String side) {
        Dataset<Row> perDay = requestCosts
                .groupBy(col(USAGE_DATE).as(DAY))
                .agg(count(lit(1)).as("n"), sum(COST_USD).as("usd"));
        return figure(perDay, PRICED_REQUESTS, col("n"), side)
                .unionByName(figure(perDay, PRICED_COST_USD, col("usd"), side));
    }

    /** Reviewed images per cohort_date. */
    private static Dataset<Row> assets(Dataset<Row> assetCosts, String side) {
        Dataset<Row> perDay = assetCosts
                .groupBy(col(COHORT_DATE).as(DAY))
                .agg(sum(IMAGES_REVIEWED).as("n"));
        return figure(perDay, REVIEWED_IMAGES, col("n"), side);
    }

    private static Dataset<Row> figure(Dataset<Row> perDay, String measure, Column value, String side) {
        Column exact = value.cast(DataTypes.createDecimalType(38, 12));
        return perDay.select(
                lit(measure).as(MEASURE), col(DAY), exact.as(VALUE), lit(side).as(SIDE));
    }
}
