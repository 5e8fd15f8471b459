package io.assetcost.finance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assetcost.view.Page;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The FOCUS metadata of {@code focus_costs}, written beside it as {@value #FILE}: a JSON object with the data
 * generator ({@code DataGenerator}: assetcost) and the schema ({@code Schema}: {@code SchemaId}, {@code
 * FocusVersion}, {@code CreationDate}, and one {@code ColumnDefinition} per column with its {@code ColumnName},
 * {@code DataType} (STRING, DECIMAL, DATETIME or JSON), {@code NumericPrecision} and {@code NumberScale} of a
 * decimal, {@code StringEncoding} of text).
 *
 * <p>Sources: FOCUS_Spec {@code specification/metadata/} (DataGenerator, Schema, SchemaId, FocusVersion,
 * CreationDate, ColumnDefinition and its ColumnName, DataType, NumericPrecision, NumberScale, StringEncoding) and
 * the examples in {@code specification/appendix/metadata_examples/} for the JSON shape. The spec asks for a
 * schema reference retrievable without reading the data; this file is that reference. {@code SchemaId} is derived
 * from the version's contract ({@code schemas/<contract>.avsc}), so it changes exactly when the columns or the
 * version change, as the spec requires of a new schema object. FOCUS 1.3's dataset-instance metadata is not
 * written: its definition was not at hand (README, "FOCUS export").
 */
public final class FocusMetadata {

    /** The file's name in the output directory, beside {@code focus_costs/}. */
    public static final String FILE = "focus_costs_metadata.json";
    /** DataGenerator: who generates the data. */
    public static final String DATA_GENERATOR = "assetcost";
    /**
     * CreationDate of the contracts (UTC): the day their columns last changed (x_BilledTokens and the 1.4
     * contract). Change it with any contract change.
     */
    public static final String SCHEMA_CREATED = "2026-12-06T00:00:00Z";

    /** Columns holding a JSON object in a string (FOCUS data type JSON). */
    private static final Set<String> JSON_COLUMNS = Set.of("Tags", "SkuPriceDetails", "ContractApplied");

    private FocusMetadata() {}

    /**
     * The metadata document of a version.
     *
     * @param version the FOCUS version written
     * @return the JSON object, as text
     */
    public static String json(FocusExport.Version version) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("DataGenerator", DATA_GENERATOR);
        ObjectNode schema = root.putObject("Schema");
        schema.put("SchemaId", schemaId(version));
        schema.put("FocusVersion", version.label());
        schema.put("CreationDate", SCHEMA_CREATED);
        ArrayNode columns = schema.putArray("ColumnDefinition");
        StructType contract = version.table().sparkSchema();
        for (StructField f : contract.fields()) {
            ObjectNode c = columns.addObject();
            c.put("ColumnName", f.name());
            if (f.dataType() instanceof DecimalType d) {
                c.put("DataType", "DECIMAL");
                c.put("NumericPrecision", d.precision());
                c.put("NumberScale", d.scale());
            } else if (f.dataType() == DataTypes.TimestampType) {
                c.put("DataType", "DATETIME");
            } else {
                c.put("DataType", JSON_COLUMNS.contains(f.name()) ? "JSON" : "STRING");
                c.put("StringEncoding", "UTF-8");
            }
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the FOCUS metadata", e);
        }
    }

    /**
     * SchemaId: a name-based UUID of the version and its contract's Spark schema, stable across runs.
     *
     * @param version the FOCUS version
     * @return the UUID, as text
     */
    public static String schemaId(FocusExport.Version version) {
        String basis = version.label() + "\n" + version.table().sparkSchema().json();
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Writes the metadata of a version into an output directory, replacing an earlier one.
     *
     * @param conf Hadoop configuration
     * @param outputRoot the month close's output directory (where {@code focus_costs/} is)
     * @param version the FOCUS version written
     * @throws java.io.UncheckedIOException when the file cannot be written
     */
    public static void write(Configuration conf, String outputRoot, FocusExport.Version version) {
        Page.write(conf, new Path(outputRoot, FILE), json(version));
    }
}
