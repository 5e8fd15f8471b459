package io.assetcost.ops;

import io.assetcost.run.InputException;
import io.assetcost.schema.OutputTable;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Delta Lake tables (docs/DESIGN.md, "Delta tables"), through Spark's own writer and reader with
 * {@code format("delta")} and Spark SQL: no Delta class is compiled against, so the shipped jar runs without
 * Delta on the classpath as long as {@code --table-format delta} is not asked for. Delta Lake is
 * {@value #PACKAGE}, built for Spark 4.2 (Scala 2.13); it needs the session extension and catalog below, which
 * are static settings: a job sets them when it builds its session.
 *
 * <p>A table is a Delta table when its directory holds {@code _delta_log/}. A write is one commit: a full
 * replacement ({@code mode overwrite}) or the replacement of a range of partitions ({@code replaceWhere} on the
 * partition column), written with Delta's idempotent-write options ({@code txnAppId} {@value #TXN_APP_ID} and a
 * {@code txnVersion}) so that re-issuing the same commit after a crash is skipped by Delta when it already
 * happened.
 */
public final class DeltaTables {

    /** The Maven coordinates an operator adds ({@code spark-submit --packages}). */
    public static final String PACKAGE = "io.delta:delta-spark_2.13:4.4.0";
    /** Delta's session extension ({@code spark.sql.extensions}). */
    public static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
    /** Delta's catalog, as {@code spark.sql.catalog.spark_catalog}. */
    public static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
    /** The directory that makes a table directory a Delta table. */
    public static final String LOG = "_delta_log";
    /** The application id of the job's idempotent writes. */
    public static final String TXN_APP_ID = "assetcost-publish";

    private static final String EXTENSIONS_KEY = "spark.sql.extensions";
    private static final String CATALOG_KEY = "spark.sql.catalog.spark_catalog";
    /**
     * Off: Delta 4.4.0 answers MIN/MAX of a DATE column from its log statistics and casts the value to
     * {@code java.sql.Date}, which fails (ClassCastException) in a session with Spark's Java 8 time API on, as the
     * jobs' sessions are (docs/DESIGN.md, "Delta tables"). The query then reads the files, as with Parquet.
     */
    private static final String METADATA_QUERY_KEY = "spark.databricks.delta.optimizeMetadataQuery.enabled";

    private DeltaTables() {}

    /**
     * Fails when Delta Lake's classes are not on the classpath (the thread's context class loader, where
     * spark-submit puts {@code --packages} and {@code --jars}).
     *
     * @throws InputException (exit 2) naming the package to add
     */
    public static void requireClasses() {
        try {
            Class.forName(EXTENSION, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InputException("--table-format delta needs Delta Lake on the classpath: add spark-submit"
                    + " --packages " + PACKAGE + " (scripts/run-local.sh puts it there)");
        }
    }

    /**
     * The static settings a session needs for Delta tables: Delta's extension (after any extension the
     * operator set with {@code --conf spark.sql.extensions}) and catalog.
     *
     * @return {@code spark.sql.extensions}, {@code spark.sql.catalog.spark_catalog} and
     *     {@code spark.databricks.delta.optimizeMetadataQuery.enabled=false}
     */
    public static Map<String, String> sessionSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        String given = System.getProperty(EXTENSIONS_KEY);
        m.put(
                EXTENSIONS_KEY,
                given == null || given.isBlank() || given.contains(EXTENSION) ? EXTENSION : given + "," + EXTENSION);
        m.put(CATALOG_KEY, CATALOG);
        m.put(METADATA_QUERY_KEY, "false");
        return m;
    }

    /**
     * Fails when the session cannot read or write Delta tables.
     *
     * @param spark the session
     * @param why what needs Delta, for the message ({@code --table-format delta}, {@code --tables DIR})
     * @throws InputException (exit 2) when Delta's classes are missing or the session was started without its
     *     extension and catalog; the message says what to set
     */
    public static void requireSession(SparkSession spark, String why) {
        requireClasses();
        String ext = spark.conf().get(EXTENSIONS_KEY, "");
        String cat = spark.conf().get(CATALOG_KEY, "");
        if (!Arrays.asList(ext.split(",")).contains(EXTENSION) || !CATALOG.equals(cat)) {
            throw new InputException(why + " needs a session started with --conf " + EXTENSIONS_KEY + "="
                    + EXTENSION + " --conf " + CATALOG_KEY + "=" + CATALOG
                    + " (the jobs set both when they start the session themselves)");
        }
    }

