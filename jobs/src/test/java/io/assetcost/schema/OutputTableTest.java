package io.assetcost.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The table catalogue agrees with the contracts it names. */
class OutputTableTest {

    @Test
    void everyEntryHasAContractHoldingItsPartitionAndSortColumns() {
        for (OutputTable t : OutputTable.values()) {
            List<String> fields =
                    t.avro().getFields().stream().map(Schema.Field::name).toList();
            assertThat(fields).as(t.tableName()).isNotEmpty().containsAll(t.sort());
            if (t.partitionColumn() != null) {
                assertThat(fields).as(t.tableName()).contains(t.partitionColumn());
                assertThat(t.sort())
                        .as(t.tableName() + ": a file's rows sort by its partition first")
                        .startsWith(t.partitionColumn());
            }
        }
    }

    @Test
    void eachJobWritesItsTablesAndOnlyQuarantineIsShared() {
        assertThat(OutputTable.writtenBy(OutputTable.Job.COST))
                .extracting(OutputTable::tableName)
                .containsExactly(
                        "request_costs",
                        "asset_costs",
                        "cost_per_approved_asset",
                        "retry_waste",
                        "request_outcomes",
                        "attempts",
                        "attempt_cap",
                        "rate_limit_headroom",
                        "quarantine");
        assertThat(OutputTable.writtenBy(OutputTable.Job.MONTH_CLOSE))
                .extracting(OutputTable::tableName)
                .containsExactlyInAnyOrder(
                        "quarantine",
                        "monthly_spend",
                        "unpriced_usage",
                        "cost_reconciliation",
                        "meter_reconciliation",
                        "focus_costs",
                        "focus_costs",
                        "focus_costs",
                        "unmatched_line_items",
                        "log_coverage");
    }

    @Test
    void requiredCsvColumnsComeFromTheContract() {
        assertThat(Schemas.requiredColumns(Schemas.RATE_CARD))
                .containsExactly(
                        "model", "service_tier", "meter", "usd_per_1m_tokens", "effective_from", "effective_to");
        assertThat(Schemas.requiredColumns(Schemas.ACCEPTANCE_RECORD))
                .isEqualTo(Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD));
    }
}
