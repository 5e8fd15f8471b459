package io.assetcost.forecast;

import static io.assetcost.schema.Cols.ASSET_ID;
import static io.assetcost.schema.Cols.COHORT_DATE;
import static io.assetcost.schema.Cols.IMAGES_GENERATED;
import static io.assetcost.schema.Cols.N;
import static io.assetcost.schema.Cols.PENDING;
import static io.assetcost.schema.Cols.RATE_MODEL;
import static io.assetcost.schema.Cols.STATUS;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WORKFLOW_ID;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.planning.PlanCheck;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.Meter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the forecast's checks ({@link PlanCheck}) need from the cost job's published tables, collected on the
 * driver (a few rows per workflow and model): the workflows the tables know, the cohort days each occupies in
 * the window (every status: a day of pending assets is a day of data), and what each workflow's resolved assets
 * of the window asked of each model (images requested, images generated, tokens of every meter).
 */
final class CheckInputs {

    private CheckInputs() {}

    /**
     * Measures the checks' context.
     *
     * @param assets asset_costs (its contract's columns)
     * @param requests request_costs (its contract's columns)
     * @param from first cohort date of the window
     * @param asOf last cohort date of the window
     * @param card the rate-limit card
     * @param accountTier {@code --account-tier}, or null
     * @param minApprovals {@code --min-approvals}
     */
    static PlanCheck.Context measure(
            Dataset<Row> assets,
            Dataset<Row> requests,
            LocalDate from,
            LocalDate asOf,
            RateLimitCard card,
            Integer accountTier,
            int minApprovals) {
        Column inWindow = col(COHORT_DATE)
                .between(lit(from.toString()).cast("date"), lit(asOf.toString()).cast("date"));
        Set<String> known = new TreeSet<>();
        Map<String, PlanCheck.Coverage> coverage = new TreeMap<>();
        LocalDate first = null;
        LocalDate last = null;
        for (Row r : assets.groupBy(WORKFLOW_ID)
                .agg(min(when(inWindow, col(COHORT_DATE))), max(when(inWindow, col(COHORT_DATE))))
                .collectAsList()) {
            known.add(r.getString(0));
            LocalDate f = r.getAs(1);
            LocalDate t = r.getAs(2);
            coverage.put(r.getString(0), new PlanCheck.Coverage(f, t));
            first = f == null || (first != null && first.isBefore(f)) ? first : f;
            last = t == null || (last != null && last.isAfter(t)) ? last : t;
        }
        return new PlanCheck.Context(
                known,
                coverage,
                new PlanCheck.Coverage(first, last),
                use(assets.filter(inWindow.and(col(STATUS).notEqual(PENDING))), requests, from),
                card,
                accountTier,
                minApprovals);
    }

    /** Per workflow and rate model, over the requests of the window's resolved assets. */
    private static Map<String, List<PlanCheck.ModelUse>> use(
            Dataset<Row> resolved, Dataset<Row> requests, LocalDate from) {
        Column tokens = null;
        for (Meter m : Meter.values()) {
            Column t = coalesce(col(m.tokensColumn()), lit(0L));
            tokens = tokens == null ? t : tokens.plus(t);
        }
        // An asset's requests are on or after its cohort date (its first request's), so usage partitions
        // before the window hold none of them.
        Dataset<Row> rows = requests.filter(
                        col(USAGE_DATE).geq(lit(from.toString()).cast("date")))
                .select(
                        col(WORKFLOW_ID),
                        col(ASSET_ID),
                        col(RATE_MODEL),
                        col(N),
                        col(IMAGES_GENERATED),
                        tokens.as("_tokens"))
                .join(resolved.select(WORKFLOW_ID, ASSET_ID), new String[] {WORKFLOW_ID, ASSET_ID}, "left_semi")
                .groupBy(WORKFLOW_ID, RATE_MODEL)
                .agg(sum(col(N).cast("long")), sum(col(IMAGES_GENERATED).cast("long")), sum(col("_tokens")));
        Map<String, List<PlanCheck.ModelUse>> out = new TreeMap<>();
        for (Row r : rows.collectAsList()) {
            out.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                    .add(new PlanCheck.ModelUse(
                            r.getString(1),
                            r.isNullAt(2) ? 0 : r.getLong(2),
                            r.isNullAt(3) ? 0 : r.getLong(3),
                            r.isNullAt(4) ? 0 : r.getLong(4)));
        }
        out.values().forEach(l -> l.sort(java.util.Comparator.comparing(PlanCheck.ModelUse::model)));
        return out;
    }
}
