package io.assetcost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import io.assetcost.cost.CostRunSummary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cost job's run_summary.json against its JSON Schema, docs/run_summary.schema.json (draft 2020-12, validated
 * by networknt's json-schema-validator): the sample run's summaries pass, and a summary missing a required key or
 * holding a mistyped value fails. That the records that write it ({@link CostRunSummary}) name exactly the keys
 * the schema names is {@link SummarySchemaKeysTest}'s.
 */
class RunSummarySchemaTest extends SparkTestBase {

    private static final ObjectMapper JSON = SummarySchemas.JSON;
    private static Schema schema;
    private static JsonNode full;
    private static JsonNode nightly;

    @BeforeAll
    static void runSample() throws Exception {
        schema = SummarySchemas.load("run_summary.schema.json").schema();
        Path out = tempDir("schema").resolve("out");
        assertThat(SampleDataEndToEndTest.runJob(out)).isZero();
        full = JSON.readTree(out.resolve("run_summary.json").toFile());
        // A nightly run over the full one: a window, and late decisions on frozen cohorts (attention).
        List<String> args = new java.util.ArrayList<>(List.of(sampleArgs(out)));
        args.remove("--full");
        args.addAll(List.of("--run-date", "2026-11-17", "--lookback-days", "3"));
        assertThat(CostJob.execute(args.toArray(new String[0]), System.out, System.err, spark))
                .isZero();
        nightly = JSON.readTree(out.resolve("run_summary.json").toFile());
    }

    @Test
    void theSampleRunsSummariesHoldToTheSchema() {
        assertThat(schema.validate(full)).isEmpty();
        assertThat(nightly.has("attention"))
                .as("the nightly run has late decisions")
                .isTrue();
        assertThat(nightly.get("window").get("mode").asText()).isEqualTo("nightly");
        assertThat(schema.validate(nightly)).isEmpty();
    }

    @Test
    void theSummaryRecordsTheReportOptions() {
        JsonNode options = full.get("options");
        assertThat(options.get("mature_pending_share").asText()).isEqualTo("0.1");
        assertThat(options.get("mature_after_days").asInt()).isEqualTo(7);
        assertThat(options.get("small_sample_approvals").asInt()).isEqualTo(5);
    }

    @Test
    void aMissingRequiredKeyFails() {
        ObjectNode s = full.deepCopy();
        ((ObjectNode) s.get("inputs").get("usage")).remove("lines_in_unparsed_csv_tails");
        List<Error> errors = schema.validate(s);
        assertThat(errors).extracting(Error::getKeyword).contains("required");
        assertThat(errors.toString()).contains("lines_in_unparsed_csv_tails");
    }

    @Test
    void mistypedValuesFail() {
        ObjectNode money = full.deepCopy();
        // Money is an exact decimal string: a JSON number (a double to most readers) is refused.
        ((ObjectNode) money.get("totals")).put("total_cost_usd", 62.39);
        assertThat(schema.validate(money)).extracting(Error::getKeyword).contains("type");
        ObjectNode code = full.deepCopy();
        code.put("exit_code", "0");
        assertThat(schema.validate(code)).isNotEmpty();
        ObjectNode extra = full.deepCopy();
        ((ObjectNode) extra.get("window")).put("cohort_from", "2026-11-10");
        assertThat(schema.validate(extra))
                .as("a key the schema does not name")
                .extracting(Error::getKeyword)
                .contains("additionalProperties");
    }
}
