package io.assetcost.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names a job's steps for the Spark UI and logs them: {@link #start} sets the Spark job group and description that the
 * following Spark jobs carry ({@code assetcost: read, validate and price usage}), and {@link #done} writes one INFO
 * line with what the step produced and its seconds. {@link #concurrently} runs independent steps at the same time, each
 * named the same way on its own thread (Spark's job group and description are properties of the thread that submits a
 * job).
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
        name(step);
    }

    /**
     * Ends the current step with one INFO line: {@code stage write request_costs: 501 rows, 3.2 s}.
     *
     * @param count how many of {@code unit} the step produced
     * @param unit what is counted, plural ({@code rows}, {@code tables}, {@code files})
     */
    public void done(long count, String unit) {
        log(current, count, unit, since);
        since = System.nanoTime();
    }

    /**
     * One step {@link #concurrently} runs.
     *
     * @param name what the step does, as for {@link #start}
     * @param work the step; its result is returned in order
     * @param <T> the result
     */
    public record Step<T>(String name, Callable<T> work) {}

    /**
     * Runs independent steps, up to {@code threads} at a time, each from its own driver thread, and waits for
     * every one of them. Spark's scheduler takes jobs from several threads; on a small night a step is mostly
     * the driver's work (planning, code generation) and a few tiny tasks, so steps that overlap keep both
     * cores busy. With one thread the steps run one after another on the calling thread, as {@link #start} and
     * {@link #done} would run them.
     *
     * @param threads at most this many steps at a time (1 or more)
     * @param steps the steps, independent of each other
     * @param count what a step's result counts, for its log line
     * @param unit what is counted, plural
     * @param <T> a step's result
     * @return the results, in the order of the steps
     * @throws RuntimeException the first failed step's (in step order), once no step is running; a checked
     *     exception comes wrapped in an {@link IllegalStateException}
     */
    public <T> List<T> concurrently(int threads, List<Step<T>> steps, ToLongFunction<T> count, String unit) {
        if (threads <= 1 || steps.size() <= 1) {
            List<T> results = new ArrayList<>(steps.size());
            for (Step<T> step : steps) {
                start(step.name());
                T result = call(step);
                done(count.applyAsLong(result), unit);
                results.add(result);
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, steps.size()), r -> {
            Thread t = new Thread(r, job + "-step");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>(steps.size());
            for (Step<T> step : steps) {
                futures.add(pool.submit(() -> {
                    SparkSession.setActiveSession(spark);
                    name(step.name());
                    long began = System.nanoTime();
                    T result = call(step);
                    log(step.name(), count.applyAsLong(result), unit, began);
                    return result;
                }));
            }
            return results(futures);
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> List<T> results(List<Future<T>> futures) {
        List<T> results = new ArrayList<>(futures.size());
        RuntimeException failure = null;
        for (Future<T> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error error) {
                    throw error;
                }
                if (failure == null) {
                    failure = cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
                }
            } catch (InterruptedException e) {
                futures.forEach(other -> other.cancel(true));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the job's steps", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static <T> T call(Step<T> step) {
        try {
            return step.work().call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(step.name() + " failed", e);
        }
    }

    private void name(String step) {
        spark.sparkContext().setJobGroup(job, job + ": " + step, false);
        spark.sparkContext().setJobDescription(job + ": " + step);
    }

    private static void log(String step, long count, String unit, long since) {
        LOG.info(
                "stage {}: {} {}, {} s",
                step,
                count,
                unit,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - since) / 1e9));
    }
}
