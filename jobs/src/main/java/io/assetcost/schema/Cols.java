package io.assetcost.schema;

/**
 * Column names used across the pipeline, in one place. Output names match the contracts in
 * {@code schemas/}; the internal ones (canonical usage, lineage, validation) never reach an output table
 * except through {@link Schemas#conform}.
 */
public final class Cols {
    private Cols() {}

    // Keys and request metadata (usage inputs and request_costs).
    /** Provider request id (string). */
    public static final String REQUEST_ID = "request_id";
    /** Request time (timestamp, UTC). */
    public static final String CREATED_AT = "created_at";
    /** UTC date of created_at (date). */
    public static final String USAGE_DATE = "usage_date";
    /** OpenAI project id (string). */
    public static final String PROJECT_ID = "project_id";
    /** Workflow (string). */
    public static final String WORKFLOW_ID = "workflow_id";
    /** Asset (string). */
    public static final String ASSET_ID = "asset_id";
    /** Model as called (string). */
    public static final String MODEL = "model";
    /** Rate-card model that priced the request (string). */
    public static final String RATE_MODEL = "rate_model";
    /** Endpoint (string). */
    public static final String ENDPOINT = "endpoint";
    /** Service tier, default or batch (string). */
    public static final String SERVICE_TIER = "service_tier";
    /** Request status (string). */
    public static final String STATUS = "status";
    /** Provider error code (string). */
    public static final String ERROR_CODE = "error_code";
    /** Images requested (int). */
    public static final String N = "n";
    /** Requested size (string). */
    public static final String SIZE = "size";
    /** Requested quality (string). */
    public static final String QUALITY = "quality";
    /** n when succeeded, else 0 (int). */
    public static final String IMAGES_GENERATED = "images_generated";
    /** Cost of the request, USD decimal(38,12). */
    public static final String COST_USD = "cost_usd";
    /** Cache savings, USD decimal(38,12). */
    public static final String CACHE_SAVINGS_USD = "cache_savings_usd";
    /** The gateway's own computed cost of a request as its export carries it, USD decimal(38,12); null = none. */
    public static final String GATEWAY_COST_USD = "gateway_cost_usd";

    // Canonical usage token counts (long, tokens), before they are split into meters.
    /** Text input tokens, cached included. */
    public static final String TEXT_TOKENS = "text_tokens";
    /** Cached subset of text_tokens. */
    public static final String CACHED_TEXT_TOKENS = "cached_text_tokens";
    /** Image input tokens, cached included. */
    public static final String IMAGE_TOKENS = "image_tokens";
    /** Cached subset of image_tokens. */
    public static final String CACHED_IMAGE_TOKENS = "cached_image_tokens";
    /** Image output tokens. */
    public static final String OUTPUT_IMAGE_TOKENS = "output_image_tokens";
    /** Text output tokens. */
    public static final String OUTPUT_TEXT_TOKENS = "output_text_tokens";

    // Lineage and validation.
    /** The record as read (string). */
    public static final String RAW_RECORD = "raw_record";
    /**
     * The record as received, in a normal form for comparing copies (string): a JSON object of every field,
     * keys sorted, no insignificant whitespace.
     */
    public static final String RECORD_TEXT = "record_text";
    /** The format the record was read from: jsonl, csv or parquet (string). */
    public static final String SOURCE_FORMAT = "source_format";
    /** File the record came from (string). */
    public static final String SOURCE_FILE = "source_file";
    /** Reason a reader could not parse the record (string, null when it parsed). */
    public static final String PARSE_REASON = "parse_reason";
    /** What the reader could not parse (string). */
    public static final String PARSE_DETAIL = "parse_detail";
    /**
     * A Parquet export row as read (a struct of the export's fields, in its contract's order; null for the
     * other formats): the record as received, compared between copies and rendered as its raw_record (JSON)
     * only where the record goes to quarantine. An internal column of the usage reader, not of a contract.
     */
    public static final String EXPORT_ROW = "export_row";
    /** The lineage columns every reader appends to a record, in this order. */
    public static final java.util.List<String> LINEAGE =
            java.util.List.of(RAW_RECORD, RECORD_TEXT, SOURCE_FILE, SOURCE_FORMAT, PARSE_REASON, PARSE_DETAIL);
    /** Quarantine: which input (string). */
    public static final String SOURCE = "source";
    /** Quarantine: reason code (string). */
    public static final String REASON = "reason";
    /** Quarantine: detail (string). */
    public static final String DETAIL = "detail";

