package io.assetcost.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The local-disk settings: defaults where the operator is silent, the operator's value where not. */
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
}
