package io.assetcost.finance;

import static org.apache.spark.sql.functions.lit;

import io.assetcost.pricing.Meter;
import io.assetcost.run.ConfigFiles;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Column;

/**
 * Ties the Costs API's {@code line_item} strings to rate-card models (contract
 * {@code schemas/line_item_mapping.avsc}). The embedded default
 * ({@code assetcost/default-line-item-mapping.csv}) matches a line item that starts with an image model's
 * name, optionally a dated snapshot, then nothing or a separator and detail ({@code "gpt-image-2"},
 * {@code "gpt-image-2-2026-04-21, output"}); more specific names come first so {@code gpt-image-1-mini}
 * is never taken for {@code gpt-image-1}. Line items that name model and meter, as real exports do
 * ({@code gpt-image-2 image, output}, {@code gpt-image-2 text, input}, {@code gpt-image-1 image, output}), map to
 * both; a line item naming the model only ({@code gpt-image-2, images}) maps to the model. {@code --line-items
 * FILE} replaces it.
 */
public final class LineItemMapping {

    /** The header columns a mapping CSV must have: {@code pattern, model} (contract {@code line_item_mapping}). */
    public static final List<String> REQUIRED_COLUMNS = Schemas.requiredColumns(Schemas.LINE_ITEM_MAPPING);

    /** The header columns a mapping CSV may have: {@code meter}. */
    public static final List<String> OPTIONAL_COLUMNS = Schemas.fieldNames(Schemas.LINE_ITEM_MAPPING).stream()
            .filter(c -> !REQUIRED_COLUMNS.contains(c))
            .toList();

    /** Classpath resource of the default mapping. */
    public static final String DEFAULT = "assetcost/default-line-item-mapping.csv";

    /**
     * One rule.
     *
     * @param pattern Java regular expression, matched against the whole line item
     * @param model the rate-card model it bills
     * @param meter the meter it bills ({@link Meter#id()}), or null when the line item names the model only
     */
    public record Rule(String pattern, String model, String meter) {}

    private final List<Rule> rules;
    private final String description;

    private LineItemMapping(List<Rule> rules, String description) {
        this.rules = List.copyOf(rules);
        this.description = description;
    }

    /**
     * Reads a mapping CSV with header {@code pattern,model} and an optional {@code meter} column (a meter id such
     * as {@code image_output}, or empty for a line item that names the model only).
     *
     * @param reader the CSV text
     * @param description path or name, for messages
     * @throws InputException naming the line of a bad row or pattern
     */
    public static LineItemMapping fromCsv(Reader reader, String description) {
        List<Rule> rules = new ArrayList<>();
        try (CSVParser parser =
                ConfigFiles.csv(reader, "line item mapping", description, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, false)) {
            for (CSVRecord r : parser) {
                String where = "line item mapping " + description + " line " + parser.getCurrentLineNumber();
                String pattern = r.get("pattern");
                String model = r.get("model");
                String meter = r.isMapped("meter") && !r.get("meter").isBlank()
                        ? r.get("meter").trim()
                        : null;
                if (pattern.isEmpty() || model.isEmpty()) {
                    throw new InputException(where + ": pattern and model must not be empty");
                }
                if (meter != null && Arrays.stream(Meter.values()).noneMatch(m -> m.id().equals(meter))) {
                    throw new InputException(where + ": meter '" + meter + "' is not one of "
                            + Arrays.stream(Meter.values()).map(Meter::id).toList());
                }
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    throw new InputException(
                            where + ": pattern '" + pattern + "' is not a regular expression: " + e.getDescription());
                }
                rules.add(new Rule(pattern, model, meter));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InputException("line item mapping " + description + " is not readable CSV: " + e.getMessage(), e);
        }
        if (rules.isEmpty()) {
            throw new InputException("line item mapping " + description + " has no rows");
        }
        return new LineItemMapping(rules, description);
    }

    /** The rules, in order. */
    public List<Rule> rules() {
        return rules;
    }

    /** Where the mapping came from. */
    public String description() {
        return description;
    }

    /**
     * The model a line item bills, as a column: the first rule whose pattern matches the whole line item.
     *
     * @param lineItem the line_item column
     * @return the model, or null when no rule matches (or the line item is null)
     */
    public Column modelOf(Column lineItem) {
        return firstMatch(lineItem, Rule::model);
    }

    /**
     * The meter a line item bills, as a column: the meter of the first rule whose pattern matches the whole line
     * item (the same rule {@link #modelOf(Column)} takes).
     *
     * @param lineItem the line_item column
     * @return the meter id, or null when no rule matches or the matching rule names no meter
     */
    public Column meterOf(Column lineItem) {
        return firstMatch(lineItem, Rule::meter);
    }

    private Column firstMatch(Column lineItem, Function<Rule, String> value) {
        Column out = null;
        for (Rule r : rules) {
            Column matches = lineItem.rlike("^(?:" + r.pattern() + ")$");
            Column v = lit(value.apply(r)).cast("string");
            out = out == null ? org.apache.spark.sql.functions.when(matches, v) : out.when(matches, v);
        }
        return out;
    }

    /**
     * The model a line item bills, in plain Java (for tests and messages).
     *
     * @return the model, or null when no rule matches
     */
    public String modelOf(String lineItem) {
        if (lineItem == null) {
            return null;
        }
        for (Rule r : rules) {
            if (Pattern.compile(r.pattern()).matcher(lineItem).matches()) {
                return r.model();
            }
        }
        return null;
    }
}
