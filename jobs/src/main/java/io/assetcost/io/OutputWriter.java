package io.assetcost.io;

import io.assetcost.schema.OutputTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Writes the jobs' tables on any Hadoop file system: Parquet through Spark's writer, CSV files through
 * Commons CSV, each in the order and partitioning its {@link OutputTable} entry gives.
 *
 * <p>CSV files have a header row with the contract's column names, RFC 4180 quoting and CRLF line ends,
 * decimals as plain numbers (never exponent form: {@link BigDecimal#toPlainString()}), dates as
 * {@code YYYY-MM-DD} and timestamps as ISO-8601 UTC ({@code 2026-11-03T10:15:00Z}), and an empty cell for
 * null. Rows stream to the driver one partition at a time ({@code toLocalIterator}), never collected whole.
 *
 * <p>Text that a spreadsheet would run as a formula (a cell starting with {@code =}, {@code +}, {@code -},
 * {@code @}, a tab or a carriage return: workflow ids, asset ids and review reasons come from users) is
 * neutralised with a leading apostrophe, as OWASP's CSV-injection guidance recommends. Only text values
 * are touched: numbers, dates and timestamps are written as they are, so a negative amount stays a number.
 */
public final class OutputWriter {

    private static final String ROWS = "rows";
    private static final String HASH_SUM = "hash_sum";

    private OutputWriter() {}

    /**
     * What a Parquet write wrote, observed in the same pass as the write.
     *
     * @param rows the number of rows written
     * @param hashSum the sum of every row's {@link #rowHash} (0 for no row): the table's fingerprint with rows
     */
    public record Written(long rows, BigDecimal hashSum) {}

    /**
     * A row's 64-bit hash over every column of {@code df} in order ({@code xxhash64}), as decimal(38,0) so that a
     * table's sum of them cannot overflow: the order-independent fingerprint of a table is its row count and
     * this sum, whether observed while writing ({@link #parquetObserved}) or read back (the same rows and
     * types give the same value).
     *
     * @param df the table, conformed to its contract
     * @return a decimal(38,0) column
     */
    public static Column rowHash(Dataset<Row> df) {
        Column[] cols =
                java.util.Arrays.stream(df.columns()).map(functions::col).toArray(Column[]::new);
        return functions.xxhash64(cols).cast(DataTypes.createDecimalType(38, 0));
    }

    /**
     * {@link #parquetObserved}, for the row count only.
     *
     * @return the number of rows written
     */
    public static long parquet(Dataset<Row> df, Path dir, OutputTable table) {
        return parquetObserved(df, dir, table).rows();
    }

    /**
     * Writes a table as Parquet under {@code dir/<name>/}, replacing what was there: Hive-style partitioned
     * by its partition column ({@code usage_date=2026-11-02/}) when it has one, one file per partition (or
     * one file), rows in the table's sort order, so that a rerun writes the same files and analysts'
     * engines prune by date. The rows are counted and their hashes summed in the same pass (an
     * {@link Observation} on the write), so that a caller never reads a table again to learn its size or
     * fingerprint.
     *
     * @param df the table, conformed to its contract
     * @param dir the directory to write under (a run's staging directory, or the month close's output)
     * @param table the table
     * @return the rows written and the sum of their {@link #rowHash}
     * @throws IllegalStateException when the write completed without reporting its row count (interrupted)
     */
    public static Written parquetObserved(Dataset<Row> df, Path dir, OutputTable table) {
        Column[] order = table.sort().stream().map(functions::col).toArray(Column[]::new);
        String target = new Path(dir, table.tableName()).toString();
        String partition = table.partitionColumn();
        Observation rows = new Observation(table.tableName() + "_rows");
        Dataset<Row> counted = df.observe(
                rows,
                functions.count(functions.lit(1)).as(ROWS),
                functions.sum(rowHash(df)).as(HASH_SUM));
        if (partition == null) {
            counted.repartition(1)
                    .sortWithinPartitions(order)
                    .write()
                    .mode(SaveMode.Overwrite)
                    .parquet(target);
        } else {
            counted.repartition(functions.col(partition))
                    .sortWithinPartitions(order)
                    .write()
                    .mode(SaveMode.Overwrite)
                    .partitionBy(partition)
                    .parquet(target);
        }
        try {
            java.util.Map<String, Object> observed = rows.getAsJava();
            // A plan Spark proved empty (an empty night) runs no task that could report: count it then.
            if (observed.get(ROWS) == null) {
                return new Written(df.count(), BigDecimal.ZERO);
            }
            Object sum = observed.get(HASH_SUM);
            return new Written(
                    ((Number) observed.get(ROWS)).longValue(), sum == null ? BigDecimal.ZERO : (BigDecimal) sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting the rows of " + table.tableName(), e);
        }
    }

    /**
     * Writes a table as one CSV file in its sort order ({@link #csv}) under a temporary name, then puts it in
     * place of the old one, so a reader never sees half a file.
     *
     * @param df the table's rows
     * @param table the table (for its sort order)
     * @param conf Hadoop configuration
     * @param file the CSV file
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void csvReplacing(Dataset<Row> df, OutputTable table, Configuration conf, Path file) {
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
        csv(df.orderBy(table.sort().stream().map(functions::col).toArray(Column[]::new)), conf, tmp.toString());
        try {
            FileSystem fs = file.getFileSystem(conf);
            fs.delete(file, false);
            if (!fs.rename(tmp, file)) {
                throw new IOException("cannot move " + tmp + " to " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Writes a dataset as one CSV file, replacing it.
     *
     * @param df rows in the order to write (sort first for a stable file)
     * @param conf Hadoop configuration
     * @param file target file
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void csv(Dataset<Row> df, Configuration conf, String file) {
        String[] header = df.columns();
        Path path = new Path(file);
        try (OutputStream os = path.getFileSystem(conf).create(path, true);
                Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
                CSVPrinter printer = new CSVPrinter(
                        w, CSVFormat.RFC4180.builder().setHeader(header).get())) {
            Iterator<Row> rows = df.toLocalIterator();
            List<String> cells = new ArrayList<>(header.length);
            while (rows.hasNext()) {
                Row r = rows.next();
                cells.clear();
                for (int i = 0; i < header.length; i++) {
                    cells.add(cell(r.get(i)));
                }
                printer.printRecord(cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Renders one value as CSV text.
     *
     * @param v a value as Spark returns it (java8 datetime API or not)
     * @return the text, or null (an empty cell) for null
     */
    public static String cell(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Instant t) {
            return DateTimeFormatter.ISO_INSTANT.format(t);
        }
        if (v instanceof Timestamp t) {
            return DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
        }
        if (v instanceof LocalDate d) {
            return d.toString();
        }
        if (v instanceof Date d) {
            return d.toLocalDate().toString();
        }
        if (v instanceof String text) {
            return neutralise(text);
        }
        return v.toString();
    }

    /**
     * Prefixes text that would start a spreadsheet formula with an apostrophe.
     *
     * @param text a text cell
     * @return the text, prefixed with {@code '} when it starts with =, +, -, @, tab or carriage return
     */
    public static String neutralise(String text) {
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }
}
