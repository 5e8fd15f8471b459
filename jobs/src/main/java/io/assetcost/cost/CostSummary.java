package io.assetcost.cost;

import static io.assetcost.schema.Cols.CACHE_SAVINGS_USD;
import static io.assetcost.schema.Cols.COST_USD;
import static io.assetcost.schema.Cols.DIFFERENCE_USD;
import static io.assetcost.schema.Cols.DIRECT_COST_USD;
import static io.assetcost.schema.Cols.GATEWAY_COST_USD;
import static io.assetcost.schema.Cols.MODEL;
import static io.assetcost.schema.Cols.PENDING_COST_USD;
import static io.assetcost.schema.Cols.REQUESTS;
import static io.assetcost.schema.Cols.REQUESTS_DIFFERING;
import static io.assetcost.schema.Cols.TOTAL_COST_USD;
import static io.assetcost.schema.Cols.USAGE_DATE;
import static io.assetcost.schema.Cols.WASTE_COST_USD;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.io.InputFiles;
import io.assetcost.io.OutputWriter;
import io.assetcost.ops.RunWindow;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.RateCard;
import io.assetcost.quality.Quarantine;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputCounts;
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

    /** What the summary names as the source of a card no option gave. */
    private static final String EMBEDDED = "embedded default";

    private CostSummary() {}

    /** {@code window}: mode, run date, lookback, first cohort, files read. */
    static CostRunSummary.Window window(
            RunWindow window, Map<InputFiles.Kind, List<String>> usageFiles, List<String> acceptanceFiles) {
        return new CostRunSummary.Window(
                window.full() ? "full" : "nightly",
                window.runDate() == null ? null : window.runDate().toString(),
                window.lookbackDays(),
                window.first() == null ? null : window.first().toString(),
                usageFiles.values().stream().mapToInt(List::size).sum(),
                acceptanceFiles.size());
    }

    /** {@code options}: the options as given (the rate card's source when none). */
    static CostRunSummary.Options options(CostJobOptions options) {
        return new CostRunSummary.Options(
                options.usage,
                options.acceptance,
                options.rates == null ? EMBEDDED : options.rates,
                options.out,
                options.maxQuarantinedFraction.toPlainString(),
                options.full,
                options.runDate,
                options.lookbackDays,
                options.onUnreadableFile,
                options.maxTokensPerMeter,
                options.maxImagesPerRequest,
                options.maxRequestCostUsd.toPlainString(),
                options.rateLimits == null ? EMBEDDED : options.rateLimits,
                options.accountTier,
                options.attemptCap,
                options.maturePendingShare.toPlainString(),
                options.matureAfterDays,
                options.smallSampleApprovals);
    }

    /**
     * {@code inputs}: usage, acceptance (with what was set aside, skipped and what came late) and the two
     * cards.
     */
    static CostRunSummary.Inputs inputs(CostPipeline.RunCounts counts, RateCard card, RateLimitCard rateLimits) {
        InputCounts u = counts.usage();
        InputCounts a = counts.acceptance();
        return new CostRunSummary.Inputs(
                new CostRunSummary.UsageInput(
                        u.read(),
                        u.used(),
                        u.quarantined(),
                        counts.usageReasons(),
                        u.duplicates(),
                        u.skipped(),
                        u.setAside(),
                        counts.lateUsage(),
                        counts.usageTailLines()),
                new CostRunSummary.AcceptanceInput(
                        a.read(),
                        a.used(),
                        a.quarantined(),
                        counts.acceptanceReasons(),
                        a.duplicates(),
                        counts.decidedAfterRunDate(),
                        counts.onFrozenRequests(),
                        counts.lateDecisions(),
                        counts.acceptanceTailLines()),
                new CostRunSummary.Card(card.description(), card.rates().size()),
                new CostRunSummary.Card(
                        rateLimits.description(), rateLimits.limits().size()));
    }

    /** {@code totals}: assets, requests and the money totals over the run's asset_costs (USD, exact). */
    static CostRunSummary.Totals totals(Dataset<Row> assetCosts) {
        Column[] aggs = new Column[MONEY.size() + 2];
        aggs[0] = count(lit(1));
        aggs[1] = sum(REQUESTS);
        for (int i = 0; i < MONEY.size(); i++) {
            aggs[i + 2] = sum(MONEY.get(i));
        }
        Row t = assetCosts
                .agg(aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length))
                .first();
        String[] money = new String[MONEY.size()];
        for (int i = 0; i < MONEY.size(); i++) {
            BigDecimal v = t.isNullAt(i + 2) ? BigDecimal.ZERO.setScale(12) : t.getDecimal(i + 2);
            money[i] = v.toPlainString();
        }
        return new CostRunSummary.Totals(
                t.getLong(0), t.isNullAt(1) ? 0L : t.getLong(1), money[0], money[1], money[2], money[3], money[4]);
    }

    /**
     * {@code gateway_costs}: the run's requests whose input carried the gateway's own cost, per usage_date and
     * model ({@link io.assetcost.report.Reports#gatewayCosts}). Null when the usage format carries no gateway
     * cost (the job's own shapes, OpenAI Batch files), so the scan is not made.
     *
     * @param requestCosts the run's request_costs
     * @param format the run's usage format
     * @return one row per day and model, or null
     */
    static List<CostRunSummary.GatewayCost> gatewayCosts(
            Dataset<Row> requestCosts, io.assetcost.io.UsageFormat format) {
        if (!format.carriesGatewayCost()) {
            return null;
        }
        return io.assetcost.report.Reports.gatewayCosts(requestCosts).collectAsList().stream()
                .map(r -> new CostRunSummary.GatewayCost(
                        r.getAs(USAGE_DATE).toString(),
                        r.<String>getAs(MODEL),
                        r.<Long>getAs(REQUESTS),
                        r.<BigDecimal>getAs(COST_USD).toPlainString(),
                        r.<BigDecimal>getAs(GATEWAY_COST_USD).toPlainString(),
                        r.<BigDecimal>getAs(DIFFERENCE_USD).toPlainString(),
                        r.<Long>getAs(REQUESTS_DIFFERING)))
                .toList();
    }

    /** {@code unreadable_files}: each file left out, with its input and what is wrong with it. */
    static List<CostRunSummary.UnreadableFile> unreadable(List<FileGuard.Unreadable> files) {
        return files.stream()
                .map(f -> new CostRunSummary.UnreadableFile(f.option(), f.file(), f.reason()))
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
     * An order-independent checksum of each table's rows (the sum of each row's 64-bit hash, as a decimal so
     * it cannot overflow), with the row count: two runs that wrote the same rows report the same value. All
     * tables in one Spark query (a union of each table's hashes, grouped by table), not one per table.
     *
     * @param tables the tables by name, in the order to report
     * @return {@code "<rows> rows, <sum>"} by table name ({@code "0 rows, 0"} for an empty table)
     */
    static Map<String, String> fingerprints(Map<String, Dataset<Row>> tables) {
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
    static Map<String, String> fingerprints(
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
        Map<String, String> out = new LinkedHashMap<>();
        tables.keySet().forEach(name -> {
            long n = rows.getOrDefault(name, new long[1])[0];
            out.put(name, n + " rows, " + (n == 0 ? "0" : sums.get(name).toPlainString()));
        });
        return out;
    }
}
