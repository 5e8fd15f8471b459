package io.assetcost.ops;

import io.assetcost.run.InputException;
import io.assetcost.schema.OutputTable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one way a job reads a table the jobs wrote (published, or staged by the run itself): Spark's Parquet reader
 * with the contract's schema ({@link OutputTable#sparkSchema()}, {@code schemas/<contract>.avsc}), never an
 * inferred one, so every column has its contract type (money {@code decimal(38,12)} USD, dates UTC) whatever the
 * files hold. The three methods differ only in what a missing table means to their caller:
 *
 * <ul>
 *   <li>{@link #readOrEmpty}: nothing published yet, as on a cost job's first night: an empty table;
 *   <li>{@link #costJobTable}: the month close or the forecast run before the cost job wrote into {@code --tables}:
 *       an {@link InputException} (exit 2) that says to run the cost job first;
 *   <li>{@link #read}: a table the run has just staged: its absence is a fault of the run, not of the input.
 * </ul>
 *
 * <p>A table directory that holds {@code _delta_log/} is a Delta table ({@link DeltaTables}, {@code --table-format
 * delta}) and is read as one, at its latest version; any other is read as Parquet. The session must then be
 * configured for Delta: an {@link InputException} (exit 2) says so when it is not.
 *
 * <p>A contract column that the files do not hold (a table written before the column was added) reads as null in
 * every row: Spark's Parquet reader does so for a column of the requested schema that a file lacks.
 */
public final class TableReader {

    private TableReader() {}

    /**
     * A table's directory (published or staged), read with its contract's schema.
     *
     * @param spark the session
     * @param dir the table's directory ({@link OutputLayout#table}, {@link OutputLayout#staged})
     * @param table which table it is: its contract
     * @return the table, exactly the contract's columns; empty (with those columns) when the directory does not exist
     * @throws UncheckedIOException when the file system cannot say whether it exists
     */
    public static Dataset<Row> readOrEmpty(SparkSession spark, Path dir, OutputTable table) {
        try {
            if (!exists(spark, dir)) {
                return spark.createDataFrame(List.of(), table.sparkSchema());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return load(spark, dir, table);
    }

    /**
     * A table the run itself wrote, read with its contract's schema.
     *
     * @param spark the session
     * @param dir the table's directory
     * @param table which table it is: its contract
     * @return the table, exactly the contract's columns
     * @throws UncheckedIOException when the directory does not exist or cannot be read
     */
    public static Dataset<Row> read(SparkSession spark, Path dir, OutputTable table) {
        try {
            if (!exists(spark, dir)) {
                throw new FileNotFoundException(
                        "no " + table.tableName() + " table at " + dir + ": the run did not write it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return load(spark, dir, table);
    }

    /**
     * A table of the cost job's output that another job reads ({@code --tables DIR}), with its contract's schema.
     *
     * @param spark the session
     * @param tables the cost job's output directory
     * @param table which table
     * @return the table, exactly the contract's columns
     * @throws InputException (exit 2) when the table does not exist (the cost job has not run into that directory)
     *     or the directory cannot be read; the message names {@code --tables} and what to do
     */
    public static Dataset<Row> costJobTable(SparkSession spark, OutputLayout tables, OutputTable table) {
        Path dir = tables.table(table);
        try {
            if (!exists(spark, dir)) {
                throw new InputException("--tables " + tables.root() + " has no " + table.tableName()
                        + "/ table: run the cost job (scripts/run-local.sh) with --out " + tables.root() + " first");
            }
        } catch (IOException e) {
            throw new InputException("--tables " + tables.root() + " cannot be read: " + e.getMessage(), e);
        }
        return load(spark, dir, table);
    }

    /**
     * Whether a table's directory (or any path) exists.
     *
     * @param spark the session, whose Hadoop configuration reaches the file system
     * @param dir the path
     * @return whether it exists
     * @throws IOException when the file system cannot say
     */
    public static boolean exists(SparkSession spark, Path dir) throws IOException {
        return dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(dir);
    }

    /**
     * Whether a table's directory is a Delta table ({@code _delta_log/} in it).
     *
     * @param spark the session, whose Hadoop configuration reaches the file system
     * @param dir the table's directory
     * @return whether it is a Delta table
     * @throws UncheckedIOException when the file system cannot say
     */
    public static boolean isDelta(SparkSession spark, Path dir) {
        try {
            return DeltaTables.isDelta(spark.sparkContext().hadoopConfiguration(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    private static Dataset<Row> load(SparkSession spark, Path dir, OutputTable table) {
        if (isDelta(spark, dir)) {
            DeltaTables.requireSession(spark, "the Delta table " + dir);
            return DeltaTables.read(spark, dir, table);
        }
        return table.conform(spark.read().schema(table.sparkSchema()).parquet(dir.toString()));
    }
}