    // Acceptance records.
    /** Image of a request, [0, n) (int). */
    public static final String IMAGE_INDEX = "image_index";
    /** approved or rejected (string). */
    public static final String DECISION = "decision";
    /** Decision time (timestamp, UTC). */
    public static final String DECIDED_AT = "decided_at";
    /** Reviewer (string). */
    public static final String REVIEWER_ID = "reviewer_id";
    /** Reviewer's free-text reason (string). */
    public static final String REVIEW_REASON = "reason";

    // Outcomes and reports.
    /** UTC date of the asset's first request (date). */
    public static final String COHORT_DATE = "cohort_date";
    /** Time of the asset's first request (timestamp). */
    public static final String FIRST_REQUEST_AT = "first_request_at";
    /** Earliest time since which an image of the asset stands approved (timestamp). */
    public static final String APPROVED_AT = "approved_at";
    /** Request of the earliest-approved image (string). */
    public static final String WINNING_REQUEST_ID = "winning_request_id";
    /** Waste reason of a non-winning request of a resolved asset (string). */
    public static final String WASTE_REASON = "waste_reason";
    /** request_outcomes: whether the request made its asset's earliest-approved image (boolean). */
    public static final String IS_WINNING_REQUEST = "is_winning_request";

    // Report measures (asset_costs, cost_per_approved_asset, retry_waste and the run summary's totals).
    /** Requests counted (long). */
    public static final String REQUESTS = "requests";
    /** Assets counted (long). */
    public static final String ASSETS = "assets";
    /** Approved assets (long). */
    public static final String ASSETS_APPROVED = "assets_approved";
    /** Rejected assets (long). */
    public static final String ASSETS_REJECTED = "assets_rejected";
    /** Pending assets (long). */
    public static final String ASSETS_PENDING = "assets_pending";
    /** Images with a valid decision (long). */
    public static final String IMAGES_REVIEWED = "images_reviewed";
    /** Images whose decision in force is approved (long). */
    public static final String IMAGES_APPROVED = "images_approved";
    /** Cost of every request counted, USD decimal(38,12). */
    public static final String TOTAL_COST_USD = "total_cost_usd";
    /** Cost of the winning requests, USD decimal(38,12). */
    public static final String DIRECT_COST_USD = "direct_cost_usd";
    /** Cost of the non-winning requests of resolved assets, USD decimal(38,12). */
    public static final String WASTE_COST_USD = "waste_cost_usd";
    /** Cost of pending assets, USD decimal(38,12). */
    public static final String PENDING_COST_USD = "pending_cost_usd";
    /** Cost of approved and rejected assets, USD decimal(38,12). */
    public static final String RESOLVED_COST_USD = "resolved_cost_usd";
    /** resolved_cost_usd / assets_approved, USD decimal(38,12). */
    public static final String COST_PER_APPROVED_ASSET_USD = "cost_per_approved_asset_usd";
    /** direct_cost_usd / assets_approved, USD decimal(38,12). */
    public static final String DIRECT_COST_PER_APPROVED_ASSET_USD = "direct_cost_per_approved_asset_usd";
    /** Images generated for resolved assets / assets_approved, decimal(38,12). */
    public static final String ITERATION_FACTOR = "iteration_factor";
    /** waste_cost_usd / resolved_cost_usd, decimal(38,12). */
    public static final String WASTE_SHARE = "waste_share";
    /** A waste row's cost / its cohort and workflow's resolved cost, decimal(38,12). */
    public static final String SHARE_OF_RESOLVED_COST = "share_of_resolved_cost";

    // Internal flags (never in an output table).
    /** An exact duplicate beyond the first (boolean), on the flagged usage and acceptance datasets. */
    public static final String DUPLICATE = "_duplicate";

