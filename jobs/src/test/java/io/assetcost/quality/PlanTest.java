package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.io.CsvSource;
import io.assetcost.outcome.Outcomes;
import io.assetcost.planning.Headroom;
import io.assetcost.planning.RateLimitCard;
import io.assetcost.pricing.Priced;
import io.assetcost.pricing.RateCard;
import io.assetcost.run.Kept;
import io.assetcost.schema.Cols;
import io.assetcost.schema.OutputTable;
import io.assetcost.schema.Schemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.junit.jupiter.api.Test;

/**
 * The physical plan the README's "Performance" section describes: usage and acceptance records are each
 * shuffled once, by request_id, and from there the usage windows, the join of decisions to their requests
 * (kept as checkpoints, as the job keeps them) and the per-image aggregate add no shuffle. Broadcast joins are
 * switched off, as they would be for inputs of millions of rows, so that every join shows its exchanges.
 */
class PlanTest extends SparkTestBase {

    private static final String T = "2026-05-01T12:00:00Z";

    /**
     * Distinct plan lines with a marker (adaptive plans print their initial plan too; "*(n)" and the plan ids
     * are dropped).
     */
    private static List<String> lines(Dataset<Row> df, String marker) {
        return Arrays.stream(df.queryExecution().executedPlan().toString().split("\n"))
                .filter(l -> l.contains(marker))
                .map(l -> l.replaceAll("^[\\s:+-]*(\\*\\(\\d+\\) )?", ""))
                .map(l -> l.replaceAll(", \\[plan_id=\\d+]", ""))
                .distinct()
                .toList();
    }

