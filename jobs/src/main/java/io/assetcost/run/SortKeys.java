package io.assetcost.run;

import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Partition keys of a window over full-size data, led by a hash of the keys.
 *
 * <p>A window sorts its rows by its partition keys, then its order. Spark's sort first compares an 8-byte
 * prefix of the first sort key and reads the rows themselves only where the prefixes tie; the prefix of a string
 * is its first 8 bytes. Keys that share their first 8 bytes tie on every comparison: every request_id of the
 * form {@code req_0000...}, or every asset of one workflow where workflow_id comes first. A leading int hash of
 * the same keys (Spark's {@code hash}, Murmur3) decides almost every comparison by the prefix; the rows that tie
 * on it are those of one group (or of a rare collision), which the keys that follow then tell apart. The groups
 * do not change, since the hash is a function of the keys, and neither does the order within a group. A
 * dataset hash-partitioned by some of the keys needs no other exchange: Spark's clustered distribution is met
 * by a hash partitioning over any subset of its keys.
 */
public final class SortKeys {

    private SortKeys() {}

    /**
     * The keys, led by their hash.
     *
     * @param keys the window's partition keys
     * @return {@code hash(keys...)} (int), then the keys, for {@code Window.partitionBy}
     */
    public static Column[] hashLed(Column... keys) {
        return Stream.concat(Stream.of(functions.hash(keys)), Arrays.stream(keys))
                .toArray(Column[]::new);
    }

    /**
     * The named columns, led by their hash.
     *
     * @param columns the window's partition key columns
     * @return {@code hash(columns...)} (int), then the columns, for {@code Window.partitionBy}
     */
    public static Column[] hashLed(String... columns) {
        return hashLed(Arrays.stream(columns).map(functions::col).toArray(Column[]::new));
    }
}