    /**
     * Whether a directory is a Delta table.
     *
     * @param conf Hadoop configuration
     * @param table the table's directory
     * @return whether it holds {@code _delta_log/}
     * @throws IOException when the file system cannot say
     */
    public static boolean isDelta(Configuration conf, Path table) throws IOException {
        Path log = new Path(table, LOG);
        FileSystem fs = log.getFileSystem(conf);
        return fs.exists(log);
    }

    /**
     * A Delta table read with its contract's schema.
     *
     * @param spark the session (configured for Delta)
     * @param dir the table's directory
     * @param table its contract
     * @return the table's latest version, exactly the contract's columns
     */
    public static Dataset<Row> read(SparkSession spark, Path dir, OutputTable table) {
        return table.conform(spark.read().format("delta").load(dir.toString()));
    }

    /**
     * The table's latest version, from its log ({@code DESCRIBE HISTORY ... LIMIT 1}).
     *
     * @param spark the session (configured for Delta)
     * @param dir the table's directory
     * @return the latest version; -1 when the directory is not a Delta table
     * @throws IOException when the file system cannot say whether it is one
     */
    public static long version(SparkSession spark, Path dir) throws IOException {
        if (!isDelta(spark.sparkContext().hadoopConfiguration(), dir)) {
            return -1;
        }
        Row r = spark.sql("DESCRIBE HISTORY delta.`" + dir.toString().replace("`", "``") + "` LIMIT 1")
                .select("version")
                .first();
        return r.getLong(0);
    }

    /**
     * The predicate that selects a window's partitions of a table, for {@code replaceWhere}.
     *
     * @param table the table
     * @param window the run's window
     * @return a SQL predicate on the partition column ({@code usage_date >= '2026-11-10' AND usage_date <=
     *     '2026-11-17'}), or null when the run replaces the whole table (a full run, an unpartitioned table)
     */
    public static String replaceWhere(OutputTable table, RunWindow window) {
        if (window.full() || table.partitionColumn() == null) {
            return null;
        }
        String c = table.partitionColumn();
        return c + " >= '" + window.first() + "' AND " + c + " <= '" + window.runDate() + "'";
    }

    /**
     * Writes a table's rows as one commit: the rows of {@code replaceWhere} replaced (or the whole table), in the
     * layout the Parquet writer uses (one file per partition, rows in the table's sort order), as the idempotent
     * write {@code (TXN_APP_ID, txnVersion)}: Delta skips it when the table's log already holds that version of
     * the application id or a later one.
     *
     * @param rows the rows, conformed to the table's contract; rows outside {@code replaceWhere} are left out
     * @param dir the table's directory
     * @param table the table
     * @param replaceWhere the partitions replaced ({@link #replaceWhere}), or null for the whole table (a full
     *     replacement may also change the schema: a contract that gained a column)
     * @param txnVersion the write's idempotent version: above any earlier run's for the table
     */
    public static void write(Dataset<Row> rows, Path dir, OutputTable table, String replaceWhere, long txnVersion) {
        Column[] order = table.sort().stream().map(functions::col).toArray(Column[]::new);
        String partition = table.partitionColumn();
        Dataset<Row> in = replaceWhere == null ? rows : rows.filter(functions.expr(replaceWhere));
        Dataset<Row> laid = partition == null ? in.repartition(1) : in.repartition(functions.col(partition));
        var writer = laid.sortWithinPartitions(order)
                .write()
                .format("delta")
                .mode(SaveMode.Overwrite)
                .option("txnAppId", TXN_APP_ID)
                .option("txnVersion", txnVersion);
        if (replaceWhere != null) {
            writer = writer.option("replaceWhere", replaceWhere);
        } else {
            writer = writer.option("overwriteSchema", "true");
        }
        if (partition != null) {
            writer = writer.partitionBy(partition);
        }
        writer.save(dir.toString());
    }
}
