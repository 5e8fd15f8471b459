package io.assetcost.schema;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.avro.SchemaConverters;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Avro contracts under {@code schemas/} (shipped in the jar under {@code schemas/}) and the Spark
 * schemas derived from them; the output tables among them are catalogued in {@link OutputTable}. No
 * column list is written twice: readers take their explicit schemas from here and writers
 * {@link #conform} every output table to its contract before writing.
 *
 * <p>Avro {@code decimal} maps to {@code DecimalType(p, s)}, {@code timestamp-micros} to
 * {@code TimestampType} (UTC instants), {@code date} to {@code DateType}, a {@code ["null", T]} union to a
 * nullable column (Spark's own {@link SchemaConverters}).
 */
public final class Schemas {

    /** Input contract: the nested usage log, JSON Lines (README, "Inputs"). */
    public static final String USAGE_LOG = "usage_log";
    /** Input contract: the flat usage export, CSV or Parquet (README, "Inputs"). */
    public static final String USAGE_EXPORT = "usage_export";
    /** Input contract: acceptance records, CSV (README, "Inputs"). */
    public static final String ACCEPTANCE_RECORD = "acceptance_record";
    /** Input contract: the rate card, CSV (README, "Inputs"). */
    public static final String RATE_CARD = "rate_card";
    /** Input contract: the rate-limit card, CSV (README, "Planning"). */
    public static final String RATE_LIMIT_CARD = "rate_limit_card";
    /** Input contract: a forecast plan, CSV (README, "Planning"). */
    public static final String PLAN = "plan";
    /** Input contract: a page of the Costs API (month close). */
    public static final String COSTS_PAGE = "costs_page";
    /** Usage API (images) page: {@code GET /v1/organization/usage/images}. */
    public static final String USAGE_API_PAGE = "usage_api_page";
    /** Input contract: line item to model mapping (month close). */
    public static final String LINE_ITEM_MAPPING = "line_item_mapping";
    /** Input contract: a line of an OpenAI Batch API input, output or error file (docs/usage-formats/batch.md). */
    public static final String BATCH_LINE = "batch_line";
    /** Input contract: the Batch object saved as {@code batch.json} beside a batch's files. */
    public static final String BATCH_OBJECT = "batch_object";
    /**
     * Internal contract: usage in one canonical shape, whatever form it was read in (the readers' output and
     * validation's input; docs/DESIGN.md, "Pipeline").
     */
    public static final String CANONICAL_USAGE = "canonical_usage";
    /** Input contract: a line of Langfuse's blob-storage export of observations (docs/usage-formats/langfuse.md). */
    public static final String LANGFUSE_OBSERVATION = "langfuse_observation";
    /** Input contract: a line of Langfuse's blob-storage export of scores (docs/usage-formats/langfuse.md). */
    public static final String LANGFUSE_SCORE = "langfuse_score";

    /**
     * Avro field property marking a column a CSV input may leave out ({@code "optional_column": true}); every
     * other field of an input contract is a required header column.
     */
    public static final String OPTIONAL_COLUMN = "optional_column";

    private Schemas() {}

    /**
     * Parses {@code schemas/<name>.avsc} from the classpath.
     *
     * @param name contract name: a constant of this class or an {@link OutputTable}'s name
     * @return the Avro schema
     * @throws IllegalArgumentException when no such contract is on the classpath
     * @throws UncheckedIOException when it cannot be read or is not valid Avro
     */
    public static Schema avro(String name) {
        String resource = "schemas/" + name + ".avsc";
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no schema contract " + resource + " on the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * The Spark schema of a contract.
     *
     * @param name contract name, one of the constants of this class
     * @return a struct with the contract's fields in order
     */
    public static StructType spark(String name) {
        return (StructType) SchemaConverters.toSqlType(avro(name)).dataType();
    }

    /** The field names of a contract, in order. */
    public static List<String> fieldNames(String name) {
        List<String> names = new ArrayList<>();
        for (Schema.Field f : avro(name).getFields()) {
            names.add(f.name());
        }
        return names;
    }

    /**
     * The header columns a CSV input must have: every field of its contract except those marked
     * {@link #OPTIONAL_COLUMN}.
     *
     * @param name contract name
     * @return the required column names, in contract order
     */
    public static List<String> requiredColumns(String name) {
        List<String> names = new ArrayList<>();
        for (Schema.Field f : avro(name).getFields()) {
            if (!Boolean.TRUE.equals(f.getObjectProp(OPTIONAL_COLUMN))) {
                names.add(f.name());
            }
        }
        return names;
    }

    /**
     * Selects exactly the contract's columns, in its order, each cast to its contract type. A cast never
     * rounds money here: every producer already computes the contract's scale, and tests hold it to that.
     *
     * @param df a dataset holding at least the contract's columns
     * @param name contract name
     * @param carried columns of df's that are not the contract's, kept after its columns as they are (a
     *     reader's internal columns)
     * @return df reduced and typed to the contract, then the carried columns
     * @throws IllegalArgumentException naming the columns df lacks
     */
    public static Dataset<Row> conform(Dataset<Row> df, String name, String... carried) {
        StructType contract = spark(name);
        List<String> present = List.of(df.columns());
        List<String> missing = new ArrayList<>();
        List<Column> cols = new ArrayList<>();
        for (StructField f : contract.fields()) {
            if (!present.contains(f.name())) {
                missing.add(f.name());
            } else {
                cols.add(col(f.name()).cast(f.dataType()).as(f.name()));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " lacks contract columns " + missing);
        }
        for (String c : carried) {
            cols.add(col(c));
        }
        return df.select(cols.toArray(new Column[0]));
    }
}
