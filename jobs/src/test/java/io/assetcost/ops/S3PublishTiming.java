package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.schema.OutputTable;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures the publish step ({@link Publisher#publish}) on the local file system and on an S3-compatible store
 * ({@link S3Store}), alternated, for docs/PERFORMANCE.md. Not a test of behaviour and off by default: {@code
 * -Dassetcost.measure.publish=N} runs N publishes on each. The output is laid out as the sample's: every table the
 * cost job writes, a partition per day for 2026-11-03 to 2026-11-17 with one file each of the sample's size (a few
 * KB), and a nightly publish for 2026-11-17 (lookback 7: eight partitions of each partitioned table) or a full one.
 */
@EnabledIfSystemProperty(named = "assetcost.measure.publish", matches = "\\d+")
class S3PublishTiming {

    @RegisterExtension
    static final S3Store STORE = new S3Store();

    private static final List<OutputTable> TABLES = OutputTable.writtenBy(OutputTable.Job.COST);
    private static final LocalDate FIRST = LocalDate.parse("2026-11-03");
    private static final int DAYS = 15;
    private static final byte[] FILE = new byte[6 * 1024];

    static {
        new Random(32).nextBytes(FILE);
    }

    private static void write(FileSystem fs, Path p) throws Exception {
        try (OutputStream os = fs.create(p, true)) {
            os.write(FILE);
        }
    }

    /** Lays out the tables under {@code dir} (one file per partition), as a run writes them. */
    private static void tables(FileSystem fs, Path dir) throws Exception {
        for (OutputTable t : TABLES) {
            Path table = new Path(dir, t.tableName());
            if (t.partitionColumn() == null) {
                write(fs, new Path(table, "part-00000.parquet"));
                continue;
            }
            for (int d = 0; d < DAYS; d++) {
                write(fs, new Path(table, t.partitionColumn() + "=" + FIRST.plusDays(d) + "/part-00000.parquet"));
            }
        }
    }

    private static double publishSeconds(Configuration conf, String root, String runId, RunWindow window)
            throws Exception {
        OutputLayout out = new OutputLayout(root);
        FileSystem fs = new Path(root).getFileSystem(conf);
        if (!fs.exists(out.table(TABLES.get(0)))) {
            tables(fs, new Path(root));
        }
        tables(fs, out.staging(runId));
        long t0 = System.nanoTime();
        Publisher.publish(conf, out, runId, TABLES, window);
        double s = (System.nanoTime() - t0) / 1e9;
        assertThat(fs.exists(out.stagingRoot())).isFalse();
        return s;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void report(String what, List<Double> local, List<Double> s3) {
        System.out.printf(
                Locale.ROOT,
                "publish %s: local median %.3f s (%.3f-%.3f), s3 median %.3f s (%.3f-%.3f), s3/local %.1fx%n",
                what,
                median(local),
                Collections.min(local),
                Collections.max(local),
                median(s3),
                Collections.min(s3),
                Collections.max(s3),
                median(s3) / median(local));
    }

    @Test
    void publishOnTheLocalFileSystemAndOnTheStore() throws Exception {
        int n = Integer.parseInt(System.getProperty("assetcost.measure.publish"));
        Configuration conf = STORE.configure(new Configuration());
        String local = Files.createTempDirectory("publish-timing").toUri().toString();
        RunWindow night = new RunWindow(false, LocalDate.parse("2026-11-17"), 7);
        RunWindow full = new RunWindow(true, null, 0);
        List<Double> localNight = new ArrayList<>();
        List<Double> s3Night = new ArrayList<>();
        List<Double> localFull = new ArrayList<>();
        List<Double> s3Full = new ArrayList<>();
        // One untimed publish on each first: class loading and the s3a client's connection pool.
        publishSeconds(conf, local + "warm", "warm", night);
        publishSeconds(conf, STORE.uri("warm"), "warm", night);
        for (int i = 0; i < n; i++) {
            localNight.add(publishSeconds(conf, local + "out", "night-" + i, night));
            s3Night.add(publishSeconds(conf, STORE.uri("out"), "night-" + i, night));
            s3Full.add(publishSeconds(conf, STORE.uri("out"), "full-" + i, full));
            localFull.add(publishSeconds(conf, local + "out", "full-" + i, full));
        }
        report("nightly (2026-11-17, lookback 7)", localNight, s3Night);
        report("full", localFull, s3Full);
    }
}
