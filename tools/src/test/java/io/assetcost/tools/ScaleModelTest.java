package io.assetcost.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's data model: exact sizes, determinism per chunk, and the distributions the issue asks for
 * (one workflow about a third of the traffic, about 1.2 decisions per generated image, few bad records).
 */
class ScaleModelTest {

    @Test
    void chunksEmitExactlyTheRequestedNumberOfRecords() {
        long chunks = ScaleModel.chunksFor(1_000_003, 14, 100_000);
        assertThat(chunks).isEqualTo(14);
        ScaleModel model = new ScaleModel(7, 1_000_003, 14, 10, chunks);
        long sum = 0;
        for (long c = 0; c < chunks; c++) {
            sum += model.budget(c);
        }
        assertThat(sum).isEqualTo(1_000_003);
        long emitted = model.collect(3).stream()
                .filter(r -> r instanceof ScaleModel.Usage)
                .count();
        assertThat(emitted).isEqualTo(model.budget(3));
    }

    @Test
    void aChunkIsTheSameWhereverAndWheneverItIsMade() {
        ScaleModel a = new ScaleModel(20261122, 200_000, 14, 10, 14);
        ScaleModel b = new ScaleModel(20261122, 200_000, 14, 10, 14);
        assertThat(a.collect(5)).isEqualTo(b.collect(5));
        assertThat(a.collect(5)).isNotEqualTo(a.collect(6));
        assertThat(new ScaleModel(1, 200_000, 14, 10, 14).collect(5)).isNotEqualTo(a.collect(5));
    }

    @Test
    void distributionsFollowTheSample() {
        ScaleModel model = new ScaleModel(20261122, 280_000, 14, 10, 14);
        Map<String, Long> byWorkflow = new HashMap<>();
        long records = 0;
        long images = 0;
        long decisions = 0;
        long bad = 0;
        for (long c = 0; c < 12; c++) { // reviewed days only (the last two are mostly pending)
            List<Object> all = model.collect(c);
            for (Object o : all) {
                if (o instanceof ScaleModel.Usage u) {
                    records++;
                    byWorkflow.merge(String.valueOf(u.workflowId()), 1L, Long::sum);
                    images += u.status().equals("succeeded") ? u.n() : 0;
                    bad += u.workflowId() == null
                                    || u.malformed()
                                    || u.outputImageTokens() < 0
                                    || u.cachedTextTokens() > u.textTokens()
                                    || u.model().equals("gpt-image-3-preview")
                            ? 1
                            : 0;
                } else {
                    decisions++;
                }
            }
        }
        double first = byWorkflow.get("ecommerce-pdp") / (double) records;
        assertThat(first).isBetween(0.28, 0.40);
        assertThat(byWorkflow).hasSize(11); // ten workflows and the records without one
        assertThat(decisions / (double) images).isBetween(1.15, 1.45);
        assertThat(bad / (double) records).isBetween(0.0005, 0.005);
    }
}
