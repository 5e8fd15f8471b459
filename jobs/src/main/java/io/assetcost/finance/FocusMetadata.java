package io.assetcost.finance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assetcost.schema.FocusCols;
import io.assetcost.schema.OutputTable;
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
 * <p>Sources: FOCUS_Spec {@code specification/metadata/} and, for the JSON shape, {@code
 * specification/appendix/metadata_examples/}. The spec asks for a schema reference retrievable without reading
 * the data; this file is that reference. {@code SchemaId} is derived from the version's contract, so it changes
 * exactly when the columns or the version change, as the spec requires of a new schema object.
 *
 * <p>From FOCUS 1.3 on the document also names its dataset instance: {@code DatasetInstance}, a collection with
 * one object ({@code DatasetInstanceId}, {@code DatasetInstanceName}, {@code FocusDatasetId} CostAndUsage), and
 * the schema carries the same {@code DatasetInstanceId}. Sources: FOCUS_Spec
 * {@code specification/metadata/dataset_instance/} ("Introduced (version) 1.3") and
 * {@code specification/metadata/schema/dataset_instance_id.md}. FOCUS 1.2 has none of them.
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

    /** FocusDatasetId of the export: the FOCUS dataset it is an instance of (the requirements model's DatasetId). */
    public static final String FOCUS_DATASET_ID = "CostAndUsage";
    /** DatasetInstanceName: what the export is, for a reader choosing among a data generator's instances. */
    public static final String DATASET_INSTANCE_NAME = "OpenAI image generation cost and usage, daily";

    /** Columns holding a JSON object in a string (FOCUS data type JSON). */
    private static final Set<String> JSON_COLUMNS = Set.of(FocusCols.TAGS, FocusCols.SKU_PRICE_DETAILS);

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
        boolean instances = version != FocusExport.Version.V1_2;
        if (instances) {
            ObjectNode instance = root.putArray("DatasetInstance").addObject();
            instance.put("DatasetInstanceId", datasetInstanceId());
            instance.put("DatasetInstanceName", DATASET_INSTANCE_NAME);
            instance.put("FocusDatasetId", FOCUS_DATASET_ID);
        }
        ObjectNode schema = root.putObject("Schema");
        schema.put("SchemaId", schemaId(version));
        schema.put("FocusVersion", version.label());
        schema.put("CreationDate", SCHEMA_CREATED);
        if (instances) {
            schema.put("DatasetInstanceId", datasetInstanceId());
        }
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
     * DatasetInstanceId: a name-based UUID (the spec recommends a GUID, unique within the data generator) of the
     * one dataset instance assetcost writes. It does not change with the FOCUS version: a reader that moves from
     * the 1.3 to the 1.4 export keeps reading the same instance, under a new schema.
     *
     * @return the UUID, as text
     */
    public static String datasetInstanceId() {
        String basis = DATA_GENERATOR + "\n" + FOCUS_DATASET_ID + "\n" + OutputTable.FOCUS_COSTS.tableName();
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
