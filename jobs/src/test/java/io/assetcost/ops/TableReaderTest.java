package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.SparkTestBase;
import io.assetcost.run.InputException;
import io.assetcost.schema.OutputTable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The one reader of the jobs' tables: a table read back equal with its contract's schema, a missing table as each
 * caller needs it (empty, exit 2 naming {@code --tables}, a fault of the run), and a table whose files lack a
 * contract column.
 */
class TableReaderTest extends SparkTestBase {

    private static final OutputTable TABLE = OutputTable.UNMATCHED_LINE_ITEMS;

    private static final List<Row> ROWS = List.of(
            RowFactory.create("gpt-4o input", "proj_a", 3L, new BigDecimal("1.250000000000")),
            RowFactory.create("dall-e-3", null, 1L, new BigDecimal("0.040000000001")));

    private static OutputLayout layout(String name) throws Exception {
        return new OutputLayout(tempDir(name).resolve("out").toString());
    }

    /** Names and types: a table read from files has every column nullable, whatever the contract says. */
    private static List<String> columns(StructType schema) {
        return Arrays.stream(schema.fields())
                .map(f -> f.name() + " " + f.dataType().simpleString())
                .toList();
    }

    private static List<Row> sorted(Dataset<Row> df) {
        return df.orderBy("days").collectAsList();
    }

    @Test
    void aWrittenTableIsReadBackEqualWithItsContractsSchema() throws Exception {
        OutputLayout out = layout("table-reader-equal");
        spark.createDataFrame(ROWS, TABLE.sparkSchema())
                .write()
                .parquet(out.table(TABLE).toString());

        for (Dataset<Row> read : List.of(
                TableReader.readOrEmpty(spark, out.table(TABLE), TABLE),
                TableReader.read(spark, out.table(TABLE), TABLE),
                TableReader.costJobTable(spark, out, TABLE))) {
            assertThat(columns(read.schema())).isEqualTo(columns(TABLE.sparkSchema()));
            assertThat(sorted(read)).containsExactly(ROWS.get(1), ROWS.get(0));
        }
    }

    @Test
    void aMissingTableIsEmptyAnInputErrorOrAFaultOfTheRunAsTheCallerNeeds() throws Exception {
        OutputLayout out = layout("table-reader-missing");
        Path dir = out.table(TABLE);

        Dataset<Row> empty = TableReader.readOrEmpty(spark, dir, TABLE);
        assertThat(columns(empty.schema())).isEqualTo(columns(TABLE.sparkSchema()));
        assertThat(empty.count()).isZero();

        assertThatThrownBy(() -> TableReader.costJobTable(spark, out, TABLE))
                .isInstanceOf(InputException.class)
                .hasMessage("--tables " + out.root() + " has no unmatched_line_items/ table: run the cost job"
                        + " (scripts/run-local.sh) with --out " + out.root() + " first");

        assertThatThrownBy(() -> TableReader.read(spark, dir, TABLE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(dir.toString());
        assertThat(TableReader.exists(spark, dir)).isFalse();
    }

    @Test
    void aContractColumnTheFilesLackReadsAsNullAndTheOthersStayWhole() throws Exception {
        OutputLayout out = layout("table-reader-lacking");
        StructType withoutProject = new StructType()
                .add("line_item", DataTypes.StringType)
                .add("days", DataTypes.LongType)
                .add("amount_usd", DataTypes.createDecimalType(38, 12), false);
        spark.createDataFrame(
                        List.of(RowFactory.create("gpt-4o input", 3L, new BigDecimal("1.250000000000"))),
                        withoutProject)
                .write()
                .parquet(out.table(TABLE).toString());

        Dataset<Row> read = TableReader.costJobTable(spark, out, TABLE);

        assertThat(columns(read.schema())).isEqualTo(columns(TABLE.sparkSchema()));
        assertThat(read.collectAsList())
                .containsExactly(RowFactory.create("gpt-4o input", null, 3L, new BigDecimal("1.250000000000")));
    }
}
