package io.assetcost.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * The local-disk, codegen and Delta snapshot settings: defaults where the operator is silent, the operator's value
 * where not.
 */
class SparkSettingsTest extends SparkTestBase {

    @Test
    void anOperatorsSettingIsNeverReplaced() {
        SparkConf conf = new SparkConf(false).set("spark.io.compression.codec", "lz4");

        assertThat(SparkSettings.localDiskDefaults(conf))
                .containsExactly(
                        java.util.Map.entry("spark.rdd.compress", "true"),
                        java.util.Map.entry("spark.cleaner.periodicGC.interval", "30s"),
                        java.util.Map.entry("spark.checkpoint.compress", "true"));
    }

    @Test
    void aSilentConfigurationGetsEveryDefault() {
        assertThat(SparkSettings.localDiskDefaults(new SparkConf(false))).isEqualTo(SparkSettings.LOCAL_DISK);
        assertThat(SparkSettings.localDiskDefaults(new SparkConf(false)
                        .set("spark.io.compression.codec", "lz4")
                        .set("spark.rdd.compress", "false")
                        .set("spark.cleaner.periodicGC.interval", "30min")
                        .set("spark.checkpoint.compress", "false")))
                .isEmpty();
    }

    @Test
    void theTestSessionStartedWithTheDefaults() {
        SparkConf running = spark.sparkContext().getConf();

        SparkSettings.LOCAL_DISK.forEach(
                (k, v) -> assertThat(running.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void aRunningSessionGetsTheCodegenLimitUnlessItSetsItsOwn() {
        String key = "spark.sql.codegen.hugeMethodLimit";
        try {
            spark.conf().unset(key);
            SparkSettings.apply(spark);
            assertThat(spark.conf().get(key)).isEqualTo("8000");

            spark.conf().set(key, "65535");
            SparkSettings.apply(spark);
            assertThat(spark.conf().get(key)).isEqualTo("65535");
        } finally {
            spark.conf().set(key, SparkSettings.CODEGEN.get(key));
        }
    }

    @Test
    void deltaSnapshotsAreBuiltWithTheSessionsParallelismUnlessTheOperatorSaidOtherwise() {
        String key = SparkSettings.DELTA_SNAPSHOT_PARTITIONS;
        try {
            spark.conf().unset(key);
            SparkSettings.apply(spark);
            assertThat(spark.conf().get(key)).isEqualTo("2"); // local[2]

            spark.conf().set(key, "50");
            SparkSettings.apply(spark);
            assertThat(spark.conf().get(key)).isEqualTo("50");
        } finally {
            spark.conf().set(key, "2");
        }
    }

    @Test
    void rawLocalFilesOnlyForALocalOutputSoThatS3aCanBufferItsUploads() throws Exception {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);

        SparkSettings.forOutput(conf, "/srv/assetcost/out");
        assertThat(conf.get("fs.file.impl")).isEqualTo("org.apache.hadoop.fs.RawLocalFileSystem");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> org.apache.hadoop.fs.FileSystem.getLocal(conf)))
                .as("what s3a's disk buffer does with the raw local file system")
                .isInstanceOf(ClassCastException.class);

        SparkSettings.forOutput(conf, "s3a://bucket/assetcost/out");
        assertThat(conf.get("fs.file.impl")).isNull();
        assertThat(conf.get("fs.file.impl.disable.cache")).isNull();
        assertThat(org.apache.hadoop.fs.FileSystem.getLocal(conf)).isNotNull();

        SparkSettings.forOutput(conf, "file:///srv/assetcost/out");
        assertThat(conf.get("fs.file.impl")).isEqualTo("org.apache.hadoop.fs.RawLocalFileSystem");
    }
}
