package io.assetcost.run;

import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names a job's steps for the Spark UI and logs them: {@link #start} sets the Spark job group and
 * description that the following Spark jobs carry ({@code assetcost: read, validate and price usage}), and
 * {@link #done} writes one INFO line with what the step produced and its seconds. Both jobs use it, so
 * their logs read alike.
 */
public final class Stages {

    private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

    private final SparkSession spark;
    private final String job;
    private String current = "start";
    private long since = System.nanoTime();

    /**
     * @param spark the session whose jobs are named
     * @param job the job's name, the prefix of every description ({@code assetcost})
     */
    public Stages(SparkSession spark, String job) {
        this.spark = spark;
        this.job = job;
    }

    /**
     * Starts a step: the Spark jobs that follow carry its name.
     *
     * @param step what the step does, e.g. {@code write request_costs}
     */
    public void start(String step) {
        current = step;
        since = System.nanoTime();
        spark.sparkContext().setJobGroup(job, job + ": " + step, false);
        spark.sparkContext().setJobDescription(job + ": " + step);
    }

    /**
     * Ends the current step with one INFO line: {@code stage write request_costs: 501 rows, 3.2 s}.
     *
     * @param count how many of {@code unit} the step produced
     * @param unit what is counted, plural ({@code rows}, {@code tables}, {@code files})
     */
    public void done(long count, String unit) {
        long now = System.nanoTime();
        LOG.info(
                "stage {}: {} {}, {} s", current, count, unit, String.format(Locale.ROOT, "%.1f", (now - since) / 1e9));
        since = now;
    }
}
