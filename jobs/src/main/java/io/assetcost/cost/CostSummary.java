package io.assetcost.cost;

import static io.assetcost.schema.Cols.ASSETS;
import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DETAIL;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.DIRECT_COST_USD;
import static io.assetcost.schema.Cols.GATEWAY_COST_USD;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PENDING_COST_USD;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.REQUESTS_DIFFERING;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WASTE_COST_USD;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.ops.RunWindow;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.RateCard;
import io.assetcost.quality.Quarantine;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputCounts;
import io.assetcost.run.RunSummary;
import io.assetcost.schema.OutputTable;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The blocks of the cost job's {@code run_summary.json} (README, "run_summary.json"), and the reads of
 * published tables they need. Money is written as exact decimal strings.
 */
final class CostSummary {

    /** The money totals of the summary, in order, each the sum of the asset_costs column of that name. */
    private static final List<String> MONEY =
            List.of(TOTAL_COST_USD, DIRECT_COST_USD, WASTE_COST_USD, PENDING_COST_USD, CACHE_SAVINGS_USD);

    private CostSummary() {}

    /** {@code window}: mode, run date, lookback, first cohort, files read. */
    static Map<String, Object> window(
            RunWindow window, Map<InputFiles.Kind, List<String>> usageFiles, List<String> acceptanceFiles) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", window.full() ? "full" : "nightly");
        m.put("run_date", window.runDate() == null ? null : window.runDate().toString());
        m.put("lookback_days", window.lookbackDays());
        m.put("cohorts_from", window.first() == null ? null : window.first().toString());
        m.put(
                "usage_files_read",
                usageFiles.values().stream().mapToInt(List::size).sum());
        m.put("acceptance_files_read", acceptanceFiles.size());
        return m;
    }

    /** {@code options}: the options as given (the rate card's source when none). */
    static Map<String, Object> options(CostJobOptions options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usage", options.usage);
        m.put("acceptance", options.acceptance);
        m.put("rates", options.rates == null ? "embedded default" : options.rates);
        m.put("out", options.out);
        m.put("max_quarantined_fraction", options.maxQuarantinedFraction.toPlainString());
        m.put("full", options.full);
        m.put("run_date", options.runDate);
        m.put("lookback_days", options.lookbackDays);
        m.put("on_unreadable_file", options.onUnreadableFile);
        m.put("max_tokens_per_meter", options.maxTokensPerMeter);
        m.put("max_images_per_request", options.maxImagesPerRequest);
        m.put("max_request_cost_usd", options.maxRequestCostUsd.toPlainString());
        m.put("rate_limits", options.rateLimits == null ? "embedded default" : options.rateLimits);
        m.put("account_tier", options.accountTier);
        m.put("attempt_cap", options.attemptCap);
        return m;
    }

    /**
     * {@code inputs}: usage, acceptance (with what was set aside, skipped and what came late) and the rate
     * card.
     */
    static Map<String, Object> inputs(
            InputCounts usage,
            Map<String, Long> usageReasons,
            InputCounts acceptance,
            Map<String, Long> acceptanceReasons,
            long decidedAfter,
            long onFrozen,
            long lateDecisions,
            long lateUsage,
            Map<String, Long> unparsedTailLines,
            RateCard card,
            RateLimitCard rateLimits) {
        Map<String, Object> u = RunSummary.input(usage, "priced", usageReasons);
        u.put("blank_lines_skipped", usage.skipped());
        u.put("created_after_run_date", usage.setAside());
        u.put("late_usage_of_frozen_cohorts", lateUsage);
        u.put("lines_in_unparsed_csv_tails", unparsedTailLines.getOrDefault(Quarantine.USAGE, 0L));
        Map<String, Object> a = RunSummary.input(acceptance, "decisions_used", acceptanceReasons);
        a.put("decided_after_run_date", decidedAfter);
        a.put("on_requests_of_frozen_cohorts", onFrozen);
        a.put("late_decisions_on_frozen_cohorts", lateDecisions);
        a.put("lines_in_unparsed_csv_tails", unparsedTailLines.getOrDefault(Quarantine.ACCEPTANCE, 0L));
        Map<String, Object> rateCard = new LinkedHashMap<>();
        rateCard.put("source", card.description());
        rateCard.put("rows", card.rates().size());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usage", u);
        m.put("acceptance", a);
        m.put("rate_card", rateCard);
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("source", rateLimits.description());
        limits.put("rows", rateLimits.limits().size());
        m.put("rate_limit_card", limits);
        return m;
    }

    /** {@code totals}: assets, requests and the money totals over the run's asset_costs (USD, exact). */
    static Map<String, Object> totals(Dataset<Row> assetCosts) {
        Column[] aggs = new Column[MONEY.size() + 2];
        aggs[0] = count(lit(1));
        aggs[1] = sum(REQUESTS);
        for (int i = 0; i < MONEY.size(); i++) {
            aggs[i + 2] = sum(MONEY.get(i));
        }
        Row t = assetCosts
                .agg(aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length))
                .first();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(ASSETS, t.getLong(0));
        m.put(REQUESTS, t.isNullAt(1) ? 0L : t.getLong(1));
        for (int i = 0; i < MONEY.size(); i++) {
            BigDecimal v = t.isNullAt(i + 2) ? BigDecimal.ZERO.setScale(12) : t.getDecimal(i + 2);
            m.put(MONEY.get(i), v.toPlainString());
        }
        return m;
    }

    /**
     * {@code gateway_costs}: the run's requests whose input carried the gateway's own cost, per usage_date and
     * model ({@link io.assetcost.report.Reports#gatewayCosts}): dates as ISO strings, counts as numbers, USD as
     * exact decimal strings. Null when the usage format carries no gateway cost (the job's own shapes, OpenAI
     * Batch files), so the scan is not made.
     *
     * @param requestCosts the run's request_costs
     * @param format the run's usage format
     * @return one map per day and model, or null
     */
    static List<Map<String, Object>> gatewayCosts(Dataset<Row> requestCosts, io.assetcost.io.UsageFormat format) {
        if (!format.carriesGatewayCost()) {
            return null;
        }
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (Row r : io.assetcost.report.Reports.gatewayCosts(requestCosts).collectAsList()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(USAGE_DATE, r.getAs(USAGE_DATE).toString());
            m.put(MODEL, r.getAs(MODEL));
            m.put(REQUESTS, r.<Long>getAs(REQUESTS));
            m.put(COST_USD, r.<BigDecimal>getAs(COST_USD).toPlainString());
            m.put(GATEWAY_COST_USD, r.<BigDecimal>getAs(GATEWAY_COST_USD).toPlainString());
            m.put(DIFFERENCE_USD, r.<BigDecimal>getAs(DIFFERENCE_USD).toPlainString());
            m.put(REQUESTS_DIFFERING, r.<Long>getAs(REQUESTS_DIFFERING));
            rows.add(m);
        }
        return rows;
    }

    /** {@code unreadable_files}: each file left out, with its input and what is wrong with it. */
    static List<Map<String, Object>> unreadable(List<FileGuard.Unreadable> files) {
        return files.stream()
                .map(f -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("input", f.option());
                    m.put("file", f.file());
                    m.put("reason", f.reason());
                    return m;
                })
                .toList();
    }

    /** Quarantine rows (contract quarantine) of the files left out: source file, reason unreadable_file. */
    static Dataset<Row> unreadableFileRows(SparkSession spark, List<FileGuard.Unreadable> files) {
        List<Row> rows = files.stream()
                .map(f -> RowFactory.create(
                        Quarantine.FILE,
                        QuarantineReason.UNREADABLE_FILE.code(),
                        f.option() + " file cannot be read (" + f.reason() + "); its records are not counted",
                        null,
                        f.file(),
                        null))
                .toList();
        return spark.createDataFrame(rows, OutputTable.QUARANTINE.sparkSchema());
    }

    /**
     * The physical lines of CSV files that stopped parsing, per input: the sum of what each tail's detail
     * states ({@link CsvSource#TAIL_LINES}).
     */
    static Map<String, Long> unparsedTailLines(Dataset<Row> quarantine) {
        Column lines = regexp_extract(col(DETAIL), CsvSource.TAIL_LINES + "(\\d+)", 1);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Row r : quarantine
                .filter(col(DETAIL).contains(CsvSource.TAIL_LINES))
                .groupBy(SOURCE)
                .agg(sum(lines.cast("long")))
                .collectAsList()) {
            out.put(r.getString(0), r.getLong(1));
        }
        return out;
    }

    /**
     * An order-independent checksum of each table's rows (the sum of each row's 64-bit hash, as a decimal so
     * it cannot overflow), with the row count: two runs that wrote the same rows report the same value. All
     * tables in one Spark query (a union of each table's hashes, grouped by table), not one per table.
     *
     * @param tables the tables by name, in the order to report
     * @return {@code "<rows> rows, <sum>"} by table name ({@code "0 rows, 0"} for an empty table)
     */
    static Map<String, Object> fingerprints(Map<String, Dataset<Row>> tables) {
        return fingerprints(tables, Map.of());
    }

    /**
     * {@link #fingerprints(Map)}, where part of a table's rows were observed as they were written: a table's
     * fingerprint is its rows read here plus those written ({@link OutputWriter.Written}), both sums being of
     * the same {@link OutputWriter#rowHash}.
     *
     * @param tables the rows to read, by table name, in the order to report
     * @param written the rows observed while writing, by table name (added to what is read)
     * @return {@code "<rows> rows, <sum>"} by table name ({@code "0 rows, 0"} for an empty table)
     */
    static Map<String, Object> fingerprints(
            Map<String, Dataset<Row>> tables, Map<String, OutputWriter.Written> written) {
        Dataset<Row> hashes = null;
        for (Map.Entry<String, Dataset<Row>> t : tables.entrySet()) {
            Dataset<Row> h = t.getValue()
                    .select(
                            lit(t.getKey()).as("t"),
                            OutputWriter.rowHash(t.getValue()).as("h"));
            hashes = hashes == null ? h : hashes.union(h);
        }
        Map<String, long[]> rows = new java.util.HashMap<>();
        Map<String, BigDecimal> sums = new java.util.HashMap<>();
        written.forEach((name, w) -> {
            rows.put(name, new long[] {w.rows()});
            sums.put(name, w.hashSum());
        });
        if (hashes != null) {
            for (Row r : hashes.groupBy("t").agg(sum("h"), count(lit(1))).collectAsList()) {
                rows.computeIfAbsent(r.getString(0), k -> new long[1])[0] += r.getLong(2);
                sums.merge(r.getString(0), r.getDecimal(1), BigDecimal::add);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        tables.keySet().forEach(name -> {
            long n = rows.getOrDefault(name, new long[1])[0];
            out.put(name, n + " rows, " + (n == 0 ? "0" : sums.get(name).toPlainString()));
        });
        return out;
    }
}
