package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.CostJob;
import io.assetcost.SparkTestBase;
import io.assetcost.run.SparkSettings;
import io.assetcost.schema.OutputTable;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures the cost job's publish step on an S3-compatible store ({@link S3Store}) in both table formats, alternated,
 * for docs/PERFORMANCE.md: {@link Publisher#publish} (Parquet: a rename, that is a copy of each object, per table or
 * partition) against {@link Publisher#publishDelta} (one Delta commit per table, written from the staged rows). Not a
 * test of behaviour and off by default: {@code -Dassetcost.measure.publish=N} runs N publishes of each kind.
 *
 * <p>The staged tables are real: the sample's full run, written locally once, then copied to the store's staging
 * before each publish (untimed), whole for a full publish, and for a nightly one (2026-11-15, lookback 7) only the
 * window's partitions, as a nightly run stages them.
 */
@EnabledIfSystemProperty(named = "assetcost.measure.publish", matches = "\\d+")
class S3PublishFormatTiming extends SparkTestBase {

    @RegisterExtension
    static final S3Store STORE = new S3Store();

    private static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.COST);
    private static final RunWindow NIGHT = new RunWindow(false, LocalDate.parse("2026-11-15"), 7);
    private static final RunWindow FULL = new RunWindow(true, null, 0);

    /** Copies the sample's tables into the run's staging on the store: the window's partitions, or every one. */
    private static void stage(Configuration conf, Path sample, OutputLayout out, String runId, RunWindow window)
            throws Exception {
        FileSystem local = sample.getFileSystem(conf);
        FileSystem store = out.journal().getFileSystem(conf);
        for (OutputTable t : TABLES) {
            Path src = new Path(sample, t.tableName());
            Path dst = out.staged(runId, t);
            if (window.full() || t.partitionColumn() == null) {
                FileUtil.copy(local, src, store, dst, false, conf);
                continue;
            }
            for (FileStatus st : local.listStatus(src)) {
                String name = st.getPath().getName();
                String prefix = t.partitionColumn() + "=";
                if (name.startsWith(prefix) && window.replaces(LocalDate.parse(name.substring(prefix.length())))) {
                    FileUtil.copy(local, st.getPath(), store, new Path(dst, name), false, conf);
                }
            }
        }
    }

    private static double publishSeconds(Configuration conf, Path sample, boolean delta, String runId, RunWindow window)
            throws Exception {
        OutputLayout out = new OutputLayout(STORE.uri(delta ? "delta" : "parquet"));
        stage(conf, sample, out, runId, window);
        long t0 = System.nanoTime();
        if (delta) {
            Publisher.publishDelta(spark, out, runId, TABLES, window, List.of());
        } else {
            Publisher.publish(conf, out, runId, TABLES, window);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        assertThat(out.journal().getFileSystem(conf).exists(out.stagingRoot())).isFalse();
        return s;
    }

    @Test
    void publishParquetAndDeltaOnTheStore() throws Exception {
        int n = Integer.parseInt(System.getProperty("assetcost.measure.publish"));
        spark.stop();
        spark = localSession(DELTA_SESSION);
        java.nio.file.Path sampleDir =
                Files.createTempDirectory("publish-sample").resolve("out");
        int code = CostJob.execute(sampleArgs(sampleDir), System.out, System.err, spark);
        assertThat(code).isZero();
        SparkSettings.forOutput(spark, STORE.uri("parquet"));
        Configuration conf = STORE.configure(spark.sparkContext().hadoopConfiguration());
        Path sample = new Path(sampleDir.toUri());
        List<Double> parquetNight = new ArrayList<>();
        List<Double> deltaNight = new ArrayList<>();
        List<Double> parquetFull = new ArrayList<>();
        List<Double> deltaFull = new ArrayList<>();
        // One untimed full publish of each: the live tables, class loading, the s3a connection pool, Delta's planning.
        publishSeconds(conf, sample, false, "warm", FULL);
        publishSeconds(conf, sample, true, "warm", FULL);
        for (int i = 0; i < n; i++) {
            boolean deltaFirst = i % 2 == 1;
            for (boolean delta : new boolean[] {deltaFirst, !deltaFirst}) {
                (delta ? deltaNight : parquetNight).add(publishSeconds(conf, sample, delta, "night-" + i, NIGHT));
            }
            for (boolean delta : new boolean[] {!deltaFirst, deltaFirst}) {
                (delta ? deltaFull : parquetFull).add(publishSeconds(conf, sample, delta, "full-" + i, FULL));
            }
        }
        report("nightly (2026-11-15, lookback 7)", parquetNight, deltaNight);
        report("full", parquetFull, deltaFull);
    }

    private static void report(String what, List<Double> parquet, List<Double> delta) {
        System.out.printf(
                Locale.ROOT,
                "publish on the store, %s: parquet median %.3f s (%.3f-%.3f), delta median %.3f s (%.3f-%.3f),"
                        + " delta/parquet %.1fx; parquet %s; delta %s%n",
                what,
                S3PublishTiming.median(parquet),
                Collections.min(parquet),
                Collections.max(parquet),
                S3PublishTiming.median(delta),
                Collections.min(delta),
                Collections.max(delta),
                S3PublishTiming.median(delta) / S3PublishTiming.median(parquet),
                parquet,
                delta);
    }
}
