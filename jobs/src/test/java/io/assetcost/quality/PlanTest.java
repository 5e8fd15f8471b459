package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import io.assetcost.io.CsvSource;
import io.assetcost.outcome.Outcomes;
import io.assetcost.run.Kept;
import io.assetcost.schema.Cols;
import io.assetcost.schema.Schemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

    /**
     * The copies of each request_id are compared in one window: one Window operator over one sort, on input
     * partitioned by request_id already (the one exchange is byRequestId's).
     */
    @Test
    void usageValidationComparesCopiesInOneWindowOverOneSort() {
        Dataset<Row> flagged = UsageValidation.validate(UsageValidation.byRequestId(usageLines(
                        line("a", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                        line("a", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0))))
                .flagged();
        assertThat(flagged.filter(col(Cols.DUPLICATE)).count()).isEqualTo(1);
        flagged.collect();
        assertThat(lines(flagged, "Sort [")).hasSize(1);
        assertThat(lines(flagged, "Window [")).hasSize(1).allMatch(l -> l.contains("[request_id"));
        assertThat(lines(flagged, "Exchange ")).hasSize(1).allMatch(l -> l.contains("hashpartitioning(request_id"));
    }

    @Test
    void decisionsMeetTheirRequestsWithoutAnotherShuffle() throws Exception {
        spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
        spark.conf().set("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
        Path dir = tempDir("plan");
        try (Kept kept = Kept.checkpointed(spark, new org.apache.hadoop.fs.Path(dir.toUri()), "run")) {
            // As in the job: each dataset is kept (checkpointed, so computed) before the next step is planned.
            Dataset<Row> usage = kept.keep(UsageValidation.validate(UsageValidation.byRequestId(usageLines(
                            line("q1", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                            line("q2", T, "gpt-image-2", "default", 100, 0, 0, 0, 100, 0),
                            "{\"request_id\":\"held\"}")))
                    .flagged());
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
            assertThat(lines(linked, "SortMergeJoin")).isNotEmpty();
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

    private static List<String> exchanges(Dataset<Row> df) {
        return lines(df, "Exchange ").stream()
                .filter(l -> !l.contains("BroadcastExchange"))
                .toList();
    }
}
