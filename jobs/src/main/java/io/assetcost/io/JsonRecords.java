package io.assetcost.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.quality.UsageValidation;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads one line of a JSON Lines file as exactly one record (README, "Inputs"): the line must hold one
 * JSON object and nothing else, no key twice, and each field the contract names must have the contract's
 * JSON type (a string field a string, number or boolean; a whole-number field a whole number in range; a
 * record field an object). Fields the contract does not name are kept: they are part of the record.
 *
 * <p>What it returns for a line ({@link #inspect}): the record as received in a normal form (keys sorted
 * at every level, no insignificant whitespace), so that two copies of a record compare equal whatever
 * their key order and spacing; or the quarantine reason and a detail naming the field or the column of
 * the line where it went wrong. Parsing is Jackson's (strict duplicate detection, no trailing tokens).
 */
public final class JsonRecords {

    /** Struct returned by {@link #udf}: record_text, reason, detail (strings, nullable). */
    public static final StructType RESULT = new StructType()
            .add("record_text", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, true)
            .add("detail", DataTypes.StringType, true);

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private JsonRecords() {}

    /**
     * The UDF that inspects a line against a contract.
     *
     * @param contract the contract's Avro JSON ({@code Schema#toString()}: serializable, parsed once per
     *     task)
     * @return a function of a string column returning {@link #RESULT}
     */
    public static UserDefinedFunction udf(String contract) {
        return functions.udf(new Inspector(contract), RESULT);
    }

    /** The UDF body: one parsed contract per deserialized instance (per task). */
    private static final class Inspector implements UDF1<String, Row> {
        private static final long serialVersionUID = 1L;
        private final String contract;
        private transient Schema schema;

        Inspector(String contract) {
            this.contract = contract;
        }

        @Override
        public Row call(String line) {
            if (schema == null) {
                schema = new Schema.Parser().parse(contract);
            }
            String[] r = inspect(line, schema);
            return RowFactory.create(r[0], r[1], r[2]);
        }
    }

    /**
     * Inspects one line.
     *
     * @param line the line as read, without its line break
     * @param contract the record's Avro contract
     * @return {record_text, null, null} for a good record; {null, {@link UsageValidation#BLANK_LINE}, null}
     *     for a blank or whitespace-only line; {record_text, malformed_record, detail} for an object with a
     *     field of the wrong type; {null, malformed_record, detail} for anything that is not one JSON object
     */
    public static String[] inspect(String line, Schema contract) {
        if (line == null || line.isBlank()) {
            return new String[] {null, UsageValidation.BLANK_LINE, null};
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return malformed(describe(e));
        } catch (NumberFormatException e) {
            // Floats are read as BigDecimal (USE_BIG_DECIMAL_FOR_FLOATS); Jackson refuses, unchecked, a number
            // whose exponent a BigDecimal cannot hold (1e-99999999999). The message repeats the number, which
            // can be a thousand digits long, so the detail does not quote it.
            return malformed(
                    "not one JSON object: a number out of a decimal's range (its exponent has too many" + " digits)");
        }
        if (node == null || !node.isObject()) {
            return malformed("the line holds a JSON " + kind(node) + ", not an object");
        }
        String wrong = check(node, contract, "");
        try {
            // A field of the wrong type still leaves the record readable: its other fields (the request_id
            // that ties decisions to it) are kept, and the record goes to quarantine naming the field.
            String text = JSON.writeValueAsString(node);
            return wrong == null ? new String[] {text, null, null} : new String[] {text, MALFORMED, wrong};
        } catch (JsonProcessingException e) {
            return malformed(describe(e));
        }
    }

    private static final String MALFORMED = QuarantineReason.MALFORMED_RECORD.code();

    private static String[] malformed(String detail) {
        return new String[] {null, MALFORMED, detail};
    }

    /** The first field whose JSON type the contract does not allow, described; null when all fit. */
    private static String check(JsonNode object, Schema record, String prefix) {
        for (Schema.Field f : record.getFields()) {
            JsonNode value = object.get(f.name());
            if (value == null || value.isNull()) {
                continue;
            }
            String wrong = fits(value, nonNull(f.schema()), prefix + f.name());
            if (wrong != null) {
                return wrong;
            }
        }
        return null;
    }

    private static String fits(JsonNode value, Schema type, String path) {
        switch (type.getType()) {
            case STRING:
                return value.isValueNode()
                        ? null
                        : "field " + path + " is a JSON " + kind(value) + ", expected a string";
            case LONG:
                return value.isIntegralNumber() && value.canConvertToLong()
                        ? null
                        : "field " + path + " is " + shown(value) + ", expected a whole number of at most 19 digits";
            case INT:
                return value.isIntegralNumber() && value.canConvertToInt()
                        ? null
                        : "field " + path + " is " + shown(value) + ", expected a whole number below 2147483648";
            case RECORD:
                return value.isObject()
                        ? check(value, type, path + ".")
                        : "field " + path + " is a JSON " + kind(value) + ", expected an object";
            default:
                return null;
        }
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        List<Schema> types = s.getTypes();
        return types.stream()
                .filter(t -> t.getType() != Schema.Type.NULL)
                .findFirst()
                .orElse(s);
    }

    private static String shown(JsonNode value) {
        String text = value.isValueNode() ? value.toString() : "a JSON " + kind(value);
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Jackson's complaint in one line, with the column where the line stopped being JSON. */
    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Trailing token")) {
            message = "the line holds more after its JSON value (a second object, or other text)";
        } else if (message != null && message.startsWith("Duplicate field")) {
            message = "a key appears twice: "
                    + message.substring("Duplicate field".length()).trim();
        }
        String where =
                e.getLocation() == null ? "" : " (at column " + e.getLocation().getColumnNr() + ")";
        String text =
                (message == null ? "not JSON" : message.lines().findFirst().orElse("not JSON")) + where;
        return "not one JSON object: " + text;
    }
}
