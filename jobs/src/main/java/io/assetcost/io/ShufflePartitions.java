package io.assetcost.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * How many shuffle partitions ({@code spark.sql.shuffle.partitions}) a run of the cost job uses when the
 * operator has not chosen: sized from the bytes of the input files the run reads, about one partition per
 * 150,000 requests, so that a small night runs a handful of tasks per step instead of Spark's default 200,
 * and a large one gets partitions of a size that neither spills nor schedules thousands of tiny tasks.
 *
 * <p>The bytes per partition are measured on the generated benchmark data (docs/PERFORMANCE.md): the nested
 * JSON Lines log holds about 480 bytes a record, the flat Parquet export about 23 (compressed), acceptance
 * CSV about 100 a decision. A compressed text file ({@code .gz}, {@code .bz2}, ...) counts as
 * {@value #COMPRESSED_TEXT_FACTOR} times its size (JSON logs compress about that well). Usage partitions
 * add up over the kinds; the larger of the usage and acceptance estimates wins, within 1 to {@value #MAX}.
 */
public final class ShufflePartitions {

    /** The Spark SQL setting this sizes. */
    public static final String KEY = "spark.sql.shuffle.partitions";

    /** Usage as JSON Lines or CSV, bytes per partition: 64 MiB, about 140,000 records of the nested log. */
    public static final long TEXT_USAGE_BYTES = 64L << 20;

    /** Usage as Parquet, bytes per partition: 4 MiB, about 180,000 rows of the flat export. */
    public static final long PARQUET_USAGE_BYTES = 4L << 20;

    /** Acceptance CSV, bytes per partition: 16 MiB, about 170,000 decisions. */
    public static final long ACCEPTANCE_BYTES = 16L << 20;

    /** A compressed text file counts as this many times its size on disk. */
    public static final int COMPRESSED_TEXT_FACTOR = 8;

    /** The most partitions chosen. */
    public static final int MAX = 10_000;

    private ShufflePartitions() {}

    /**
     * The partition count for input sizes.
     *
     * @param textUsageBytes usage as JSON Lines or CSV, bytes (compressed files already scaled)
     * @param parquetUsageBytes usage as Parquet, bytes
     * @param acceptanceBytes acceptance CSV, bytes (compressed files already scaled)
     * @return from 1 to {@value #MAX}
     */
    public static int forSizes(long textUsageBytes, long parquetUsageBytes, long acceptanceBytes) {
        long usage = ceilDiv(textUsageBytes, TEXT_USAGE_BYTES) + ceilDiv(parquetUsageBytes, PARQUET_USAGE_BYTES);
        long n = Math.max(usage, ceilDiv(acceptanceBytes, ACCEPTANCE_BYTES));
        return (int) Math.max(1, Math.min(MAX, n));
    }

    /**
     * The partition count for the files a run reads.
     *
     * @param conf Hadoop configuration (the session's)
     * @param usage usage files per kind, as {@link InputFiles#list} gives them
     * @param acceptance acceptance CSV files
     * @return from 1 to {@value #MAX}
     * @throws UncheckedIOException when a file's size cannot be read
     */
    public static int forFiles(Configuration conf, Map<InputFiles.Kind, List<String>> usage, List<String> acceptance) {
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        long text = 0;
        long parquet = 0;
        for (Map.Entry<InputFiles.Kind, List<String>> e : usage.entrySet()) {
            long bytes = bytes(conf, codecs, e.getValue());
            if (e.getKey() == InputFiles.Kind.PARQUET) {
                parquet += bytes;
            } else {
                text += bytes;
            }
        }
        return forSizes(text, parquet, bytes(conf, codecs, acceptance));
    }

    private static long bytes(Configuration conf, CompressionCodecFactory codecs, List<String> files) {
        long total = 0;
        for (String file : files) {
            Path path = new Path(file);
            try {
                long size = path.getFileSystem(conf).getFileStatus(path).getLen();
                total += codecs.getCodec(path) == null ? size : size * COMPRESSED_TEXT_FACTOR;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + file, e);
            }
        }
        return total;
    }

    private static long ceilDiv(long bytes, long per) {
        return (bytes + per - 1) / per;
    }
}
