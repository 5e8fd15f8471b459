package io.assetcost.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/** Kept datasets: checkpointed ones cut their plan and leave nothing behind; persisted ones are released. */
class KeptTest extends SparkTestBase {

    private static long files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aCheckpointReadsItsFilesWithTheSamePartitioningAndNoShuffleUnderIt() throws Exception {
        Path root = tempDir("kept").resolve("_checkpoints");
        Dataset<Row> byKey =
                spark.range(0, 1000).withColumn("k", col("id").mod(7)).repartition(4, col("k"));
        Dataset<Row> kept;
        try (Kept k = Kept.checkpointed(spark, new org.apache.hadoop.fs.Path(root.toUri()), "run-1")) {
            kept = k.keep(byKey);
            assertThat(k.checkpointDirectory().toString()).endsWith("_checkpoints/run-1");
            assertThat(files(root.resolve("run-1"))).as("written when kept").isPositive();

            Dataset<Row> perKey = kept.groupBy("k").count();
            assertThat(perKey.collectAsList()).hasSize(7);
            String plan = perKey.queryExecution().executedPlan().toString();
            assertThat(plan).as("partitioned by k already: no exchange").doesNotContain("Exchange");
            assertThat(kept.queryExecution().executedPlan().toString())
                    .as("the plan starts at the files")
                    .doesNotContain("Range");
            assertThat(kept.agg(sum("id")).first().getLong(0)).isEqualTo(999L * 1000 / 2);
        }
        assertThat(Files.exists(root))
                .as("the run's directory, and the empty root, deleted")
                .isFalse();
    }

    /**
     * A no-op cast-and-rename below a join (what a contract's conform does) makes the optimizer renumber the
     * join's columns; the kept dataset must still be known to be partitioned and sorted by the join's keys.
     */
    @Test
    void aCheckpointOfAJoinBehindARenamingSelectKeepsItsPartitioning() throws Exception {
        spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
        spark.conf().set("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
        Path root = tempDir("kept-join").resolve("_checkpoints");
        try (Kept k = Kept.checkpointed(spark, new org.apache.hadoop.fs.Path(root.toUri()), "run-1")) {
            Dataset<Row> rows = spark.range(0, 1000)
                    .withColumn("w", col("id").mod(3).cast("string"))
                    .withColumn("a", col("id").mod(77).cast("string"))
                    .repartition(4, col("id"))
                    .select(
                            col("id").cast("long").as("id"),
                            col("w").cast("string").as("w"),
                            col("a").cast("string").as("a"));
            Dataset<Row> perAsset = rows.groupBy("w", "a").agg(max(col("id")).as("last"));
            Dataset<Row> joined = rows.join(perAsset, new String[] {"w", "a"}, "left")
                    .withColumn(
                            "rn", row_number().over(Window.partitionBy("w", "a").orderBy("id")));
            assertThat(joined.queryExecution().analyzed().output())
                    .as("the optimizer renumbers the columns, as in the job")
                    .isNotEqualTo(joined.queryExecution().optimizedPlan().output());

            Dataset<Row> kept = k.keep(joined);
            Dataset<Row> again = kept.groupBy("w", "a").agg(max(col("rn")).as("requests"), sum("id"));

            assertThat(again.agg(sum("requests")).first().getLong(0)).isEqualTo(1000L);
            String plan = again.queryExecution().executedPlan().toString();
            assertThat(plan).as("partitioned by (w, a) already: no exchange").doesNotContain("Exchange");
            assertThat(plan).as("sorted by (w, a) already: no sort").doesNotContain("Sort [");
        } finally {
            spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");
            spark.conf().unset("spark.sql.adaptive.autoBroadcastJoinThreshold");
        }
    }

    @Test
    void theOperatorsCheckpointDirectoryWins() {
        org.apache.hadoop.fs.Path dflt = new org.apache.hadoop.fs.Path("file:/out/_checkpoints");

        assertThat(Kept.directory("", dflt, "r1").toString()).isEqualTo("file:/out/_checkpoints/r1");
        assertThat(Kept.directory(null, dflt, "r1").toString()).isEqualTo("file:/out/_checkpoints/r1");
        assertThat(Kept.directory("hdfs://nn/ck", dflt, "r1").toString()).isEqualTo("hdfs://nn/ck/r1");
    }

    @Test
    void aPersistedDatasetIsReleasedOnClose() {
        Dataset<Long> ds;
        try (Kept k = new Kept(StorageLevel.DISK_ONLY())) {
            ds = k.keep(spark.range(0, 10));
            assertThat(ds.count()).isEqualTo(10);
            assertThat(ds.storageLevel()).isEqualTo(StorageLevel.DISK_ONLY());
            assertThat(k.checkpointDirectory()).isNull();
        }
        assertThat(ds.storageLevel()).isEqualTo(StorageLevel.NONE());
    }
}
