package io.assetcost.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;

/** Steps run at the same time: results in order, each step's Spark jobs named after it, failures not lost. */
class StagesTest extends SparkTestBase {

    @Test
    void concurrentStepsReturnInOrderAndNameTheirOwnSparkJobs() throws Exception {
        Map<Long, String> described = new ConcurrentHashMap<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                described.put(
                        (long) job.jobId(), String.valueOf(job.properties().getProperty("spark.job.description")));
            }
        };
        spark.sparkContext().addSparkListener(listener);
        try {
            Stages stages = new Stages(spark, "test");
            // Both steps wait for each other before their Spark job: they only finish if they run at once.
            CountDownLatch both = new CountDownLatch(2);
            List<Stages.Step<Long>> steps = new ArrayList<>();
            for (long n : new long[] {10, 20, 30}) {
                steps.add(new Stages.Step<>("count " + n, () -> {
                    if (n < 30) {
                        both.countDown();
                        assertThat(both.await(60, TimeUnit.SECONDS)).isTrue();
                    }
                    return spark.range(n).count();
                }));
            }

            assertThat(stages.concurrently(2, steps, Long::longValue, "rows")).containsExactly(10L, 20L, 30L);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            assertThat(described.values())
                    .contains("test: count 10", "test: count 20", "test: count 30")
                    .allMatch(d -> d.startsWith("test: count "));
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
    }

    @Test
    void oneThreadRunsTheStepsInTurnOnTheCallersThread() {
        Stages stages = new Stages(spark, "test");
        Thread caller = Thread.currentThread();
        List<String> order = new ArrayList<>();
        List<Stages.Step<Integer>> steps = List.of(
                new Stages.Step<>("a", () -> {
                    order.add("a:" + (Thread.currentThread() == caller));
                    return 1;
                }),
                new Stages.Step<>("b", () -> {
                    order.add("b:" + (Thread.currentThread() == caller));
                    return 2;
                }));

        assertThat(stages.concurrently(1, steps, Integer::longValue, "things")).containsExactly(1, 2);
        assertThat(order).containsExactly("a:true", "b:true");
    }

    @Test
    void aFailedStepFailsTheCallOnlyOnceEveryStepHasEnded() {
        Stages stages = new Stages(spark, "test");
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        List<Stages.Step<Long>> steps = List.of(
                new Stages.Step<>("fails", () -> {
                    failed.countDown();
                    throw new IllegalArgumentException("bad step");
                }),
                new Stages.Step<>("slow", () -> {
                    assertThat(failed.await(60, TimeUnit.SECONDS)).isTrue();
                    Thread.sleep(200);
                    finished.incrementAndGet();
                    return spark.range(5).count();
                }),
                new Stages.Step<>("checked", () -> {
                    throw new java.io.IOException("disk gone");
                }));

        assertThatThrownBy(() -> stages.concurrently(3, steps, Long::longValue, "rows"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad step");
        assertThat(finished.get()).as("the slow step ran to its end first").isEqualTo(1);

        assertThatThrownBy(() -> stages.concurrently(2, List.of(steps.get(2)), Long::longValue, "rows"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("checked failed")
                .hasRootCauseMessage("disk gone");
    }
}
