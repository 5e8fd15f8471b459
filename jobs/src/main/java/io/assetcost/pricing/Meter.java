package io.assetcost.pricing;

import static org.apache.spark.sql.functions.col;

import io.assetcost.schema.Cols;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;

/**
 * A priced token class of the OpenAI image models, and the one home of the meter algebra (README,
 * "Pricing"; docs/DESIGN.md, "Adding a meter"). Each meter reads one canonical token count. A cached meter
 * is a <em>subset</em> of an uncached one (cached tokens are part of {@code text_tokens} /
 * {@code image_tokens}, never extra): the uncached meter takes the remainder, so no token is counted
 * twice; the cached count may not exceed the count it is part of; pricing a cached meter's savings needs
 * the uncached meter's rate. Every rule that depends on this pairing asks the meter.
 */
public enum Meter {
    /** Uncached text input: {@code text_tokens - input_cached_text_tokens}. */
    TEXT_INPUT(Cols.TEXT_TOKENS, "input_tokens_details.text_tokens", "text input", null),
    /** Cached text input: {@code input_cached_text_tokens}, a subset of the text input. */
    CACHED_TEXT_INPUT(Cols.CACHED_TEXT_TOKENS, "input_cached_text_tokens", "cached text input", TEXT_INPUT),
    /** Uncached image input: {@code image_tokens - input_cached_image_tokens}. */
    IMAGE_INPUT(Cols.IMAGE_TOKENS, "input_tokens_details.image_tokens", "image input", null),
    /** Cached image input: {@code input_cached_image_tokens}, a subset of the image input. */
    CACHED_IMAGE_INPUT(Cols.CACHED_IMAGE_TOKENS, "input_cached_image_tokens", "cached image input", IMAGE_INPUT),
    /** Image output: {@code output_tokens_details.image_tokens}, else all of {@code output_tokens}. */
    IMAGE_OUTPUT(Cols.OUTPUT_IMAGE_TOKENS, "output_tokens_details.image_tokens", "image output", null),
    /** Text output: {@code output_tokens_details.text_tokens}, else 0. */
    TEXT_OUTPUT(Cols.OUTPUT_TEXT_TOKENS, "output_tokens_details.text_tokens", "text output", null);

    private final String canonicalColumn;
    private final String sourceField;
    private final String label;
    private final Meter subsetOf;

    Meter(String canonicalColumn, String sourceField, String label, Meter subsetOf) {
        this.canonicalColumn = canonicalColumn;
        this.sourceField = sourceField;
        this.label = label;
        this.subsetOf = subsetOf;
    }

    /** The meter's name in rate cards and column names, e.g. {@code cached_image_input}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Words for messages, e.g. {@code text input}. */
    public String label() {
        return label;
    }

    /** The usage log field the meter's count comes from, for messages ({@code input_cached_text_tokens}). */
    public String sourceField() {
        return sourceField;
    }

    /** The canonical usage column (long, tokens) the meter reads: for an uncached input, cached included. */
    public String canonicalColumn() {
        return canonicalColumn;
    }

    /** Whether the meter is a cached subset of another meter. */
    public boolean isCached() {
        return subsetOf != null;
    }

    /** For a cached meter, the uncached meter it is a subset of (whose rate prices its savings); else null. */
    public Meter uncached() {
        return subsetOf;
    }

    /** For an uncached meter, its cached subset; else null. */
    public Meter cachedSubset() {
        for (Meter m : values()) {
            if (m.subsetOf == this) {
                return m;
            }
        }
        return null;
    }

    /** The cached meters, in declaration order. */
    public static List<Meter> cached() {
        return Arrays.stream(values()).filter(Meter::isCached).toList();
    }

    /**
     * The meter's token count as an expression over canonical usage: the canonical count, less its cached
     * subset's for an uncached meter that has one.
     *
     * @return a long column, tokens
     */
    public Column tokens() {
        Meter cached = cachedSubset();
        return cached == null ? col(canonicalColumn) : col(canonicalColumn).minus(col(cached.canonicalColumn));
    }

    /** Column of the meter's token count (long, tokens) in request_costs. */
    public String tokensColumn() {
        return id() + "_tokens";
    }

    /** Column of the rate in force (decimal(18,6), USD per 1M tokens) in request_costs. */
    public String rateColumn() {
        return id() + "_usd_per_1m";
    }

    /** Column of the meter's price per single token (decimal(18,12), USD), internal to pricing. */
    public String perTokenColumn() {
        return id() + "_usd_per_token";
    }

    /** Column of the meter's cost (decimal(38,12), USD) in request_costs. */
    public String costColumn() {
        return id() + "_cost_usd";
    }

    /**
     * The meter a rate card names.
     *
     * @param id a rate card {@code meter} value, e.g. {@code image_output}
     * @return the meter
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Meter fromId(String id) {
        for (Meter m : values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown meter '" + id + "' (expected one of "
                + String.join(", ", Arrays.stream(values()).map(Meter::id).toList()) + ")");
    }
}
