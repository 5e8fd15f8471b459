package io.assetcost.tools;

import static org.apache.spark.sql.functions.bit_xor;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import io.assetcost.io.CsvSource;
import io.assetcost.io.InputFiles;
import io.assetcost.run.SparkSettings;
import io.assetcost.schema.Schemas;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Measures how the acceptance records' reader compares with Spark's own CSV reader on the same files
 * (docs/PERFORMANCE.md): the job's {@link CsvSource} (Commons CSV in tasks, one task per file, lineage and
 * parse columns), Spark's reader with {@code multiLine} (one task per file, as quoted line breaks need), and
 * Spark's reader line by line (files split; wrong for a record with a quoted line break). Each reads every
 * contract column of every record and hashes them, so no reader skips parsing; each runs {@code reps} times
 * in one session after one warm-up of each, and the line prints the median seconds.
 *
 * <p>Usage: {@code CsvReaderComparison ACCEPTANCE_DIR [reps]} through spark-submit.
 */
public final class CsvReaderComparison {

    private CsvReaderComparison() {}

    /**
     * Runs the comparison.
     *
     * @param args the acceptance directory, then optionally the repetitions (default 3)
     */
    public static void main(String[] args) {
        String dir = args[0];
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        SparkSession spark = SparkSettings.apply(SparkSession.builder().appName("assetcost-csv-readers"))
                .getOrCreate();
        List<String> files = InputFiles.list(
                        spark.sparkContext().hadoopConfiguration(), "--acceptance", dir, List.of(InputFiles.Kind.CSV))
                .get(InputFiles.Kind.CSV);
        List<String> columns = Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD);
        StructType strings = new StructType();
        for (String c : columns) {
            strings = strings.add(c, DataTypes.StringType);
        }
        StructType schema = strings;
        String[] paths = files.toArray(String[]::new);
        measure(
                "commons-csv in tasks (the job's reader)",
                reps,
                columns,
                () -> CsvSource.read(spark, files, columns, false));
        measure(
                "Spark CSV, multiLine",
                reps,
                columns,
                () -> spark.read()
                        .option("header", "true")
                        .option("multiLine", "true")
                        .schema(schema)
                        .csv(paths));
        measure(
                "Spark CSV, line by line",
                reps,
                columns,
                () -> spark.read().option("header", "true").schema(schema).csv(paths));
        spark.stop();
    }

    private static void measure(
            String name, int reps, List<String> columns, java.util.function.Supplier<Dataset<Row>> read) {
        Column[] all = columns.stream().map(c -> col(c)).toArray(Column[]::new);
        long[] nanos = new long[reps];
        long rows = 0;
        for (int i = -1; i < reps; i++) {
            long t0 = System.nanoTime();
            Row r = read.get().agg(count(lit(1)), bit_xor(xxhash64(all))).first();
            long t = System.nanoTime() - t0;
            rows = r.getLong(0);
            if (i >= 0) {
                nanos[i] = t;
            }
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("%-42s %,d records, median %.1f s of %d%n", name, rows, nanos[reps / 2] / 1e9, reps);
    }
}