    // Month close (finance).
    /** Billing month, YYYY-MM (string). */
    public static final String BILLING_MONTH = "billing_month";
    /** Row grain of cost_reconciliation: day or month (string). */
    public static final String GRAIN = "grain";
    /** The {@link #GRAIN} of a row for one UTC day. */
    public static final String GRAIN_DAY = "day";
    /** The {@link #GRAIN} of a row for the whole month. */
    public static final String GRAIN_MONTH = "month";
    /** A meter's id (string), as in the rate card. */
    public static final String METER = "meter";
    /** A token count (long, tokens). */
    public static final String TOKENS = "tokens";
    /** A rate in force, USD per 1M tokens, decimal(18,6). */
    public static final String USD_PER_1M_TOKENS = "usd_per_1m_tokens";
    /** Our computed cost, USD decimal(38,12). */
    public static final String COMPUTED_COST_USD = "computed_cost_usd";
    /** The provider's billed cost, USD decimal(38,12). */
    public static final String BILLED_COST_USD = "billed_cost_usd";
    /** computed - billed, USD decimal(38,12). */
    public static final String DIFFERENCE_USD = "difference_usd";
    /** Requests whose gateway cost differs from ours at the micro-dollar (long). */
    public static final String REQUESTS_DIFFERING = "requests_differing";
    /** difference / billed x 100, decimal(38,12). */
    public static final String DIFFERENCE_PCT = "difference_pct";
    /** A billed amount, USD decimal(38,12). */
    public static final String AMOUNT_USD = "amount_usd";
    /** A Costs API line item (string). */
    public static final String LINE_ITEM = "line_item";
    /** A Costs API result's quantity, in its quantity_unit, decimal(38,12). */
    public static final String QUANTITY = "quantity";
    /** A Costs API result's unit of quantity (string: tokens, 1000_tokens, images, ...). */
    public static final String QUANTITY_UNIT = "quantity_unit";
    /** A project's display name (string). */
    public static final String PROJECT_NAME = "project_name";
    /** Tokens logged on a meter (long, tokens). */
    public static final String COMPUTED_TOKENS = "computed_tokens";
    /** Tokens billed: a quantity normalised to tokens, decimal(38,6). */
    public static final String BILLED_TOKENS = "billed_tokens";
    /** computed_tokens - billed_tokens, decimal(38,6). */
    public static final String TOKEN_DIFFERENCE = "token_difference";
    /** Token status of a meter_reconciliation row (string). */
    public static final String TOKEN_STATUS = "token_status";
    /** Requests priced by the cost job (long), in log_coverage. */
    public static final String LOGGED_REQUESTS = "logged_requests";
    /** Images of the priced requests (long), in log_coverage. */
    public static final String LOGGED_IMAGES = "logged_images";
    /** Usage records quarantined by the cost job (long), in log_coverage. */
    public static final String QUARANTINED_REQUESTS = "quarantined_requests";
    /** Images of the quarantined records (long), in log_coverage. */
    public static final String QUARANTINED_IMAGES = "quarantined_images";
    /** The Usage API's num_model_requests (long). */
    public static final String API_REQUESTS = "api_requests";
    /** The Usage API's images (long). */
    public static final String API_IMAGES = "api_images";
    /** (logged + quarantined requests) / api_requests x 100, decimal(38,12), in log_coverage. */
    public static final String REQUEST_COVERAGE_PCT = "request_coverage_pct";
    /** Usage records quarantined for one reason (long), in unpriced_usage. */
    public static final String RECORDS = "records";
    /** Those of the records that name tokens (long), in unpriced_usage. */
    public static final String RECORDS_WITH_TOKENS = "records_with_tokens";
    /** Input tokens the records name (long), in unpriced_usage. */
    public static final String INPUT_TOKENS = "input_tokens";
    /** Output tokens the records name (long), in unpriced_usage. */
    public static final String OUTPUT_TOKENS = "output_tokens";
    /** Distinct usage dates a line item was billed on (long), in unmatched_line_items. */
    public static final String DAYS = "days";
    // Planning tables (attempts, attempt_cap, rate_limit_headroom; schemas/*.avsc).
    /** First attempt count of an attempts bucket (int): 1 ... 5, 6, 11. */
    public static final String ATTEMPTS_FROM = "attempts_from";
    /** The cap of the what-if (int), in attempt_cap. */
    public static final String ATTEMPT_CAP = "attempt_cap";
    /** Spend on attempts after the cap, resolved assets (decimal USD), in attempt_cap. */
    public static final String COST_BEYOND_CAP_USD = "cost_beyond_cap_usd";
    /** Approved assets whose winning request came after the cap (long), in attempt_cap. */
    public static final String APPROVALS_BEYOND_CAP = "approvals_beyond_cap";
    /** Busiest UTC minute of a day in images (long), in rate_limit_headroom. */
    public static final String PEAK_IMAGES_PER_MINUTE = "peak_images_per_minute";
    /** Busiest UTC minute of a day in tokens (long), in rate_limit_headroom. */
    public static final String PEAK_TOKENS_PER_MINUTE = "peak_tokens_per_minute";
    /** Lowest usage tier holding both peaks (int, nullable), in rate_limit_headroom. */
    public static final String SMALLEST_FITTING_TIER = "smallest_fitting_tier";
    /** Minutes over the --account-tier limits (long, nullable), in rate_limit_headroom. */
    public static final String MINUTES_OVER_ACCOUNT_TIER = "minutes_over_account_tier";

    /** Decision value. */
    public static final String APPROVED = "approved";
    /** Decision value. */
    public static final String REJECTED = "rejected";
    /** Asset status with no reviewed image. */
    public static final String PENDING = "pending";
    /** The one status that generates images. */
    public static final String SUCCEEDED = "succeeded";
}
