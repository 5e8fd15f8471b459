package io.assetcost.tools;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;

import io.assetcost.io.InputFiles;
import io.assetcost.io.ShufflePartitions;
import io.assetcost.pricing.Meter;
import io.assetcost.pricing.RateCard;
import io.assetcost.run.SparkSettings;
import io.assetcost.schema.Schemas;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The floor under the cost job on Spark (docs/PERFORMANCE.md, "The floor"): the least work its two large
 * tables need, with none of the job's rules. It reads the usage Parquet export, prices every request with one
 * exact expression (each token meter times one fixed per-token rate, {@code decimal(38,12)}: gpt-image-1's
 * default tier in the job's embedded rate card), writes the requests as request_costs is written (Parquet
 * partitioned by usage date, sorted within each day), reads the acceptance CSV files with Spark's own reader,
 * joins the decisions to the requests by request_id, sums cost and approvals per asset and writes that
 * partitioned by cohort date. No validation, deduplication, effective-dated rate join, kept datasets, outcome
 * rules, other tables, invariants, fingerprints or report. Shuffle partitions are sized as the job sizes them
 * ({@link ShufflePartitions}), in the job's session settings ({@link SparkSettings}).
 *
 * <p>What it answers: how much of the distance between the job and the DuckDB twin (which computes all of
 * the job's rules) is Spark's own, reading, shuffling and writing on this machine, before any of the job's
 * logic. Prints one line: requests, assets and seconds (whole run, and each of the two writes).
 *
 * <p>Usage: {@code SparkFloor USAGE_PARQUET_DIR ACCEPTANCE_DIR OUT_DIR} through spark-submit
 * ({@code scripts/floor.sh}).
 */
public final class SparkFloor {

    /**
     * The export's token columns the floor prices, by meter; priced at gpt-image-1's default tier in the job's
     * embedded rate card ({@link RateCard#DEFAULT}), as in force on {@link #PRICED_AT}.
     */
    private static final Map<Meter, String> TOKEN_COLUMNS = Map.of(
            Meter.TEXT_INPUT, "input_text_tokens",
            Meter.CACHED_TEXT_INPUT, "input_cached_text_tokens",
            Meter.IMAGE_INPUT, "input_image_tokens",
            Meter.CACHED_IMAGE_INPUT, "input_cached_image_tokens",
            Meter.IMAGE_OUTPUT, "output_image_tokens");

    /** The instant whose rates the floor uses (the generated benchmark data's first day, UTC). */
    private static final Instant PRICED_AT = Instant.parse("2026-11-02T00:00:00Z");

    private SparkFloor() {}

    /**
     * Runs the floor once and prints its line.
     *
     * @param args the usage Parquet directory, the acceptance directory and the output directory
     * @throws IllegalArgumentException without three arguments
     */
    public static void main(String[] args) {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: SparkFloor USAGE_PARQUET_DIR ACCEPTANCE_DIR OUT_DIR");
        }
        SparkSession spark = SparkSettings.apply(SparkSession.builder().appName("assetcost-floor"))
                .getOrCreate();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Map<InputFiles.Kind, List<String>> usage =
                InputFiles.list(conf, "--usage", args[0], List.of(InputFiles.Kind.PARQUET));
        List<String> acceptance = InputFiles.list(conf, "--acceptance", args[1], List.of(InputFiles.Kind.CSV))
                .get(InputFiles.Kind.CSV);
        spark.conf().set(ShufflePartitions.KEY, ShufflePartitions.forFiles(conf, usage, acceptance));
        long started = System.nanoTime();

        Dataset<Row> requests = spark.read()
                .parquet(usage.get(InputFiles.Kind.PARQUET).toArray(String[]::new))
                .withColumn("usage_date", to_date(col("created_at")))
                .withColumn("cost_usd", cost(RateCard.load(conf, null)));
        writeByDay(requests, "usage_date", args[2] + "/request_costs", "created_at", "request_id");
        long requestsWritten = System.nanoTime();

        StructType strings = new StructType();
        for (String c : Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD)) {
            strings = strings.add(c, DataTypes.StringType);
        }
        Dataset<Row> decisions = spark.read()
                .option("header", "true")
                .schema(strings)
                .csv(acceptance.toArray(String[]::new))
                .select("request_id", "decision");
        Dataset<Row> assets = requests.select("request_id", "workflow_id", "asset_id", "usage_date", "cost_usd")
                .join(decisions, new String[] {"request_id"}, "left")
                .groupBy("workflow_id", "asset_id")
                .agg(
                        min("usage_date").as("cohort_date"),
                        sum("cost_usd").as("total_cost_usd"),
                        count(lit(1)).as("decisions"),
                        count_if(col("decision").equalTo("approved")).as("approvals"));
        writeByDay(assets, "cohort_date", args[2] + "/asset_costs", "workflow_id", "asset_id");
        long done = System.nanoTime();

        long rows = spark.read().parquet(args[2] + "/request_costs").count();
        long assetRows = spark.read().parquet(args[2] + "/asset_costs").count();
        System.out.printf(
                Locale.ROOT,
                "floor: %d requests, %d assets, %s shuffle partitions; %.1f s (request_costs %.1f s, asset_costs %.1f"
                        + " s)%n",
                rows,
                assetRows,
                spark.conf().get(ShufflePartitions.KEY),
                (done - started) / 1e9,
                (requestsWritten - started) / 1e9,
                (done - requestsWritten) / 1e9);
        spark.stop();
    }

    /** Writes a table as the job writes its partitioned tables: one file per day, sorted within the day. */
    private static void writeByDay(Dataset<Row> table, String day, String path, String... order) {
        table.repartition(col(day))
                .sortWithinPartitions(order[0], java.util.Arrays.copyOfRange(order, 1, order.length))
                .write()
                .mode(SaveMode.Overwrite)
                .partitionBy(day)
                .parquet(path);
    }

    /**
     * The sum over the token meters of tokens times the meter's USD-per-token rate, exact
     * ({@code decimal(38,12)}).
     *
     * @throws IllegalStateException when the card has no rate for one of {@link #TOKEN_COLUMNS}' meters
     */
    private static Column cost(RateCard card) {
        Column total = lit(BigDecimal.ZERO.setScale(12));
        for (Map.Entry<Meter, String> meter : TOKEN_COLUMNS.entrySet()) {
            BigDecimal usdPer1m = card.rateAt("gpt-image-1", "default", meter.getKey(), PRICED_AT);
            if (usdPer1m == null) {
                throw new IllegalStateException("the rate card has no gpt-image-1 rate for " + meter.getKey());
            }
            BigDecimal perToken = usdPer1m.movePointLeft(6).setScale(12);
            Column tokens = coalesce(col(meter.getValue()), lit(0L)).cast(DataTypes.createDecimalType(20, 0));
            total = total.plus(tokens.multiply(lit(perToken)));
        }
        return total.cast(DataTypes.createDecimalType(38, 12));
    }
}
