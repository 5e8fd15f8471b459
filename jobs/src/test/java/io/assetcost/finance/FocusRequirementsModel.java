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
 * <p>A rule is checked on every row where its condition holds (and every ancestor composite's condition, through
 * {@code CheckModelRule}); a MUST or MUST NOT rule that fails on a row is a violation, a MAY rule never is. Rules
 * that are removed in the version, whose applicability criteria (or an ancestor's) do not hold for OpenAI's image
 * billing, that have no check function (Type Dynamic: the model leaves them to a reader), composites (checked
 * through the rules they name), MAY and SHOULD rules, rules of a column the export does not have (column presence is
 * {@link FocusSpec}'s check), or whose check functions are not supported here are not checked, and are counted
 * by reason (by function name for the last).
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

    /** DateTimeFormat as text: ISO 8601 in UTC with a Z. */
    private static final Pattern DATE_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");

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
            String mustSatisfy) {}

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
            try {
                JsonNode file = json.readTree(resource(dir + line.substring(0, line.indexOf(','))));
                for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    rules.put(e.getKey(), rule(e.getKey(), e.getValue()));
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
                rules.put(e.getKey(), rule(e.getKey(), e.getValue()));
            }
            return new FocusRequirementsModel(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Rule rule(String id, JsonNode r) {
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
                v.path("MustSatisfy").asText());
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
            String reason = !r.status().equals("Active")
                    ? "removed"
                    : r.id().contains("-C-") && !has(schema, r.entity())
                            ? "column not in the export"
                            : reasonNotChecked(r, lineage);
            if (reason != null) {
                notChecked.computeIfAbsent(reason, k -> new ArrayList<>()).add(r.id());
                continue;
            }
            checked.add(r.id());
            long broken = 0;
            if (r.requirement().path("CheckFunction").asText().equals("CheckDistinctCount")) {
                broken = distinctCount(r.requirement(), rows, schema);
            } else {
                for (Row row : rows) {
                    if (applies(lineage, row, schema) && !eval(r.requirement(), row, schema)) {
                        broken++;
                    }
                }
            }
            if (broken > 0) {
                violations.add(r.id() + " (" + r.mustSatisfy() + "): " + broken + " rows");
            }
        }
        return new Report(rules.size(), checked, notChecked, violations);
    }

    private String reasonNotChecked(Rule r, List<Rule> lineage) {
        if (!r.status().equals("Active")) {
            return "removed";
        }
        for (Rule at : lineage) {
            if (!APPLICABLE.containsAll(at.criteria())) {
                return "not applicable";
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
