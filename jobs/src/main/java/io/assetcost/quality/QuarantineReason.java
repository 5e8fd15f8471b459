package io.assetcost.quality;

import java.util.Arrays;
import java.util.List;

/**
 * Why a record went to quarantine: the one list of reason codes, with the inputs that use each, what was
 * wrong and an example. The README's "Quarantine reasons" table is {@link #markdownTable()} (a test holds
 * them equal), and the run summaries count quarantined records by {@link #code()}. Adding a reason is one
 * entry here (docs/DESIGN.md, "Adding a quarantine reason").
 */
public enum QuarantineReason {
    MALFORMED_RECORD(
            "malformed_record",
            List.of(Quarantine.USAGE, Quarantine.ACCEPTANCE),
            "a JSON line that is not exactly one JSON object (a second object or other text after it, a key"
                    + " twice) or has a field of the wrong type (the detail names it); a CSV record with the wrong"
                    + " number of fields or a cell that is not a number / time; a CSV file that stops parsing (the"
                    + " rest of it is one record, the detail gives where and how many lines); `image_index` not a"
                    + " whole number",
            "`{\"request_id\": \"req_1\", \"n\": \"two\"}`"),
    MISSING_FIELD(
            "missing_field",
            List.of(Quarantine.USAGE, Quarantine.ACCEPTANCE, Quarantine.COSTS, Quarantine.USAGE_API),
            "`request_id`, `created`, `workflow_id`, `model`, `status` or `n` absent or blank;"
                    + " `input_tokens_details` absent while `input_tokens` > 0; a decision without `request_id`,"
                    + " `image_index`, `decision` or `decided_at`; a billed amount without a value; a Usage API"
                    + " result without `num_model_requests`",
            "a usage line without `model`"),
    INVALID_VALUE(
            "invalid_value",
            List.of(Quarantine.USAGE, Quarantine.ACCEPTANCE),
            "`n` below 1; `created` or `decided_at` outside 2000-2100 (milliseconds?)",
            "`\"created\": 1763683200000`"),
    IMPLAUSIBLE_VALUE(
            "implausible_value",
            List.of(Quarantine.USAGE),
            "beyond a plausibility bound: `n` above `--max-images-per-request`, a meter's tokens above"
                    + " `--max-tokens-per-meter`, a request's cost above `--max-request-cost-usd` (the detail"
                    + " gives the bound)",
            "`\"output_tokens\": 9200000000000000000`"),
    INCONSISTENT_TOKENS(
            "inconsistent_tokens",
            List.of(Quarantine.USAGE),
            "`input_tokens` differs from `text_tokens + image_tokens`, or `output_tokens` from"
                    + " `output_tokens_details.image_tokens + text_tokens`",
            "`input_tokens` 2700, details 1200 + 1400"),
    NEGATIVE_TOKENS(
            "negative_tokens", List.of(Quarantine.USAGE), "a token count below 0", "`\"output_tokens\": -4160`"),
    CACHED_EXCEEDS_TOTAL(
            "cached_exceeds_total",
            List.of(Quarantine.USAGE),
            "cached tokens above the input tokens they are part of",
            "`input_cached_text_tokens` 900 of 800 text tokens"),
    CONFLICTING_DUPLICATE(
            "conflicting_duplicate",
            List.of(Quarantine.USAGE),
            "records of one `request_id` that differ in any field (key order and spacing aside), in any file or"
                    + " format, or of which some break a rule: every valid one, so none is priced (one that"
                    + " breaks a rule keeps its own reason; the detail counts the copies and names the rules"
                    + " broken). Identical ones count once and are reported as dropped",
            "`req_7` twice, with 4160 and 6240 output tokens; or twice, the second with `output_tokens` 5000"
                    + " of details 4160 (`inconsistent_tokens`)"),
    NO_RATE(
            "no_rate",
            List.of(Quarantine.USAGE),
            "no rate for the model, tier and time, or for a meter with tokens",
            "`gpt-image-3-preview`"),
    INVALID_DECISION(
            "invalid_decision", List.of(Quarantine.ACCEPTANCE), "neither `approved` nor `rejected`", "`maybe`"),
    INVALID_TIMESTAMP(
            "invalid_timestamp",
            List.of(Quarantine.ACCEPTANCE),
            "`decided_at` is not a date and time (a time or a date alone is not: README, \"Inputs\")",
            "`T10:15:00`, `2026`, `03/11/2026 10:15`"),
    UNKNOWN_REQUEST(
            "unknown_request",
            List.of(Quarantine.ACCEPTANCE),
            "no usage record has this `request_id`",
            "`req_missing`"),
    REQUEST_QUARANTINED(
            "request_quarantined",
            List.of(Quarantine.ACCEPTANCE),
            "its request's usage record is in quarantine",
            "a decision on a `no_rate` request"),
    IMAGE_INDEX_OUT_OF_RANGE(
            "image_index_out_of_range",
            List.of(Quarantine.ACCEPTANCE),
            "outside `[0, n)` of its request",
            "`image_index` 3 of a request with `n` 2"),
    DECIDED_BEFORE_REQUEST(
            "decided_before_request",
            List.of(Quarantine.ACCEPTANCE),
            "`decided_at` is before its request's `created`",
            "an approval at 09:00 of a request made at 10:00"),
    ASSET_MISMATCH(
            "asset_mismatch",
            List.of(Quarantine.ACCEPTANCE),
            "names another `asset_id` or `workflow_id` than its request's",
            "`sku-1042-side` for a `sku-1042-front` request"),
    UNREADABLE_FILE(
            "unreadable_file",
            List.of(Quarantine.FILE),
            "with `--on-unreadable-file quarantine`: a file not in the format its name says, truncated, or"
                    + " unreadable (its records are not counted: the file is one row)",
            "a `.parquet` file that is not Parquet, a truncated `.gz`"),
    BUCKET_WITHOUT_TIMES(
            "bucket_without_times",
            List.of(Quarantine.COSTS, Quarantine.USAGE_API),
            "a bucket without `start_time` or" + " `end_time`",
            "`{\"results\": [...]}` alone"),
    BUCKET_NOT_A_DAY(
            "bucket_not_a_day",
            List.of(Quarantine.COSTS, Quarantine.USAGE_API),
            "a bucket that is not one UTC day",
            "an hourly bucket"),
    NON_USD_CURRENCY(
            "non_usd_currency",
            List.of(Quarantine.COSTS),
            "an amount in another currency than USD",
            "`\"currency\": \"eur\"`"),
    CONFLICTING_BUCKET(
            "conflicting_bucket",
            List.of(Quarantine.COSTS, Quarantine.USAGE_API),
            "the same bucket, project and line item with different amounts on two pages (Usage API: the same bucket"
                    + " and grouping with different counts)",
            "0.40 on page 1, 0.42 on" + " page 2");

