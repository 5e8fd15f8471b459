package io.assetcost.pricing;

import java.util.Locale;

/**
 * A priced token class of the OpenAI image models (DESIGN section 3). The tokens of each meter come from
 * the usage object: cached tokens are a subset of {@code text_tokens} / {@code image_tokens}, so the
 * uncached meters take the remainder and nothing is counted twice.
 */
public enum Meter {
  /** Uncached text input: {@code text_tokens - input_cached_text_tokens}. */
  TEXT_INPUT,
  /** Cached text input: {@code input_cached_text_tokens}. */
  CACHED_TEXT_INPUT,
  /** Uncached image input: {@code image_tokens - input_cached_image_tokens}. */
  IMAGE_INPUT,
  /** Cached image input: {@code input_cached_image_tokens}. */
  CACHED_IMAGE_INPUT,
  /** Image output: {@code output_tokens_details.image_tokens}, else all of {@code output_tokens}. */
  IMAGE_OUTPUT,
  /** Text output: {@code output_tokens_details.text_tokens}, else 0. */
  TEXT_OUTPUT;

  /** The meter's name in rate cards and column names, e.g. {@code cached_image_input}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
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
    throw new IllegalArgumentException(
        "unknown meter '" + id + "' (expected one of text_input, cached_text_input, image_input,"
            + " cached_image_input, image_output, text_output)");
  }
}
