package io.assetcost.finance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Checks a FOCUS export against the FOCUS requirements model: the JSON rule files of FOCUS_Spec
 * {@code specification/requirements_model/releases/<version>/model_rules/}, one object per rule id with its
 * applicability criteria, status and {@code ValidationCriteria} (a {@code Requirement} and a {@code Condition},
 * each a tree of check functions). The rule files used are under {@code src/test/resources/focus/requirements-model/
 * <version>/} ({@code files.csv} names each one's source path and commit), compacted to the fields read here.
 *
 * <p>The files are every column rule file of the 1.4 CostAndUsage dataset and the dataset's own file
 * ({@code costandusage.json}: which columns it includes, under which applicability criteria). A column the export does
 * not have is transcribed as rule ids only ({@value #IDS_ONLY} in {@code files.csv}): its rules are counted, never
 * evaluated, and the check stops if the export gains that column.
 *
 * <p>A rule is checked on every row where its condition holds (and every active ancestor composite's condition,
 * through {@code CheckModelRule}); a dataset rule (an id with {@code -D-}) once, on the export's columns. A MUST or
 * MUST NOT rule that fails is a violation. Not checked, and counted by reason: rules whose status is not Active
 * (removed, deprecated), rules of a column the export does not have (column presence is the dataset rules' and
 * {@link FocusSpec}'s check), rules whose applicability criteria (or an ancestor's) do not hold for OpenAI's image
 * billing ("not applicable: " and the criteria), rules with no check function (Type Dynamic: the model leaves them to
 * a reader), composites (checked through the rules they name), MAY and SHOULD rules, and rules whose check functions
 * are not supported here (by function name).
 */
final class FocusRequirementsModel {

    /**
     * Applicability criteria of the model that hold for OpenAI's image billing (the same conditions as {@link
     * FocusSpec#APPLICABLE}): a published price list of unit prices (the rate card), usage measured in tokens,
     * projects as sub accounts, a named billing account, the workflow as a user-defined tag. Negotiated pricing,
     * commitment discounts, capacity reservations, regions, several pricing categories or account types and
     * the rest do not hold.
     */
    static final Set<String> APPLICABLE = Set.of(
            "PUBLIC_PRICE_LIST_SUPPORTED",
            "UNIT_PRICING_SUPPORTED",
            "USAGE_MEASUREMENT_SUPPORTED",
            "SUB_ACCOUNT_SUPPORTED",
            "ACCOUNT_NAMING_SUPPORTED",
            "TAGGING_SUPPORTED");

    /** Check functions evaluated here (FOCUS_Spec {@code check_functions.json} names them). */
    static final Set<String> SUPPORTED = Set.of(
            "AND",
            "OR",
            "CheckModelRule",
            "CheckValue",
            "CheckNotValue",
            "CheckGreaterOrEqualThanValue",
            "CheckGreaterThanValue",
            "CheckLessOrEqualThanValue",
            "CheckSameValue",
            "CheckDecimalValue",
            "CheckDistinctCount",
            "CheckNationalCurrency",
            "ColumnByColumnEqualsColumnValue",
            "ColumnPresent",
            "TypeString",
            "TypeDecimal",
            "TypeDateTime",
            "TypeJSON",
            "FormatNumeric",
            "FormatString",
            "FormatDateTime",
            "FormatUnit",
            "FormatKeyValue",
            "FormatJSON",
            "FormatCurrency");

    private static final String ACTIVE = "Active";
    /**
     * files.csv's third cell for a file of the rules of columns the export does not have, transcribed as id,
     * column, status and keyword only: such a rule is never evaluated, and if the export gains the column the
     * check stops and asks for the whole file.
     */
    static final String IDS_ONLY = "ids";

    /** DateTimeFormat as text: ISO 8601 in UTC with a Z. */
    private static final Pattern DATE_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");

    /** FOCUS dataset ids (the requirements model's DatasetId values of the 1.4 release's datasets). */
    static final Set<String> FOCUS_DATASETS = Set.of("CostAndUsage", "ContractCommitment", "BillingPeriod");

    /**
     * The metadata rules the requirements model leaves to the spec text (it has no metadata rule files), checked on
     * a {@code focus_costs_metadata.json}: FOCUS_Spec {@code specification/metadata/dataset_instance/} (1.3 on:
     * DatasetInstance present, a collection of non-null objects, at least one for CostAndUsage, each with a
     * non-null string DatasetInstanceId, unique, DatasetInstanceName and FocusDatasetId naming a FOCUS dataset),
     * {@code specification/metadata/schema/} (FocusVersion, SchemaId, CreationDate as date-time text, from 1.3 the
     * schema's DatasetInstanceId naming an instance, and one ColumnDefinition per column of the export, in order).
     *
     * @param meta the metadata document
     * @param version the FOCUS version the export claims (1.2, 1.3 or 1.4)
     * @param export the export's schema
     * @return one line per rule broken; empty when none
     */
    static List<String> metadataViolations(JsonNode meta, String version, StructType export) {
        List<String> out = new ArrayList<>();
        JsonNode schema = meta.path("Schema");
        if (!version.equals(schema.path("FocusVersion").asText())) {
            out.add("Schema.FocusVersion is not " + version);
        }
        if (!schema.path("SchemaId").isTextual()) {
            out.add("Schema.SchemaId is not a string");
        }
        if (!DATE_TIME.matcher(schema.path("CreationDate").asText()).matches()) {
            out.add("Schema.CreationDate is not ISO 8601 date-time text in UTC");
        }
        List<String> columns = new ArrayList<>();
        schema.path("ColumnDefinition")
                .forEach(c -> columns.add(c.path("ColumnName").asText()));
        if (!columns.equals(List.of(export.fieldNames()))) {
            out.add("Schema.ColumnDefinition does not name the export's columns in order");
        }
        if (version.equals("1.2")) {
            return out;
        }
        JsonNode instances = meta.get("DatasetInstance");
        if (instances == null || !instances.isArray()) {
            out.add("DatasetInstance is missing or not a collection");
            return out;
        }
        Set<String> ids = new HashSet<>();
        boolean costAndUsage = false;
        for (JsonNode i : instances) {
            if (!i.isObject()) {
                out.add("a DatasetInstance object is null or not an object");
                continue;
            }
            String id = i.path("DatasetInstanceId").isTextual()
                    ? i.path("DatasetInstanceId").asText()
                    : null;
            if (id == null || !ids.add(id)) {
                out.add("DatasetInstanceId is missing, not a string or not unique: " + i);
            }
            if (!i.path("DatasetInstanceName").isTextual()) {
                out.add("DatasetInstanceName is missing or not a string: " + i);
            }
            String dataset = i.path("FocusDatasetId").asText();
            if (!FOCUS_DATASETS.contains(dataset)) {
                out.add("FocusDatasetId names no FOCUS dataset: " + i);
            }
            costAndUsage |= dataset.equals("CostAndUsage");
        }
        if (!costAndUsage) {
            out.add("DatasetInstance has no object for the CostAndUsage dataset");
        }
        if (!ids.contains(schema.path("DatasetInstanceId").asText())) {
            out.add("Schema.DatasetInstanceId names no DatasetInstance");
        }
        return out;
    }

    /** One rule of the model. */
    record Rule(
            String id,
            String entity,
            String status,
            String keyword,
            String type,
            List<String> criteria,
            JsonNode requirement,
            JsonNode condition,
            String mustSatisfy,
            boolean full) {}

    /**
     * What a check found.
     *
     * @param rules rules in the model files read
     * @param checked ids of the rules checked on the rows
     * @param notChecked reason (removed, not applicable, no check function, MAY, or "unsupported: <function>") to
     *     the ids of the rules not checked for it
     * @param violations one line per rule broken: id, the rule's text and how many rows break it
     */
    record Report(int rules, List<String> checked, Map<String, List<String>> notChecked, List<String> violations) {}

    private final Map<String, Rule> rules;
    private final Map<String, String> parent = new HashMap<>();

    private FocusRequirementsModel(Map<String, Rule> rules) {
        this.rules = rules;
        for (Rule r : rules.values()) {
            // A removed composite still names its old parts; only an active one makes them its children.
            if (!r.status().equals(ACTIVE)) {
                continue;
            }
            for (String child : references(r.requirement())) {
                parent.put(child, r.id());
            }
        }
    }

    /**
     * The model of a version, from the rule files its {@code files.csv} lists.
     *
     * @param version FOCUS version (a directory under {@code focus/requirements-model/})
     * @return the model
     */
    static FocusRequirementsModel load(String version) {
        String dir = "/focus/requirements-model/" + version + "/";
        ObjectMapper json = new ObjectMapper();
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (String line : resource(dir + "files.csv").lines().toList()) {
            if (line.startsWith("#") || line.startsWith("file,") || line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",");
            boolean full = cells.length < 3 || !cells[2].strip().equals(IDS_ONLY);
            try {
                JsonNode file = json.readTree(resource(dir + cells[0]));
                for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    rules.put(e.getKey(), rule(e.getKey(), e.getValue(), full));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new FocusRequirementsModel(rules);
    }

    /**
     * A whole model as the FOCUS validator publishes it ({@code model-<version>.json}: {@code ModelRules}, one
     * object per rule id, the column in {@code Reference}).
     *
     * @param model the file's text
     * @return the model
     */
    static FocusRequirementsModel fromValidatorModel(String model) {
        try {
            Map<String, Rule> rules = new LinkedHashMap<>();
            JsonNode all = new ObjectMapper().readTree(model).path("ModelRules");
            for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                rules.put(e.getKey(), rule(e.getKey(), e.getValue(), true));
            }
            return new FocusRequirementsModel(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Rule rule(String id, JsonNode r, boolean full) {
        JsonNode v = r.path("ValidationCriteria");
        List<String> criteria = new ArrayList<>();
        r.path("ApplicabilityCriteria").forEach(c -> criteria.add(c.asText()));
        return new Rule(
                id,
                r.path("EntityId").asText(r.path("Reference").asText()),
                r.path("Status").asText(),
                v.path("Keyword").asText(),
                r.path("Type").asText(),
                criteria,
                v.path("Requirement"),
                v.path("Condition"),
                v.path("MustSatisfy").asText(),
                full);
    }

    private static String resource(String name) {
        try (InputStream in = FocusRequirementsModel.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rule ids a requirement refers to through CheckModelRule. */
    private static List<String> references(JsonNode node) {
        List<String> out = new ArrayList<>();
        if ("CheckModelRule".equals(node.path("CheckFunction").asText())) {
            out.add(node.path("ModelRuleId").asText());
        }
        node.path("Items").forEach(i -> out.addAll(references(i)));
        return out;
    }

    /** Check functions of a tree that are not supported here, CheckModelRule left to the rule it names. */
    private static Set<String> unsupported(JsonNode node) {
        Set<String> out = new HashSet<>();
        String fn = node.path("CheckFunction").asText();
        if (!fn.isEmpty() && !SUPPORTED.contains(fn)) {
            out.add(fn);
        }
        node.path("Items").forEach(i -> out.addAll(unsupported(i)));
        return out;
    }

    /** The rule and its ancestors (composites that refer to it), nearest first. */
    private List<Rule> lineage(Rule r) {
        List<Rule> out = new ArrayList<>();
        for (Rule at = r; at != null && !out.contains(at); at = rules.get(parent.get(at.id()))) {
            out.add(at);
        }
        return out;
    }

    /**
     * Checks an export.
     *
     * @param focus the export
     * @return the report
     */
    Report check(Dataset<Row> focus) {
        StructType schema = focus.schema();
        List<Row> rows = focus.collectAsList();
        List<String> checked = new ArrayList<>();
        Map<String, List<String>> notChecked = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        for (Rule r : rules.values()) {
            List<Rule> lineage = lineage(r);
            String reason = reasonNotChecked(r, lineage, schema);
            if (reason != null) {
                notChecked.computeIfAbsent(reason, k -> new ArrayList<>()).add(r.id());
                continue;
            }
            checked.add(r.id());
            long broken = broken(r, lineage, rows, schema);
            if (broken > 0) {
                violations.add(r.id() + " (" + r.mustSatisfy() + "): " + broken + (isDataset(r) ? "" : " rows"));
            }
        }
        return new Report(rules.size(), checked, notChecked, violations);
    }

    /**
     * Rows that break a rule; for a dataset rule (an id with {@code -D-}: which columns the dataset includes) 1
     * when the dataset breaks it, checked once on the schema whatever the rows.
     */
    private long broken(Rule r, List<Rule> lineage, List<Row> rows, StructType schema) {
        if (isDataset(r)) {
            Row none = new GenericRowWithSchema(new Object[schema.size()], schema);
            return applies(lineage, none, schema) && !eval(r.requirement(), none, schema) ? 1 : 0;
        }
        if (r.requirement().path("CheckFunction").asText().equals("CheckDistinctCount")) {
            return distinctCount(r.requirement(), rows, schema);
        }
        long broken = 0;
        for (Row row : rows) {
            if (applies(lineage, row, schema) && !eval(r.requirement(), row, schema)) {
                broken++;
            }
        }
        return broken;
    }

    private static boolean isDataset(Rule r) {
        return r.id().contains("-D-");
    }

    private String reasonNotChecked(Rule r, List<Rule> lineage, StructType schema) {
        if (!r.status().equals(ACTIVE)) {
            return r.status().toLowerCase(java.util.Locale.ROOT);
        }
        if (r.id().contains("-C-") && !has(schema, r.entity())) {
            return "column not in the export";
        }
        if (!r.full()) {
            throw new IllegalStateException(r.id() + " is transcribed as an id only (files.csv), but the export has "
                    + r.entity() + ": transcribe its rule file in full");
        }
        for (Rule at : lineage) {
            Set<String> missing = new TreeSet<>(at.criteria());
            missing.removeAll(APPLICABLE);
            if (!missing.isEmpty()) {
                return "not applicable: " + String.join("+", missing);
            }
        }
        if (r.requirement().isEmpty()) {
            return "no check function";
        }
        if (!references(r.requirement()).isEmpty()) {
            return "composite (checked through its parts)";
        }
        if (r.keyword().equals("MAY")) {
            return "MAY";
        }
        if (r.keyword().startsWith("SHOULD") || r.keyword().startsWith("RECOMMENDED")) {
            return "SHOULD (a recommendation)";
        }
        Set<String> missing = unsupported(r.requirement());
        missing.addAll(unsupported(r.condition()));
        return missing.isEmpty() ? null : "unsupported: " + String.join("+", new TreeSet<>(missing));
    }

    /** Whether a rule applies to a row: its condition and every ancestor's hold. */
    private boolean applies(List<Rule> lineage, Row row, StructType schema) {
        for (Rule at : lineage) {
            if (!at.condition().isEmpty() && !eval(at.condition(), row, schema)) {
                return false;
            }
        }
        return true;
    }

    private static boolean has(StructType schema, String column) {
        return List.of(schema.fieldNames()).contains(column);
    }

    private static Object value(Row row, StructType schema, String column) {
        return has(schema, column) ? row.get(row.fieldIndex(column)) : null;
    }

    private static boolean same(Object value, JsonNode expected) {
        if (expected == null || expected.isNull() || expected.isMissingNode()) {
            return value == null;
        }
        if (value == null) {
            return false;
        }
        if (value instanceof BigDecimal d && expected.isNumber()) {
            return d.compareTo(expected.decimalValue()) == 0;
        }
        return String.valueOf(value).equals(expected.asText());
    }

    private static int compare(Object value, JsonNode against) {
        return new BigDecimal(String.valueOf(value)).compareTo(against.decimalValue());
    }

    private boolean eval(JsonNode node, Row row, StructType schema) {
        String fn = node.path("CheckFunction").asText();
        String column = node.path("ColumnName").asText();
        Object v = column.isEmpty() ? null : value(row, schema, column);
        return switch (fn) {
            case "AND" -> all(node, row, schema);
            case "OR" -> any(node, row, schema);
            case "CheckModelRule" -> {
                Rule ref = rules.get(node.path("ModelRuleId").asText());
                yield ref == null
                        || ref.requirement().isEmpty()
                        || ref.keyword().equals("MAY")
                        || (!ref.condition().isEmpty() && !eval(ref.condition(), row, schema))
                        || eval(ref.requirement(), row, schema);
            }
            case "CheckValue" -> same(v, node.get("Value"));
            case "CheckNotValue" -> !same(v, node.get("Value"));
            case "CheckGreaterOrEqualThanValue" -> v == null || compare(v, node.get("Value")) >= 0;
            case "CheckGreaterThanValue" -> v == null || compare(v, node.get("Value")) > 0;
            case "CheckLessOrEqualThanValue" -> v == null || compare(v, node.get("Value")) <= 0;
            case "CheckSameValue" ->
                java.util.Objects.equals(
                        value(row, schema, node.path("ColumnAName").asText()),
                        value(row, schema, node.path("ColumnBName").asText()));
            case "CheckDecimalValue" -> v == null || v instanceof BigDecimal || isDecimal(String.valueOf(v));
            case "CheckNationalCurrency", "FormatCurrency" -> v == null || isCurrency(String.valueOf(v));
            case "ColumnByColumnEqualsColumnValue" -> product(node, row, schema);
            case "ColumnPresent" -> has(schema, column);
            case "TypeString", "TypeJSON" -> typed(schema, column, DataTypes.StringType);
            case "TypeDecimal" -> has(schema, column) && schema.apply(column).dataType() instanceof DecimalType;
            case "TypeDateTime" -> typed(schema, column, DataTypes.TimestampType);
            case "FormatNumeric" -> v == null || v instanceof BigDecimal;
            case "FormatString" -> v == null || v instanceof String s && s.equals(s.strip());
            case "FormatDateTime" ->
                v == null
                        || v instanceof java.sql.Timestamp
                        || v instanceof java.time.Instant
                        || DATE_TIME.matcher(String.valueOf(v)).matches();
            case "FormatUnit" ->
                v == null || FocusSpec.UNIT_FORMAT.matcher(String.valueOf(v)).matches();
            case "FormatKeyValue" -> v == null || keyValue(String.valueOf(v));
            case "FormatJSON" -> v == null || jsonObject(String.valueOf(v));
            default -> throw new IllegalStateException("unsupported check function " + fn);
        };
    }

    private boolean all(JsonNode node, Row row, StructType schema) {
        for (JsonNode i : node.path("Items")) {
            if (!eval(i, row, schema)) {
                return false;
            }
        }
        return true;
    }

    private boolean any(JsonNode node, Row row, StructType schema) {
        for (JsonNode i : node.path("Items")) {
            if (eval(i, row, schema)) {
                return true;
            }
        }
        return false;
    }

    private static boolean typed(StructType schema, String column, DataType type) {
        return has(schema, column) && schema.apply(column).dataType().equals(type);
    }

    private static boolean product(JsonNode node, Row row, StructType schema) {
        Object a = value(row, schema, node.path("ColumnAName").asText());
        Object b = value(row, schema, node.path("ColumnBName").asText());
        Object result = value(row, schema, node.path("ResultColumnName").asText());
        if (a == null || b == null || result == null) {
            return false;
        }
        return ((BigDecimal) a).multiply((BigDecimal) b).compareTo((BigDecimal) result) == 0;
    }

    /** CheckDistinctCount: each value of column A (not null) has ExpectedCount distinct values of column B. */
    private static long distinctCount(JsonNode node, List<Row> rows, StructType schema) {
        String a = node.path("ColumnAName").asText();
        String b = node.path("ColumnBName").asText();
        Map<Object, Set<Object>> seen = new HashMap<>();
        for (Row row : rows) {
            Object key = value(row, schema, a);
            if (key != null) {
                seen.computeIfAbsent(key, k -> new HashSet<>()).add(value(row, schema, b));
            }
        }
        int expected = node.path("ExpectedCount").asInt();
        return seen.values().stream().filter(s -> s.size() != expected).count();
    }

    private static boolean isDecimal(String s) {
        try {
            new BigDecimal(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isCurrency(String s) {
        try {
            return Currency.getInstance(s).getCurrencyCode().equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean jsonObject(String s) {
        try {
            return new ObjectMapper().readTree(s).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /** KeyValueFormat: a JSON object whose values are not objects or arrays. */
    private static boolean keyValue(String s) {
        try {
            JsonNode node = new ObjectMapper().readTree(s);
            if (!node.isObject()) {
                return false;
            }
            for (JsonNode v : node) {
                if (v.isContainerNode()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
