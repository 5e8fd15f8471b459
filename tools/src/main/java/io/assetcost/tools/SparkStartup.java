package io.assetcost.tools;

import io.assetcost.run.SparkSettings;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * Measures what any Spark job pays before and after its own work, so that the benchmark can say which part
 * of a small run is Spark's and which is ours (docs/PERFORMANCE.md): building the session the way the jobs
 * build it, one trivial Spark job (a count over one row: a scheduling round and the first code generation),
 * and stopping the session. Run it through {@code spark-submit} (or {@code scripts/lib.sh}'s
 * {@code assetcost_submit}) like a job; the JVM's own start is the rest of the wall time.
 *
 * <p>Prints one line: {@code session_s=... first_job_s=... stop_s=...} (seconds, 3 places).
 */
public final class SparkStartup {

    private SparkStartup() {}

    /**
     * Runs the measurement.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        SparkSession spark = SparkSettings.apply(SparkSession.builder().appName("assetcost-startup"))
                .getOrCreate();
        long t1 = System.nanoTime();
        long rows = spark.range(1).count();
        long t2 = System.nanoTime();
        spark.stop();
        long t3 = System.nanoTime();
        if (rows != 1) {
            throw new IllegalStateException("spark.range(1).count() gave " + rows);
        }
        System.out.printf(
                "session_s=%s first_job_s=%s stop_s=%s%n", seconds(t1 - t0), seconds(t2 - t1), seconds(t3 - t2));
    }

    private static String seconds(long nanos) {
        return String.format("%.3f", TimeUnit.NANOSECONDS.toMillis(nanos) / 1000.0);
    }
}