    /** The physical plans of every query the session ran during {@code action}, as text. */
    private static List<String> plansRunBy(Runnable action) {
        List<String> plans = new java.util.concurrent.CopyOnWriteArrayList<>();
        QueryExecutionListener listener = new QueryExecutionListener() {
            @Override
            public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
                plans.add(qe.executedPlan().toString());
            }

            @Override
            public void onFailure(String funcName, QueryExecution qe, Exception exception) {}
        };
        spark.listenerManager().register(listener);
        try {
            action.run();
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not drain", e);
        } finally {
            spark.listenerManager().unregister(listener);
        }
        return plans;
    }

    /** A window or sort ordered by a record's text (raw_record, record_text, export_row). */
    private static final java.util.regex.Pattern TEXT_ORDER =
            java.util.regex.Pattern.compile("(raw_record|record_text|export_row)#\\d+ (ASC|DESC)");

    /**
     * Copies found narrow, compared exactly only where there are copies (docs/DESIGN.md, "The plan of a
     * night"): the rows cross one shuffle, by request_id, with no sort and no window; a record's text crosses
     * it only on a row with copies; the one window runs over the rows with copies alone, and nothing is
     * ordered by a record's text.
     */
    @Test
    void copiesAreFoundNarrowAndComparedOnlyWhereThereAreCopies() throws Exception {
        try (Kept kept = Kept.checkpointed(
                spark, new org.apache.hadoop.fs.Path(tempDir("copies").toUri()), "run")) {
            copiesAreFoundNarrow(kept);
        }
    }

    private static void copiesAreFoundNarrow(Kept kept) {
        String a = line("a", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0);
        Dataset<Row> usage = usageLines(
                a,
                a,
                line("b", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                line("c", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0));
        UsageValidation.Copies copies = UsageValidation.copies(usage);
        assertThat(copies.all()).isFalse();
        assertThat(copies.idList()).containsExactly("a");

        Dataset<Row> planned = UsageValidation.narrow(UsageValidation.check(usage, Bounds.DEFAULT, copies), lit(false));
        assertThat(exchanges(planned)).hasSize(1).allMatch(l -> l.contains("hashpartitioning(request_id"));
        assertThat(lines(planned, "Sort [")).isEmpty();
        assertThat(lines(planned, "Window [")).isEmpty();
        // As in the job, the narrow rows are kept (checkpointed) before the copies are resolved.
        Dataset<Row> narrow = kept.keep(planned);
        List<Row> rows = narrow.select(Cols.REQUEST_ID, Cols.RECORD_TEXT, Cols.RAW_RECORD)
                .collectAsList();
        assertThat(rows).hasSize(4).allSatisfy(r -> {
            boolean copied = r.getString(0).equals("a");
            assertThat(r.isNullAt(1)).as("record_text of %s", r.getString(0)).isNotEqualTo(copied);
            assertThat(r.isNullAt(2)).as("raw_record of %s", r.getString(0)).isNotEqualTo(copied);
        });

        Dataset<Row>[] flagged = new Dataset[1];
        List<String> plans = plansRunBy(() -> {
            flagged[0] = UsageValidation.resolve(narrow, copies, UsageValidation.rejected());
            assertThat(flagged[0].filter(col(Cols.DUPLICATE)).count()).isEqualTo(1);
        });
        // The flagged rows: the narrow rows and a broadcast of the verdicts, no window and no sort.
        assertThat(lines(flagged[0], "Window [")).isEmpty();
        assertThat(lines(flagged[0], "Sort [")).isEmpty();
        List<String> windowed =
                plans.stream().filter(p -> p.contains("Window [")).toList();
        assertThat(windowed).isNotEmpty().allMatch(p -> p.contains(UsageValidation.HAS_COPIES));
        assertThat(plans).noneMatch(p -> TEXT_ORDER.matcher(p).find());
    }

    @Test
    void decisionsMeetTheirRequestsWithoutAnotherShuffle() throws Exception {
        spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
        spark.conf().set("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
        Path dir = tempDir("plan");
        try (Kept kept = Kept.checkpointed(spark, new org.apache.hadoop.fs.Path(dir.toUri()), "run")) {
            // As in the job: each dataset is kept (checkpointed, so computed) before the next step is planned.
            Dataset<Row> lines = usageLines(
                    line("q1", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                    line("q2", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                    "{\"request_id\":\"held\"}");
            UsageValidation.Copies copies = UsageValidation.copies(lines);
            Dataset<Row> narrow =
                    kept.keep(UsageValidation.narrow(UsageValidation.check(lines, Bounds.DEFAULT, copies), lit(false)));
            Dataset<Row> usage = UsageValidation.resolve(narrow, copies, UsageValidation.rejected());
            assertThat(usage.count()).isEqualTo(3);
            UsageValidation.Result checked = UsageValidation.views(usage);
            Path file = dir.resolve("acceptance.csv");
            Files.writeString(
                    file,
                    "request_id,image_index,asset_id,workflow_id,decision,decided_at,reviewer_id,reason\r\n"
                            + "q1,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n"
                            + "q1,0,,,rejected,2026-05-01T12:30:00Z,rev,\r\n"
                            + "q2,0,,,rejected,2026-05-01T13:00:00Z,rev,\r\n"
                            + "held,0,,,approved,2026-05-01T13:00:00Z,rev,\r\n",
                    StandardCharsets.UTF_8);
            Dataset<Row> records = CsvSource.read(
                    spark, List.of(file.toUri().toString()), Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), false);
            Dataset<Row> linked = AcceptanceValidation.validate(
                            records,
                            checked.accepted()
                                    .select(Cols.REQUEST_ID, Cols.N, Cols.WORKFLOW_ID, Cols.ASSET_ID, Cols.CREATED_AT),
                            checked.quarantined().select(Cols.REQUEST_ID))
                    .flagged();
            linked.collect();
            // The records are shuffled by request_id once; the kept usage is partitioned that way already.
            assertThat(exchanges(linked)).hasSize(1).allMatch(l -> l.contains("REPARTITION_BY_NUM"));
            // The priced requests are hashed, not sorted: the only sort is the duplicates' window.
            assertThat(lines(linked, "ShuffledHashJoin")).hasSize(2);
            assertThat(lines(linked, "SortMergeJoin")).isEmpty();
            assertThat(lines(linked, "Sort [")).hasSize(1);
            // The request rules come before the duplicates' window, so that its sort takes rows whose text and
            // file are gone (kept only on a record that may go to quarantine): the sort is above both joins.
            String tree = linked.queryExecution().executedPlan().toString();
            assertThat(tree.indexOf("Sort [")).isNotNegative().isLessThan(tree.indexOf("ShuffledHashJoin"));
            AcceptanceValidation.Result acceptance = AcceptanceValidation.views(kept.keep(linked));
            assertThat(acceptance.flagged().count()).isEqualTo(4);
            Dataset<Row> images = Outcomes.imageOutcomes(acceptance.decisions());
            assertThat(images.count()).isEqualTo(2);
            assertThat(acceptance.quarantined().collectAsList())
                    .extracting(r -> (String) r.getAs(Cols.PARSE_REASON))
                    .containsExactly("request_quarantined");
            images.collect();
            // Per image, from the kept records: no shuffle at all.
            assertThat(exchanges(images)).isEmpty();
        } finally {
            spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");
            spark.conf().unset("spark.sql.adaptive.autoBroadcastJoinThreshold");
        }
    }

    /**
     * The outcomes in one sorted pass per asset: the request rows cross one shuffle, by asset, and one sort,
     * the window's, which gives the attempt number, the first request and every figure of the asset together;
     * each request meets its review by request_id with no shuffle (both sides are partitioned so, as in the
     * job), the reviews hashed, not sorted; and no aggregate falls back to sorting (Spark plans an aggregate of
     * a string or struct as a SortAggregate).
     */
    @Test
    void outcomesSortTheRequestRowsOnce() {
        spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
        spark.conf().set("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
        try {
            Dataset<Row> costs = UsageValidation.validate(usageLines(
                            line("q1", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                            line("q2", "2026-05-01T12:05:00Z", "gpt-image-2", "default", 100, 0, 0, 0, 100, 0)))
                    .accepted();
            org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                    .add(Cols.WORKFLOW_ID, "string")
                    .add(Cols.ASSET_ID, "string")
                    .add(Cols.REQUEST_ID, "string")
                    .add(Cols.IMAGE_INDEX, "int")
                    .add(Cols.DECISION, "string")
                    .add(Cols.DECIDED_AT, "timestamp");
            java.sql.Timestamp at = java.sql.Timestamp.valueOf("2026-05-01 13:00:00");
            Dataset<Row> decisions = UsageValidation.byRequestId(spark.createDataFrame(
                    List.of(
                            org.apache.spark.sql.RowFactory.create("wf", "a-q1", "q1", 0, "approved", at),
                            org.apache.spark.sql.RowFactory.create("wf", "a-q2", "q2", 0, "rejected", at)),
                    schema));
            Dataset<Row> outcomes = Outcomes.requestOutcomes(costs, decisions);
            assertThat(outcomes.count()).isEqualTo(2);
            outcomes.collect();
            // One Window operator gives both the attempt number and the first request (the other one is the
            // image outcomes', over the decisions).
            assertThat(lines(outcomes, "Window [").stream().filter(l -> l.contains("AS attempt_number")))
                    .hasSize(1)
                    .allMatch(l -> l.contains("AS first_request_at"));
            assertThat(lines(outcomes, "Window ["))
                    .noneMatch(l -> l.contains("AS first_request_at") && !l.contains("AS attempt_number"));
            assertThat(lines(outcomes, "Sort [").stream().filter(l -> l.contains("created_at")))
                    .hasSize(1);
            assertThat(lines(outcomes, "Join")).hasSize(1).allMatch(l -> l.startsWith("ShuffledHashJoin [request_id"));
            assertThat(lines(outcomes, "SortAggregate")).isEmpty();
            // asset_costs from the outcomes: no shuffle and no sort of its own. Its aggregate is sort-based (a
            // max of strings) and streams over the window's order, by asset, which its output keeps.
            Column usd = lit(java.math.BigDecimal.ONE).cast(io.assetcost.pricing.RequestPricing.USD);
            Dataset<Row> assets =
                    io.assetcost.report.Reports.assetCosts(outcomes.withColumn(Cols.IMAGES_GENERATED, lit(1))
                            .withColumn(Cols.COST_USD, usd)
                            .withColumn(Cols.CACHE_SAVINGS_USD, usd));
            assertThat(assets.count()).isEqualTo(2);
            assertThat(exchanges(assets)).hasSameSizeAs(exchanges(outcomes));
            assertThat(lines(assets, "Sort [")).hasSameSizeAs(lines(outcomes, "Sort ["));
            assertThat(exchanges(outcomes).stream().filter(l -> l.contains("ENSURE_REQUIREMENTS")))
                    .hasSize(1)
                    .allMatch(l -> l.contains("hashpartitioning(workflow_id#") && l.contains("asset_id#"));
            assertThat(outcomes.collectAsList())
                    .extracting(r -> r.getAs(Cols.REQUEST_ID) + " " + r.getAs(Outcomes.ASSET_STATUS) + " "
                            + r.getAs(Outcomes.IS_WINNING) + " " + r.getAs(Cols.IMAGES_REVIEWED))
                    .containsExactlyInAnyOrder("q1 approved true 1", "q2 rejected false 1");
        } finally {
            spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");
            spark.conf().unset("spark.sql.adaptive.autoBroadcastJoinThreshold");
        }
    }

    /**
     * rate_limit_headroom reads the priced requests once: the minutes are flagged against the account tier and
     * summed by day in one line of aggregates, not in two whose plans differ (so that Spark cannot share them).
     */
    @Test
    void headroomReadsTheRequestsOnce() throws Exception {
        RateLimitCard limits = RateLimitCard.load(new Configuration(false), null);
        try (Kept kept = Kept.checkpointed(
                spark, new org.apache.hadoop.fs.Path(tempDir("headroom").toUri()), "run")) {
            Dataset<Row> costs = kept.keep(OutputTable.REQUEST_COSTS.conform(Priced.of(
                            UsageValidation.validate(usageLines(
                                            line("h1", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                                            line(
                                                    "h2",
                                                    "2026-05-01T12:01:00Z",
                                                    "gpt-image-2",
                                                    "default",
                                                    100,
                                                    0,
                                                    0,
                                                    0,
                                                    100,
                                                    0)))
                                    .accepted(),
                            RateCard.load(new Configuration(false), null))
                    .priced()));
            Dataset<Row> headroom = Headroom.of(
                    costs,
                    limits.dataset(spark),
                    limits.limits().stream()
                            .map(RateLimitCard.Limit::model)
                            .distinct()
                            .toList(),
                    1);
            assertThat(headroom.collectAsList()).hasSize(1);
            // The kept requests appear once in the plan (the adaptive plan's initial plan prints them again,
            // with the same ids, and lines() keeps one of each).
            assertThat(lines(headroom, "Scan ExistingRDD")).hasSize(1);
        }
    }

    private static List<String> exchanges(Dataset<Row> df) {
        return lines(df, "Exchange ").stream()
                .filter(l -> !l.contains("BroadcastExchange"))
                .toList();
    }
}