    private final String code;
    private final List<String> sources;
    private final String description;
    private final String example;

    QuarantineReason(String code, List<String> sources, String description, String example) {
        this.code = code;
        this.sources = sources;
        this.description = description;
        this.example = example;
    }

    /** The code written in the quarantine table's {@code reason} column, e.g. {@code no_rate}. */
    public String code() {
        return code;
    }

    /** The inputs ({@code usage}, {@code acceptance}, {@code costs}) that can quarantine a record for it. */
    public List<String> sources() {
        return sources;
    }

    /** What was wrong, in Markdown. */
    public String description() {
        return description;
    }

    /** An example, in Markdown. */
    public String example() {
        return example;
    }

    /**
     * The reason of a code.
     *
     * @param code a {@code reason} value
     * @return the reason
     * @throws IllegalArgumentException for an unknown code
     */
    public static QuarantineReason of(String code) {
        return Arrays.stream(values())
                .filter(r -> r.code.equals(code))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown quarantine reason '" + code + "'"));
    }

    /** The README's table of reasons: reason, inputs, what was wrong, example. */
    public static String markdownTable() {
        StringBuilder b = new StringBuilder("| reason | inputs | what was wrong | example |\n|---|---|---|---|\n");
        for (QuarantineReason r : values()) {
            b.append("| `")
                    .append(r.code)
                    .append("` | ")
                    .append(String.join(", ", r.sources))
                    .append(" | ")
                    .append(r.description)
                    .append(" | ")
                    .append(r.example)
                    .append(" |\n");
        }
        return b.toString();
    }
}
