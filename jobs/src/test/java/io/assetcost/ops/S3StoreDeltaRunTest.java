package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.assetcost.SparkTestBase;
import io.assetcost.schema.OutputTable;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link S3StoreRunTest} with {@code --table-format delta}: the same full run, nightly run, rerun, month close and
 * concurrent second run on the S3-compatible store, every table a Delta table, in a session with Delta's extension
 * and catalog; and a full run in each format on the store, every Delta table read back through Delta equal to the
 * Parquet one by fingerprint.
 */
@EnabledIfSystemProperty(named = "assetcost.s3", matches = "true")
class S3StoreDeltaRunTest extends S3StoreRunTest {

    @Override
    List<String> formatArgs() {
        return List.of(SparkTestBase.DELTA_OPTION);
    }

    @Override
    Map<String, String> sessionSettings() {
        return SparkTestBase.DELTA_SESSION;
    }

    @Test
    void everyDeltaTableOnTheStoreReadsBackEqualToTheParquetOne() throws Exception {
        List<String> parquet = inputs("parquet-full");
        parquet.add("--full");
        Outcome p = costWith(parquet);
        assertThat(p.code()).as(p.err()).isZero();
        Outcome d = cost("delta-full", "--full");
        assertThat(d.code()).as(d.err()).isZero();
        JsonNode expected = summary("parquet-full").get("table_fingerprints");
        assertThat(summary("delta-full").get("table_fingerprints")).isEqualTo(expected);
        for (OutputTable t : OutputTable.writtenBy(OutputTable.Job.COST)) {
            Dataset<Row> back = spark.read().format("delta").load(STORE.uri("delta-full/" + t.tableName()));
            assertThat(DeltaTablesTest.fingerprint(back, t))
                    .as(t.tableName())
                    .isEqualTo(expected.get(t.tableName()).asText());
        }
    }
}
