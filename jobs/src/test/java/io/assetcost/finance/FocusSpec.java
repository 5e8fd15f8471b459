package io.assetcost.finance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.TestCsv;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * Checks a FOCUS export against the column definitions derived from the FOCUS_Spec repository
 * ({@code src/test/resources/focus/columns-<version>.csv}, whose header says which files of which tag): every
 * Mandatory column present, every Conditional column present whose condition holds for OpenAI's image billing,
 * every other column FOCUS-defined or prefixed {@code x_}, each column's data type, nullability (the table's
 * "Allows nulls" and the normative null rules), allowed values, UnitFormat, KeyValueFormat keys, and that
 * BilledCost is what was invoiced (the month's bill).
 */
final class FocusSpec {

    /**
     * Conditions of FOCUS that hold for OpenAI's image billing, as phrases of the spec's "MUST be present ...
     * when the provider ..." sentences: projects are sub accounts; the rate card is a published price list of
     * unit prices (per 1M tokens) without discounts; tokens measure usage; the workflow is a user-defined tag; an
     * organization has a display name.
     */
    static final List<String> APPLICABLE = List.of(
            "supports a sub account construct",
            "supports unit pricing concepts and publishes price lists",
            "supports the measurement of usage",
            "publishes unit prices exclusive of discounts",
            "supports setting user or provider-defined tags",
            "assigning a display name for the billing account");

    /**
     * UnitFormat (FOCUS_Spec {@code specification/attributes/unit_format.md}): a unit, optionally after a unit
     * quantity expressed as a whole number ({@code 1000 Tokens}), or a unit per time unit.
     */
    static final Pattern UNIT_FORMAT =
            Pattern.compile("^(?:[1-9][0-9]* )?[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)?(?:/(?:[1-9][0-9]* )?[A-Z][a-z]*)?$");

    /** One derived column definition. */
    record Column(
            String id,
            String featureLevel,
            String dataType,
            boolean allowsNulls,
            String valueFormat,
            List<String> allowed,
            List<String> nullRules,
            String presence) {}

    private FocusSpec() {}

    /** The derived column definitions of a version (1.2, 1.3 or 1.4). */
    static List<Column> columns(String version) {
        String resource = "/focus/columns-" + version + ".csv";
        try (InputStream in = FocusSpec.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.startsWith("#"))
                    .collect(Collectors.joining("\n"));
            List<Column> out = new ArrayList<>();
            for (CSVRecord c : TestCsv.parse(new java.io.StringReader(text)).records()) {
                out.add(new Column(
                        c.get("column_id"),
                        c.get("feature_level"),
                        c.get("data_type"),
                        Boolean.parseBoolean(c.get("allows_nulls")),
                        c.get("value_format"),
                        split(c.get("allowed_values"), "\\|"),
                        split(c.get("null_rules"), ";"),
                        c.get("presence_condition")));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> split(String s, String sep) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(sep));
    }

    /**
     * Conditions that do not hold: prices and bills are in USD only, no capacity reservations, commitment
     * discounts, contract commitments, regions, provisioned resources, split cost allocation, negotiated prices,
     * or several pricing categories or account types.
     */
    static final List<String> NOT_APPLICABLE = List.of(
            "virtual currency",
            "different currencies",
            "more than one",
            "capacity reservations",
            "commitment discounts",
            "contract commitments",
            "region",
            "provisioned resources",
            "split cost allocation",
            "negotiated pricing");

    private static boolean applicable(String condition) {
        return APPLICABLE.stream().anyMatch(condition::contains)
                && NOT_APPLICABLE.stream().noneMatch(condition::contains);
    }

    /**
     * Every rule the export breaks, one line each naming the column and the rule.
     *
     * @param focus the export
     * @param version 1.2, 1.3 or 1.4
     * @param bill the month's bill (every line item), USD
     * @return the violations; empty when the export conforms
     */
    static List<String> violations(Dataset<Row> focus, String version, BigDecimal bill) {
        List<Column> spec = columns(version);
        List<String> present = Arrays.asList(focus.columns());
        List<Row> rows = focus.collectAsList();
        List<String> out = new ArrayList<>();
        for (Column c : spec) {
            boolean required = c.featureLevel().equals("Mandatory")
                    || (c.featureLevel().equals("Conditional") && applicable(c.presence()));
            if (required && !present.contains(c.id())) {
                out.add(c.id() + ": " + c.featureLevel() + " column missing"
                        + (c.presence().isEmpty() ? "" : " (present " + c.presence() + ")"));
            }
        }
        Map<String, Column> byId = spec.stream().collect(Collectors.toMap(Column::id, c -> c));
        for (String name : present) {
            Column c = byId.get(name);
            if (c == null) {
                if (!name.startsWith("x_")) {
                    out.add(name + ": not a FOCUS " + version + " column and not prefixed x_");
                }
                continue;
            }
            out.addAll(columnViolations(focus.schema().apply(name).dataType(), rows, c, present));
        }
        if (present.contains("BilledCost")) {
            BigDecimal billed = rows.stream()
                    .map(r -> (BigDecimal) r.getAs("BilledCost"))
                    .filter(java.util.Objects::nonNull)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            if (billed.compareTo(bill) != 0) {
                out.add("BilledCost: sums to " + billed.toPlainString() + ", not the invoiced " + bill.toPlainString()
                        + " (a charge serving as the basis for invoicing)");
            }
        }
        return out;
    }

    private static long count(List<Row> rows, java.util.function.Predicate<Row> p) {
        return rows.stream().filter(p).count();
    }

    private static boolean isNull(Row r, String column) {
        return r.isNullAt(r.fieldIndex(column));
    }

    private static List<String> columnViolations(DataType type, List<Row> rows, Column c, List<String> present) {
        List<String> out = new ArrayList<>();
        String id = c.id();
        boolean typeOk = switch (c.dataType()) {
            case "Decimal" -> type instanceof DecimalType;
            case "Date/Time" -> type == DataTypes.TimestampType;
            case "String", "JSON" -> type == DataTypes.StringType;
            default -> false;
        };
        if (!typeOk) {
            out.add(id + ": type " + type.simpleString() + " is not FOCUS " + c.dataType());
        }
        boolean neverNull = !c.allowsNulls() || c.nullRules().contains("never_null");
        for (String rule : c.nullRules()) {
            if (rule.startsWith("not_null_when_provider_supports:")
                    && applicable(rule.substring(rule.indexOf(':') + 1))) {
                neverNull = true;
            }
        }
        long nulls = count(rows, r -> isNull(r, id));
        if (neverNull && nulls > 0) {
            out.add(id + ": null on " + nulls + " rows (MUST NOT be null)");
        }
        for (String rule : c.nullRules()) {
            String other = rule.substring(rule.indexOf(':') + 1);
            if (!present.contains(other)) {
                continue;
            }
            if (rule.startsWith("not_null_when_present:") && count(rows, r -> !isNull(r, other) && isNull(r, id)) > 0) {
                out.add(id + ": null where " + other + " is not (MUST NOT be null when " + other + " is not null)");
            }
            if (rule.startsWith("null_when_null:") && count(rows, r -> isNull(r, other) && !isNull(r, id)) > 0) {
                out.add(id + ": set where " + other + " is null (MUST be null when " + other + " is null)");
            }
        }
        List<String> values = rows.stream()
                .filter(r -> !isNull(r, id))
                .map(r -> String.valueOf(r.get(r.fieldIndex(id))))
                .distinct()
                .toList();
        for (String v : values) {
            if (!c.allowed().isEmpty() && !c.allowed().contains(v)) {
                out.add(id + ": '" + v + "' is not an allowed value " + c.allowed());
            }
            if (c.valueFormat().replace(" ", "").contains("UnitFormat")
                    && !UNIT_FORMAT.matcher(v).matches()) {
                out.add(id + ": '" + v + "' does not follow UnitFormat (a whole-number quantity, then the unit)");
            }
        }
        if (c.dataType().equals("JSON")) {
            out.addAll(jsonViolations(id, values));
        }
        return out;
    }

    /** KeyValueFormat: a JSON object; keys of SkuPriceDetails not defined by FOCUS start with x_. */
    private static List<String> jsonViolations(String id, List<String> values) {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String v : values) {
            try {
                JsonNode node = json.readTree(v);
                if (!node.isObject()) {
                    out.add(id + ": '" + v + "' is not a JSON object");
                    continue;
                }
                if (id.equals("SkuPriceDetails")) {
                    for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
                        String key = keys.next();
                        if (!key.startsWith("x_")) {
                            out.add(id + ": key '" + key + "' is not prefixed x_");
                        }
                    }
                }
            } catch (IOException e) {
                out.add(id + ": '" + v + "' is not JSON");
            }
        }
        return out;
    }
}
