package io.assetcost.tools;

import static io.assetcost.schema.Cols.DUPLICATE;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.SOURCE_FILE;
import static org.apache.spark.sql.functions.col;

import io.assetcost.io.InputFiles;
import io.assetcost.io.ShufflePartitions;
import io.assetcost.io.UsageFormat;
import io.assetcost.io.UsageReader;
import io.assetcost.pricing.RateCard;
import io.assetcost.pricing.RequestPricing;
import io.assetcost.quality.Bounds;
import io.assetcost.quality.FlaggedCounts;
import io.assetcost.quality.UsageValidation;
import io.assetcost.run.Kept;
import io.assetcost.run.SparkSettings;
import io.assetcost.schema.Schemas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The cost job's usage step (read, validate, price and keep the usage: docs/DESIGN.md, "The plan of a night")
 * built up rung by rung from Spark's own read of the usage files (the job's own formats: JSON Lines, CSV,
 * Parquet), each rung timed on the same data in one
 * JVM, so that the step's time splits into what each part of it adds (docs/PERFORMANCE.md, "Against round
 * three's targets": the step budget). The rungs call the job's own methods, in the job's order, with the
 * default bounds and the embedded rate card; shuffle partitions are sized as the job sizes them from the usage
 * and acceptance files ({@link ShufflePartitions}), in the job's session settings ({@link SparkSettings}).
 *
 * <ol>
 *   <li>{@code scan}: the files as Spark reads them for the job (a Parquet export's columns in its contract's
 *       schema, a JSON Lines or CSV file's lines as text; each with its path), written to Spark's {@code noop}
 *       sink: Spark's read alone.
 *   <li>{@code canonical}: {@link UsageReader#read} (each record mapped to canonical usage: a log line inspected
 *       and parsed, text cleaned, tokens cast, a Parquet row's export_row built), to the noop sink.
 *   <li>{@code copies}: {@link UsageValidation#copies}, the narrow aggregate that finds the request_ids with
 *       more than one record (a Spark job of its own in the step).
 *   <li>{@code rules}: then {@link UsageValidation#check}, the record rules, to the noop sink.
 *   <li>{@code priced}: then {@link RequestPricing#rate} and {@link UsageValidation#checkPrice}, to the noop sink.
 *   <li>{@code shuffled}: then {@link UsageValidation#narrow}, the text dropped where no later step reads it and
 *       the one exchange by request_id, to the noop sink.
 *   <li>{@code kept}: the same rows kept as the job keeps them ({@link Kept#checkpointed}: written once as a
 *       reliable checkpoint under WORK_DIR).
 *   <li>{@code verdicts and counts}: {@link UsageValidation#resolve} and {@link FlaggedCounts#of} on the kept
 *       rows, as the step ends: the copies compared and the counts taken (two reads of the kept rows).
 * </ol>
 *
 * <p>Rungs 1, 2, 4, 5 and 6 each contain the one before, so their difference is what a part adds. A noop
 * write builds every column of every row: up to rung 5 that includes export_row for every row, which from
 * rung 6 on is built only for the rows with copies, so the differences below rung 6 may overstate a part by
 * the cost of building export_row. The step itself is rungs 3, 7 and 8 (rung 7 computes 1, 2, 4, 5 and 6).
 *
 * <p>Prints a Markdown table: each rung's seconds in every repetition; the first repetition's, which include
 * code generation and the JIT's warm-up of a cold JVM, as the job's own run does; the median of the later ones,
 * the same work warm; and what a rung adds to the rung it contains, warm.
 *
 * <p>Usage: {@code UsageLadder USAGE_DIR ACCEPTANCE_DIR WORK_DIR [REPETITIONS]} through spark-submit
 * ({@code scripts/ladder.sh}); the acceptance directory only sizes the shuffle partitions. Repetitions default to
 * 3.
 */
public final class UsageLadder {

    private static final String[] RUNGS = {
        "scan", "canonical", "copies", "rules", "priced", "shuffled", "kept", "verdicts and counts"
    };

    /** The rung each cumulative rung contains, by name (the difference between the two is what a part adds). */
    private static final Map<String, String> BELOW = Map.of(
            "canonical", "scan",
            "rules", "canonical",
            "priced", "rules",
            "shuffled", "priced");

    private UsageLadder() {}

    /**
     * Runs the ladder and prints its table.
     *
     * @param args the usage directory (the job's own formats), the acceptance directory, the work directory
     *     (its checkpoints are deleted after each repetition) and optionally the number of repetitions (at
     *     least 1)
     * @throws IllegalArgumentException without three or four arguments, or with a repetition count below 1
     */
    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4) {
            throw new IllegalArgumentException("usage: UsageLadder USAGE_DIR ACCEPTANCE_DIR WORK_DIR [REPETITIONS]");
        }
        int reps = args.length == 4 ? Integer.parseInt(args[3]) : 3;
        if (reps < 1) {
            throw new IllegalArgumentException("REPETITIONS must be at least 1, not " + reps);
        }
        SparkSession spark = SparkSettings.apply(SparkSession.builder().appName("assetcost-ladder"))
                .getOrCreate();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Map<InputFiles.Kind, List<String>> usage = InputFiles.list(conf, "--usage", args[0], UsageFormat.AUTO.kinds());
        List<String> acceptance = InputFiles.list(conf, "--acceptance", args[1], List.of(InputFiles.Kind.CSV))
                .get(InputFiles.Kind.CSV);
        spark.conf().set(ShufflePartitions.KEY, ShufflePartitions.forFiles(conf, usage, acceptance));
        RateCard card = RateCard.load(conf, null);

        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (String rung : RUNGS) {
            seconds.put(rung, new ArrayList<>());
        }
        for (int rep = 1; rep <= reps; rep++) {
            climb(spark, usage, card, new Path(args[2]), "ladder-" + rep, seconds);
        }
        print(seconds, spark.conf().get(ShufflePartitions.KEY));
        spark.stop();
    }

    /** One repetition: every rung once, in order, each time added to {@code seconds}. */
    private static void climb(
            SparkSession spark,
            Map<InputFiles.Kind, List<String>> usage,
            RateCard card,
            Path work,
            String name,
            Map<String, List<Double>> seconds) {
        Bounds bounds = Bounds.DEFAULT;
        Column priceRejected = col(UsageValidation.PRICE_REASON).isNotNull();
        Column trusted = UsageValidation.trusted();

        time(seconds, "scan", () -> scan(spark, usage));
        Supplier<Dataset<Row>> canonical = () -> UsageReader.read(spark, usage);
        time(seconds, "canonical", () -> noop(canonical.get()));
        UsageValidation.Copies copies = time(seconds, "copies", () -> UsageValidation.copies(canonical.get()));
        Supplier<Dataset<Row>> checked = () -> UsageValidation.check(canonical.get(), bounds, copies);
        time(seconds, "rules", () -> noop(checked.get()));
        Supplier<Dataset<Row>> rated = () -> UsageValidation.checkPrice(
                RequestPricing.rate(checked.get(), card, col(PARSE_REASON).isNull(), bounds.maxTokensPerMeter()),
                bounds);
        time(seconds, "priced", () -> noop(rated.get()));
        time(seconds, "shuffled", () -> noop(UsageValidation.narrow(rated.get(), priceRejected)));
        try (Kept kept = Kept.checkpointed(spark, work, name)) {
            Dataset<Row> narrow =
                    time(seconds, "kept", () -> kept.keep(UsageValidation.narrow(rated.get(), priceRejected)));
            Column toQuarantine = UsageValidation.rejected().or(trusted.and(priceRejected));
            FlaggedCounts counts = time(
                    seconds,
                    "verdicts and counts",
                    () -> FlaggedCounts.of(
                            UsageValidation.resolve(narrow, copies, toQuarantine),
                            trusted.and(priceRejected.unary_$bang()),
                            DUPLICATE,
                            UsageValidation.blank()));
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d records, %d used, %d exact duplicates, %d request_ids with copies%n",
                    name,
                    counts.records(),
                    counts.used(),
                    counts.duplicates(),
                    copies.all() ? -1 : copies.idList().size());
        }
    }

    /**
     * Spark's read of the usage files as the job reads them, before any of the job's work: a Parquet file's
     * columns in the export contract's schema, a JSON Lines or CSV file's lines as text; each with its path.
     */
    private static Object scan(SparkSession spark, Map<InputFiles.Kind, List<String>> usage) {
        for (Map.Entry<InputFiles.Kind, List<String>> files : usage.entrySet()) {
            String[] paths = files.getValue().toArray(String[]::new);
            Dataset<Row> rows = files.getKey() == InputFiles.Kind.PARQUET
                    ? spark.read().schema(Schemas.spark(Schemas.USAGE_EXPORT)).parquet(paths)
                    : spark.read().text(paths);
            noop(rows.withColumn(SOURCE_FILE, col("_metadata.file_path")));
        }
        return null;
    }

    /** Writes every column of every row to Spark's noop sink, which keeps nothing. */
    private static Object noop(Dataset<Row> rows) {
        rows.write().format("noop").mode(SaveMode.Overwrite).save();
        return null;
    }

    /** Runs {@code work} and adds its wall seconds to the rung's list. */
    private static <T> T time(Map<String, List<Double>> seconds, String rung, Supplier<T> work) {
        long started = System.nanoTime();
        T result = work.get();
        seconds.get(rung).add((System.nanoTime() - started) / 1e9);
        return result;
    }

    /**
     * The table: every repetition's seconds; the first (a cold JVM, as the job runs); the median of the others
     * (warm: the same work without code generation and the JIT's warm-up) and what a rung adds to the one it
     * contains, warm. With one repetition the warm columns are the first's.
     */
    private static void print(Map<String, List<Double>> seconds, String partitions) {
        System.out.printf(Locale.ROOT, "%nusage ladder, %s shuffle partitions%n%n", partitions);
        System.out.println("| rung | seconds, each repetition | first (cold) | median of the rest (warm) "
                + "| warm, less the rung it contains |");
        System.out.println("|---|---|---:|---:|---:|");
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            List<String> each = e.getValue().stream()
                    .map(s -> String.format(Locale.ROOT, "%.1f", s))
                    .toList();
            String below = BELOW.get(e.getKey());
            String added = below == null
                    ? ""
                    : String.format(
                            Locale.ROOT, "%.1f (less %s)", warm(e.getValue()) - warm(seconds.get(below)), below);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.1f | %.1f | %s |%n",
                    e.getKey(),
                    String.join(", ", each),
                    e.getValue().get(0),
                    warm(e.getValue()),
                    added);
        }
        for (boolean cold : new boolean[] {true, false}) {
            double step = 0;
            for (String rung : List.of("copies", "kept", "verdicts and counts")) {
                step += cold ? seconds.get(rung).get(0) : warm(seconds.get(rung));
            }
            System.out.printf(
                    Locale.ROOT,
                    "%nthe step (copies + kept + verdicts and counts), %s: %.1f s",
                    cold ? "first (cold)" : "warm",
                    step);
        }
        System.out.println();
    }

    /** The median of the repetitions after the first, or the first when there is one. */
    private static double warm(List<Double> values) {
        return median(values.size() > 1 ? values.subList(1, values.size()) : values);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
