package io.assetcost.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shuffle partitions a run sizes from its input when the operator has not set them. */
class ShufflePartitionsTest {

    private static final long MIB = 1L << 20;

    @Test
    void aSmallNightGetsOnePartition() {
        assertThat(ShufflePartitions.forSizes(0, 0, 0)).isEqualTo(1);
        // The sample: about 250 KB of JSON Lines and 60 KB of acceptance CSV.
        assertThat(ShufflePartitions.forSizes(250_000, 0, 60_000)).isEqualTo(1);
    }

    @Test
    void theBenchmarkSizesGetAboutOnePartitionPer150000Requests() {
        // Measured inputs (docs/PERFORMANCE.md): 10M requests are 229 MiB of Parquet and about 1.2 GB of
        // acceptance CSV; 50M are 1.2 GiB and 6.1 GiB.
        int tenMillion = ShufflePartitions.forSizes(0, 229 * MIB, 1_200_000_000L);
        assertThat(tenMillion).isBetween(50, 80);
        int fiftyMillion = ShufflePartitions.forSizes(0, 1229 * MIB, 6550 * MIB);
        assertThat(fiftyMillion).isBetween(300, 420);
        // 1M requests as JSON Lines: 475 MiB.
        assertThat(ShufflePartitions.forSizes(475 * MIB, 0, 120 * MIB)).isEqualTo(8);
    }

    @Test
    void usageKindsAddUpAndTheLargerOfUsageAndAcceptanceWins() {
        assertThat(ShufflePartitions.forSizes(64 * MIB, 4 * MIB, 0)).isEqualTo(2);
        assertThat(ShufflePartitions.forSizes(64 * MIB + 1, 4 * MIB + 1, 0)).isEqualTo(4);
        assertThat(ShufflePartitions.forSizes(0, 4 * MIB, 160 * MIB)).isEqualTo(10);
    }

    @Test
    void neverMoreThanTheCap() {
        assertThat(ShufflePartitions.forSizes(Long.MAX_VALUE / 2, Long.MAX_VALUE / 4, Long.MAX_VALUE / 2))
                .isEqualTo(ShufflePartitions.MAX);
    }

    @Test
    void filesAreMeasuredOnDiskAndCompressedTextCountsEightTimes(@TempDir Path dir) throws Exception {
        byte[] noise = new byte[(int) (9 * MIB)];
        new Random(7).nextBytes(noise); // incompressible: the .gz is about as large as the plain file
        Path plain = dir.resolve("usage.jsonl");
        Files.write(plain, noise);
        Path gz = dir.resolve("usage.jsonl.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(noise);
        }
        Path acceptance = dir.resolve("acceptance.csv");
        Files.write(acceptance, new byte[(int) (17 * MIB)]);
        Configuration conf = new Configuration();
        assertThat(ShufflePartitions.forFiles(
                        conf, Map.of(InputFiles.Kind.JSON_LINES, List.of(plain.toString())), List.of()))
                .as("9 MiB of JSON Lines")
                .isEqualTo(1);
        assertThat(ShufflePartitions.forFiles(
                        conf, Map.of(InputFiles.Kind.JSON_LINES, List.of(gz.toString())), List.of()))
                .as("9 MiB of gzip counted as 72 MiB of JSON Lines")
                .isEqualTo(2);
        assertThat(ShufflePartitions.forFiles(
                        conf, Map.of(InputFiles.Kind.PARQUET, List.of(plain.toString())), List.of()))
                .as("9 MiB of Parquet")
                .isEqualTo(3);
        assertThat(ShufflePartitions.forFiles(conf, Map.of(), List.of(acceptance.toString())))
                .as("17 MiB of acceptance CSV")
                .isEqualTo(2);
    }
}
