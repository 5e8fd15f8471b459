package io.assetcost.run;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark SQL settings every job's arithmetic and output depend on, in one place. A job applies them
 * twice on purpose: to the session builder (so that a session it creates starts with them) and to the
 * running session (so that a session handed in by a test or a notebook gets them too). Both read
 * {@link #SQL}.
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
 */
public final class SparkSettings {

    /** The settings, in the order they are applied. */
    public static final Map<String, String> SQL = sql();

    /**
     * Hadoop settings: local files are written without the {@code .crc} checksum files beside every output
     * file ({@code RawLocalFileSystem}; checksums matter on HDFS and object stores, which keep their own),
     * and not through a cached checksummed file system created before the session.
     */
    public static final Map<String, String> HADOOP =
            Map.of("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem", "fs.file.impl.disable.cache", "true");

    private SparkSettings() {}

    private static Map<String, String> sql() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.sql.session.timeZone", "UTC");
        m.put("spark.sql.decimalOperations.allowPrecisionLoss", "false");
        m.put("spark.sql.datetime.java8API.enabled", "true");
        m.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        m.put("spark.sql.debug.maxToStringFields", "200");
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Applies {@link #SQL} to a builder.
     *
     * @param builder a session builder
     * @return the same builder
     */
    public static SparkSession.Builder apply(SparkSession.Builder builder) {
        SQL.forEach(builder::config);
        HADOOP.forEach((k, v) -> builder.config("spark.hadoop." + k, v));
        return builder;
    }

    /**
     * Applies {@link #SQL} to a running session (idempotent).
     *
     * @param spark the session
     */
    public static void apply(SparkSession spark) {
        SQL.forEach((k, v) -> spark.conf().set(k, v));
        HADOOP.forEach((k, v) -> spark.sparkContext().hadoopConfiguration().set(k, v));
    }
}
