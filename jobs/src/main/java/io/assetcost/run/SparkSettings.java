package io.assetcost.run;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark SQL settings every job's arithmetic and output depend on, in one place. A job applies them
 * twice on purpose: to the session builder (so that a session it creates starts with them) and to the
 * running session (so that a session handed in by a test or a notebook gets them too).
 *
 * <ul>
 *   <li>{@code spark.sql.session.timeZone=UTC}: dates and times are UTC whatever the JVM's zone;
 *   <li>{@code spark.sql.decimalOperations.allowPrecisionLoss=false}: money stays exact; with the default
 *       {@code true}, Spark cuts the scale of a decimal product or quotient (see docs/DESIGN.md, "Money");
 *   <li>{@code spark.sql.datetime.java8API.enabled=true}: {@code Instant} and {@code LocalDate} on the driver;
 *   <li>{@code spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS}: Parquet timestamps as INT64
 *       microseconds, readable by parquet-avro, DuckDB, Trino and Athena;
 *   <li>{@code spark.sql.debug.maxToStringFields=200}: request_costs has over 40 columns; plans print whole
 *       instead of warning on every run.
 * </ul>
 *
 * <p>And, unless the operator has set them, the {@link #CODEGEN} settings and {@link #DELTA_SNAPSHOT_PARTITIONS},
 * which change how fast a plan runs and nothing it computes.
 */
public final class SparkSettings {

    /** The settings, in the order they are applied. */
    public static final Map<String, String> SQL = sql();

    /**
     * Hadoop settings for an output on the local file system ({@link #forOutput}): local files are written
     * without the {@code .crc} checksum files beside every output file ({@code RawLocalFileSystem}; checksums
     * matter on HDFS and object stores, which keep their own), and not through a cached checksummed file system
     * created before the session. Never for an output on an object store: s3a buffers each upload in local
     * files through {@code FileSystem.getLocal}, which must be a {@code LocalFileSystem} (with the raw one every
     * write to {@code s3a://} fails with a ClassCastException).
     */
    public static final Map<String, String> HADOOP =
            Map.of("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem", "fs.file.impl.disable.cache", "true");

    /**
     * What a run leaves on its local disk (the caches of datasets read twice and the shuffle files), set only
     * where the operator has not set them ({@code --conf}, {@code spark-defaults.conf}): these are Spark
     * core settings, read once when the session's SparkContext starts.
     *
     * <ul>
     *   <li>{@code spark.io.compression.codec=zstd}: shuffle files, spills and broadcasts in Zstandard
     *       instead of LZ4;
     *   <li>{@code spark.rdd.compress=true}: the kept datasets' blocks compressed too (off by default);
     *   <li>{@code spark.cleaner.periodicGC.interval=30s}: Spark deletes a shuffle's files only once the
     *       driver has collected the plan that made it, and by default asks for that every 30 minutes; a
     *       table's write shuffle is then gone within half a minute of the write instead of staying to the
     *       end of the run;
     *   <li>{@code spark.checkpoint.compress=true}: the datasets the cost job keeps as checkpoints
     *       ({@link Kept#checkpointed}) written in Zstandard too (off by default).
     * </ul>
     *
     * <p>Measured with {@code scripts/bench.sh} (docs/PERFORMANCE.md, "Round two: local disk"): the peak of
     * kept blocks and shuffle files fell from 7.6 to 2.9 times the input at 1M requests, and from about 6 to
     * 2.6 times at 10M and 50M.
     */
    public static final Map<String, String> LOCAL_DISK = localDisk();

    /**
     * How Spark's generated code is kept within reach of the JIT compiler, set only where the operator has not set
     * it ({@code --conf}, {@code spark-defaults.conf}, a session's own setting): these are SQL settings, read when a
     * plan is compiled.
     *
     * <ul>
     *   <li>{@code spark.sql.codegen.hugeMethodLimit=8000}: a whole-stage method of more than 8,000 bytes of
     *       bytecode is not generated; the stage's operators run with their own generated code instead. HotSpot
     *       never compiles a method above 8,000 bytes ({@code -XX:+DontCompileHugeMethods}, its default), so such a
     *       method runs in the bytecode interpreter; Spark's default limit, 65,535, lets it through, and its
     *       documentation of the setting suggests 8,000 on HotSpot. The stage that validates, prices and
     *       partitions the usage was a 25,078-byte method: interpreted, about half of the usage step's time at 1M
     *       records (docs/PERFORMANCE.md, "the usage stage ran in the bytecode interpreter").
     * </ul>
     */
    public static final Map<String, String> CODEGEN = Map.of("spark.sql.codegen.hugeMethodLimit", "8000");

    /**
     * The number of partitions Delta Lake uses to build a table's snapshot from its log, set on a running session
     * only where the operator has not set it: the session's default parallelism (its cores in {@code local[*]}; on a
     * cluster the executors' cores registered when the job starts, at least 2). Delta's default, 50, is sized for
     * tables of many thousands of files; the jobs' tables have one log action per file written, and every read of a
     * Delta table builds a snapshot, so on a small machine the 50 tasks of each one were most of a Delta run's extra
     * time (docs/PERFORMANCE.md, "Delta snapshots"). A SQL setting of Delta's, read when a snapshot is built; a
     * session without Delta ignores it.
     */
    public static final String DELTA_SNAPSHOT_PARTITIONS = "spark.databricks.delta.snapshotPartitions";

    private SparkSettings() {}

    /** Puts each setting that {@code isSet} does not report through {@code set}, in order. */
    private static void unlessSet(
            Map<String, String> settings,
            java.util.function.Predicate<String> isSet,
            java.util.function.BiConsumer<String, String> set) {
        settings.forEach((k, v) -> {
            if (!isSet.test(k)) {
                set.accept(k, v);
            }
        });
    }

    private static Map<String, String> localDisk() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.io.compression.codec", "zstd");
        m.put("spark.rdd.compress", "true");
        m.put("spark.cleaner.periodicGC.interval", "30s");
        m.put("spark.checkpoint.compress", "true");
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The {@link #LOCAL_DISK} settings that a configuration does not set already.
     *
     * @param conf what the operator gave (spark-submit passes {@code --conf} and {@code spark-defaults.conf}
     *     to the driver as {@code spark.*} system properties, which {@code new SparkConf()} reads)
     * @return the defaults to add, in order; empty when the operator set them all
     */
    public static Map<String, String> localDiskDefaults(SparkConf conf) {
        Map<String, String> m = new LinkedHashMap<>();
        unlessSet(LOCAL_DISK, conf::contains, m::put);
        return m;
    }

    private static Map<String, String> sql() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.sql.session.timeZone", "UTC");
        m.put("spark.sql.decimalOperations.allowPrecisionLoss", "false");
        m.put("spark.sql.datetime.java8API.enabled", "true");
        m.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        m.put("spark.sql.debug.maxToStringFields", "200");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Applies {@link #SQL} and the {@link #LOCAL_DISK} and {@link #CODEGEN} settings the operator has not set. */
    public static SparkSession.Builder apply(SparkSession.Builder builder) {
        SQL.forEach(builder::config);
        SparkConf given = new SparkConf();
        unlessSet(LOCAL_DISK, given::contains, builder::config);
        unlessSet(CODEGEN, given::contains, builder::config);
        return builder;
    }

    /**
     * Applies {@link #SQL} to a running session (idempotent), and the {@link #CODEGEN} and
     * {@link #DELTA_SNAPSHOT_PARTITIONS} settings the session has not set. {@link #LOCAL_DISK} cannot be: Spark
     * reads it when the session's SparkContext starts.
     */
    public static void apply(SparkSession spark) {
        SQL.forEach((k, v) -> spark.conf().set(k, v));
        unlessSet(CODEGEN, spark.conf()::contains, spark.conf()::set);
        unlessSet(
                Map.of(
                        DELTA_SNAPSHOT_PARTITIONS,
                        Integer.toString(Math.max(1, spark.sparkContext().defaultParallelism()))),
                spark.conf()::contains,
                spark.conf()::set);
    }

    /**
     * Sets {@link #HADOOP} on the session's Hadoop configuration when a job's output is on the local file system,
     * and removes it otherwise (a session that an earlier job with a local output configured), so that s3a's
     * upload buffers get the checksummed local file system they need.
     *
     * @param spark the session
     * @param out the job's {@code --out} directory, a path or URI
     */
    public static void forOutput(SparkSession spark, String out) {
        forOutput(spark.sparkContext().hadoopConfiguration(), out);
    }

    /**
     * {@link #forOutput(SparkSession, String)} on a Hadoop configuration.
     *
     * @param conf the configuration to change
     * @param out the job's {@code --out} directory, a path or URI
     */
    public static void forOutput(org.apache.hadoop.conf.Configuration conf, String out) {
        String scheme = new org.apache.hadoop.fs.Path(out).toUri().getScheme();
        if (scheme == null || scheme.equals("file")) {
            HADOOP.forEach(conf::set);
        } else {
            HADOOP.forEach((k, v) -> {
                if (v.equals(conf.get(k))) {
                    conf.unset(k);
                }
            });
        }
    }
}
