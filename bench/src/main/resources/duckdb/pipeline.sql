-- assetcost's cost pipeline (README: "Inputs", "Pricing", "Outcomes") as DuckDB SQL: a second, independent implementation
-- to benchmark the Spark job against and to check it. DuckDbCostJob first creates the views
-- usage_json_raw, usage_parquet_raw, usage_csv_raw, acceptance_raw and rate_card_raw over the input files.
-- Money is DECIMAL(38,12) USD throughout, exact; ratios are the one rounding (half-even, 12 places).
-- Statements end with a semicolon at the end of a line.

SET TimeZone = 'UTC';

-- Text as the Spark job cleans it (quality/Text.java): whitespace of any kind off both ends, blank = NULL; a code
-- (status, decision) also in lower case. The regular expression runs only where an end is not plain ASCII.
CREATE MACRO clean(x) AS nullif(CASE WHEN ord(x[1]) BETWEEN 33 AND 126 AND ord(x[-1]) BETWEEN 33 AND 126 THEN x
  ELSE regexp_replace(x, '^[\s\x0B\p{Z}\x{FEFF}\x{200B}]+|[\s\x0B\p{Z}\x{FEFF}\x{200B}]+$', '', 'g') END, '');
CREATE MACRO code(x) AS lower(clean(x));
-- A time written as text (quality/Times.java): an ISO-8601 date and time, zone optional (UTC), else NULL.
CREATE MACRO iso_time(x) AS CASE WHEN regexp_full_match(trim(x),
  '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?')
  THEN TRY_CAST(trim(x) AS TIMESTAMPTZ) END;
CREATE MACRO out_of_range(t) AS t < TIMESTAMPTZ '2000-01-01 00:00:00+00' OR t >= TIMESTAMPTZ '2100-01-01 00:00:00+00';

-- 2.1 / 2.2: usage in one canonical shape; a reader's own reason first. raw_row is a hash of the record as
-- received (the contract's fields), for telling copies apart within one format.
CREATE TEMP VIEW usage_json AS
SELECT clean(request_id) AS request_id,
       CASE WHEN created BETWEEN 0 AND 4102444800 THEN to_timestamp(created) END AS created_at,
       clean(project_id) AS project_id, clean(workflow_id) AS workflow_id,
       clean(asset_id) AS asset_id, clean(model) AS model,
       clean(endpoint) AS endpoint, coalesce(clean(service_tier), 'default') AS service_tier,
       code(status) AS status, clean(error_code) AS error_code, n,
       clean(size) AS size, clean(quality) AS quality,
       CASE WHEN usage IS NULL OR usage.input_tokens_details IS NULL THEN 0
            ELSE coalesce(usage.input_tokens_details.text_tokens, 0) END AS text_tokens,
       coalesce(input_cached_text_tokens, 0) AS cached_text_tokens,
       CASE WHEN usage IS NULL OR usage.input_tokens_details IS NULL THEN 0
            ELSE coalesce(usage.input_tokens_details.image_tokens, 0) END AS image_tokens,
       coalesce(input_cached_image_tokens, 0) AS cached_image_tokens,
       CASE WHEN usage IS NULL THEN 0
            WHEN usage.output_tokens_details IS NOT NULL THEN coalesce(usage.output_tokens_details.image_tokens, 0)
            ELSE coalesce(usage.output_tokens, 0) END AS output_image_tokens,
       CASE WHEN usage IS NULL OR usage.output_tokens_details IS NULL THEN 0
            ELSE coalesce(usage.output_tokens_details.text_tokens, 0) END AS output_text_tokens,
       CASE WHEN NOT is_object THEN 'malformed_record'
            WHEN created IS NOT NULL AND NOT (created BETWEEN 0 AND 4102444800) THEN 'invalid_value'
            WHEN usage IS NOT NULL AND usage.input_tokens_details IS NULL AND coalesce(usage.input_tokens, 0) > 0
              THEN 'missing_field'
            WHEN usage.input_tokens_details IS NOT NULL AND usage.input_tokens IS NOT NULL
              AND usage.input_tokens <> coalesce(usage.input_tokens_details.text_tokens, 0)
                + coalesce(usage.input_tokens_details.image_tokens, 0) THEN 'inconsistent_tokens'
            WHEN usage.output_tokens_details IS NOT NULL AND usage.output_tokens IS NOT NULL
              AND usage.output_tokens <> coalesce(usage.output_tokens_details.image_tokens, 0)
                + coalesce(usage.output_tokens_details.text_tokens, 0) THEN 'inconsistent_tokens'
       END AS parse_reason,
       'jsonl' AS source_format, source_file, raw_row
FROM usage_json_raw;

CREATE TEMP VIEW usage_parquet AS
SELECT clean(request_id) AS request_id, created_at::TIMESTAMPTZ AS created_at,
       clean(project_id) AS project_id, clean(workflow_id) AS workflow_id,
       clean(asset_id) AS asset_id, clean(model) AS model,
       clean(endpoint) AS endpoint, coalesce(clean(service_tier), 'default') AS service_tier,
       code(status) AS status, clean(error_code) AS error_code, n::INTEGER AS n,
       clean(size) AS size, clean(quality) AS quality,
       coalesce(input_text_tokens, 0) AS text_tokens, coalesce(input_cached_text_tokens, 0) AS cached_text_tokens,
       coalesce(input_image_tokens, 0) AS image_tokens, coalesce(input_cached_image_tokens, 0) AS cached_image_tokens,
       coalesce(output_image_tokens, 0) AS output_image_tokens, coalesce(output_text_tokens, 0) AS output_text_tokens,
       NULL::VARCHAR AS parse_reason, 'parquet' AS source_format, source_file, raw_row
FROM usage_parquet_raw;

CREATE TEMP VIEW usage_csv AS
SELECT clean(request_id) AS request_id, iso_time(created_at) AS created_at,
       clean(project_id) AS project_id, clean(workflow_id) AS workflow_id,
       clean(asset_id) AS asset_id, clean(model) AS model,
       clean(endpoint) AS endpoint, coalesce(clean(service_tier), 'default') AS service_tier,
       code(status) AS status, clean(error_code) AS error_code, TRY_CAST(clean(n) AS INTEGER) AS n,
       clean(size) AS size, clean(quality) AS quality,
       coalesce(TRY_CAST(clean(input_text_tokens) AS BIGINT), 0) AS text_tokens,
       coalesce(TRY_CAST(clean(input_cached_text_tokens) AS BIGINT), 0) AS cached_text_tokens,
       coalesce(TRY_CAST(clean(input_image_tokens) AS BIGINT), 0) AS image_tokens,
       coalesce(TRY_CAST(clean(input_cached_image_tokens) AS BIGINT), 0) AS cached_image_tokens,
       coalesce(TRY_CAST(clean(output_image_tokens) AS BIGINT), 0) AS output_image_tokens,
       coalesce(TRY_CAST(clean(output_text_tokens) AS BIGINT), 0) AS output_text_tokens,
       CASE WHEN (created_at IS NOT NULL AND iso_time(created_at) IS NULL)
              OR (n IS NOT NULL AND TRY_CAST(clean(n) AS INTEGER) IS NULL)
              OR (input_text_tokens IS NOT NULL AND TRY_CAST(clean(input_text_tokens) AS BIGINT) IS NULL)
              OR (input_cached_text_tokens IS NOT NULL AND TRY_CAST(clean(input_cached_text_tokens) AS BIGINT) IS NULL)
              OR (input_image_tokens IS NOT NULL AND TRY_CAST(clean(input_image_tokens) AS BIGINT) IS NULL)
              OR (input_cached_image_tokens IS NOT NULL
                  AND TRY_CAST(clean(input_cached_image_tokens) AS BIGINT) IS NULL)
              OR (output_image_tokens IS NOT NULL AND TRY_CAST(clean(output_image_tokens) AS BIGINT) IS NULL)
              OR (output_text_tokens IS NOT NULL AND TRY_CAST(clean(output_text_tokens) AS BIGINT) IS NULL)
            THEN 'malformed_record' END AS parse_reason,
       'csv' AS source_format, source_file, raw_row
FROM usage_csv_raw;

-- Record rules, first broken wins (UsageValidation); the bounds are the job's options (macros DuckDbCostJob makes).
CREATE TEMP TABLE usage_checked AS
SELECT *, coalesce(parse_reason, CASE
         WHEN request_id IS NULL OR created_at IS NULL OR workflow_id IS NULL OR model IS NULL OR status IS NULL
           OR n IS NULL THEN 'missing_field'
         WHEN n < 1 OR out_of_range(created_at) THEN 'invalid_value'
         WHEN least(text_tokens, cached_text_tokens, image_tokens, cached_image_tokens, output_image_tokens,
           output_text_tokens) < 0 THEN 'negative_tokens'
         WHEN n > max_images_per_request() OR greatest(text_tokens, cached_text_tokens, image_tokens,
           cached_image_tokens, output_image_tokens, output_text_tokens) > max_tokens_per_meter()
           THEN 'implausible_value'
         WHEN cached_text_tokens > text_tokens OR cached_image_tokens > image_tokens THEN 'cached_exceeds_total'
       END) AS reason
FROM (SELECT * FROM usage_json UNION ALL SELECT * FROM usage_parquet UNION ALL SELECT * FROM usage_csv);

-- Copies of one request_id (most have one): identical ones count once (the first by format and file is
-- priced); when they differ in a canonical field, two of one format differ as received, or some break a rule
-- beside a valid one, none is priced: every valid copy is conflicting_duplicate.
CREATE TEMP TABLE usage_copies AS
SELECT request_id FROM usage_checked WHERE request_id IS NOT NULL GROUP BY request_id HAVING count(*) > 1;

CREATE TEMP TABLE usage_conflicts AS
SELECT request_id FROM usage_checked SEMI JOIN usage_copies USING (request_id)
GROUP BY request_id
HAVING count(*) FILTER (WHERE reason IS NULL) > 0
   AND (count(*) FILTER (WHERE reason IS NOT NULL) > 0
        OR count(DISTINCT {'created_at': created_at, 'project_id': project_id, 'workflow_id': workflow_id,
             'asset_id': asset_id, 'model': model, 'endpoint': endpoint, 'service_tier': service_tier,
             'status': status, 'error_code': error_code, 'n': n, 'size': size, 'quality': quality,
             'text_tokens': text_tokens, 'cached_text_tokens': cached_text_tokens, 'image_tokens': image_tokens,
             'cached_image_tokens': cached_image_tokens, 'output_image_tokens': output_image_tokens,
             'output_text_tokens': output_text_tokens}) > 1
        OR count(DISTINCT {'f': source_format, 'r': raw_row}) > count(DISTINCT source_format));

CREATE TEMP VIEW requests AS
SELECT * EXCLUDE (parse_reason, reason, source_format, raw_row) REPLACE (coalesce(asset_id, request_id) AS asset_id)
FROM usage_checked ANTI JOIN usage_copies USING (request_id) WHERE reason IS NULL
UNION ALL
SELECT * FROM (
  SELECT DISTINCT ON (request_id) * EXCLUDE (parse_reason, reason, source_format, raw_row)
         REPLACE (coalesce(asset_id, request_id) AS asset_id)
  FROM usage_checked SEMI JOIN usage_copies USING (request_id) ANTI JOIN usage_conflicts USING (request_id)
  WHERE reason IS NULL ORDER BY request_id, source_format, source_file);

-- 2.4 / 3: the rate card as non-overlapping segments per model and tier, each meter's rate in force.
CREATE TEMP TABLE rates AS
SELECT trim(model) AS model, trim(service_tier) AS service_tier, trim(meter) AS meter,
       CAST(trim(usd_per_1m_tokens) AS DECIMAL(18,6)) AS usd_per_1m,
       CAST(trim(effective_from) AS TIMESTAMPTZ) AS effective_from,
       CAST(nullif(trim(effective_to), '') AS TIMESTAMPTZ) AS effective_to
FROM rate_card_raw;

CREATE TEMP TABLE segments AS
WITH bounds AS (
  SELECT DISTINCT model, service_tier, b FROM (
    SELECT model, service_tier, effective_from AS b FROM rates
    UNION ALL SELECT model, service_tier, effective_to FROM rates WHERE effective_to IS NOT NULL)),
spans AS (
  SELECT model, service_tier, b AS seg_from,
         lead(b) OVER (PARTITION BY model, service_tier ORDER BY b) AS seg_to
  FROM bounds)
SELECT s.model AS seg_model, s.service_tier AS seg_tier, s.seg_from, s.seg_to,
       max(r.usd_per_1m) FILTER (WHERE r.meter = 'text_input') AS text_input_rate,
       max(r.usd_per_1m) FILTER (WHERE r.meter = 'cached_text_input') AS cached_text_input_rate,
       max(r.usd_per_1m) FILTER (WHERE r.meter = 'image_input') AS image_input_rate,
       max(r.usd_per_1m) FILTER (WHERE r.meter = 'cached_image_input') AS cached_image_input_rate,
       max(r.usd_per_1m) FILTER (WHERE r.meter = 'image_output') AS image_output_rate,
       max(r.usd_per_1m) FILTER (WHERE r.meter = 'text_output') AS text_output_rate
FROM spans s JOIN rates r ON r.model = s.model AND r.service_tier = s.service_tier
  AND r.effective_from <= s.seg_from AND (r.effective_to IS NULL OR r.effective_to > s.seg_from)
GROUP BY ALL;

-- Per-token prices, exact: the 1M price shifted six places (rates have at most 6 decimals).
CREATE TEMP TABLE segment_prices AS
SELECT seg_model, seg_tier, seg_from, seg_to, text_input_rate, cached_text_input_rate, image_input_rate,
       cached_image_input_rate, image_output_rate, text_output_rate,
       CAST(text_input_rate * 0.000001 AS DECIMAL(18,12)) AS text_input_pt,
       CAST(cached_text_input_rate * 0.000001 AS DECIMAL(18,12)) AS cached_text_input_pt,
       CAST(image_input_rate * 0.000001 AS DECIMAL(18,12)) AS image_input_pt,
       CAST(cached_image_input_rate * 0.000001 AS DECIMAL(18,12)) AS cached_image_input_pt,
       CAST(image_output_rate * 0.000001 AS DECIMAL(18,12)) AS image_output_pt,
       CAST(text_output_rate * 0.000001 AS DECIMAL(18,12)) AS text_output_pt
FROM segments;

CREATE TEMP TABLE rated AS
WITH metered AS (
  SELECT *,
         CASE WHEN model IN (SELECT model FROM rates) THEN model
              ELSE regexp_replace(model, '-\d{4}-\d{2}-\d{2}$', '') END AS rate_model,
         text_tokens - cached_text_tokens AS text_input_tokens,
         cached_text_tokens AS cached_text_input_tokens,
         image_tokens - cached_image_tokens AS image_input_tokens,
         cached_image_tokens AS cached_image_input_tokens,
         output_image_tokens AS image_output_tokens,
         output_text_tokens AS text_output_tokens
  FROM requests)
SELECT m.*, p.* EXCLUDE (seg_tier, seg_from, seg_to),
       p.seg_model IS NULL
         OR (text_input_tokens > 0 AND text_input_rate IS NULL)
         OR (cached_text_input_tokens > 0 AND cached_text_input_rate IS NULL)
         OR (image_input_tokens > 0 AND image_input_rate IS NULL)
         OR (cached_image_input_tokens > 0 AND cached_image_input_rate IS NULL)
         OR (image_output_tokens > 0 AND image_output_rate IS NULL)
         OR (text_output_tokens > 0 AND text_output_rate IS NULL)
         OR (cached_text_input_tokens > 0 AND text_input_rate IS NULL)
         OR (cached_image_input_tokens > 0 AND image_input_rate IS NULL) AS no_rate
FROM metered m LEFT JOIN segment_prices p
  ON p.seg_model = m.rate_model AND p.seg_tier = m.service_tier
  AND m.created_at >= p.seg_from AND (p.seg_to IS NULL OR m.created_at < p.seg_to);

CREATE MACRO meter_cost(tokens, per_token) AS
  CASE WHEN tokens = 0 THEN CAST(0 AS DECIMAL(38,12))
       ELSE CAST(CAST(tokens AS DECIMAL(19,0)) * per_token AS DECIMAL(38,12)) END;

-- Priced requests; a request that costs more than --max-request-cost-usd goes to quarantine (implausible_value).
CREATE TEMP TABLE priced AS
SELECT request_id, created_at, CAST(created_at AS DATE) AS usage_date, project_id, workflow_id, asset_id, model,
       rate_model, endpoint, service_tier, status, error_code, n, size, quality,
       CASE WHEN status = 'succeeded' THEN n ELSE 0 END AS images_generated,
       text_input_tokens, cached_text_input_tokens, image_input_tokens, cached_image_input_tokens,
       image_output_tokens, text_output_tokens,
       text_input_rate AS text_input_usd_per_1m, cached_text_input_rate AS cached_text_input_usd_per_1m,
       image_input_rate AS image_input_usd_per_1m, cached_image_input_rate AS cached_image_input_usd_per_1m,
       image_output_rate AS image_output_usd_per_1m, text_output_rate AS text_output_usd_per_1m,
       meter_cost(text_input_tokens, text_input_pt) AS text_input_cost_usd,
       meter_cost(cached_text_input_tokens, cached_text_input_pt) AS cached_text_input_cost_usd,
       meter_cost(image_input_tokens, image_input_pt) AS image_input_cost_usd,
       meter_cost(cached_image_input_tokens, cached_image_input_pt) AS cached_image_input_cost_usd,
       meter_cost(image_output_tokens, image_output_pt) AS image_output_cost_usd,
       meter_cost(text_output_tokens, text_output_pt) AS text_output_cost_usd,
       CAST(meter_cost(text_input_tokens, text_input_pt) + meter_cost(cached_text_input_tokens, cached_text_input_pt)
         + meter_cost(image_input_tokens, image_input_pt) + meter_cost(cached_image_input_tokens, cached_image_input_pt)
         + meter_cost(image_output_tokens, image_output_pt) + meter_cost(text_output_tokens, text_output_pt)
         AS DECIMAL(38,12)) AS cost_usd,
       CAST(meter_cost(cached_text_input_tokens, text_input_pt - cached_text_input_pt)
         + meter_cost(cached_image_input_tokens, image_input_pt - cached_image_input_pt) AS DECIMAL(38,12))
         AS cache_savings_usd,
       source_file
FROM rated WHERE NOT no_rate;

CREATE TEMP TABLE request_costs AS
SELECT * FROM priced WHERE cost_usd <= max_request_cost_usd();

-- Requests whose usage is in quarantine: decisions on them are quarantined too.
CREATE TEMP TABLE held_requests AS
SELECT DISTINCT request_id FROM (
  SELECT request_id FROM usage_checked WHERE reason IS NOT NULL AND request_id IS NOT NULL
  UNION ALL SELECT request_id FROM usage_conflicts
  UNION ALL SELECT request_id FROM rated WHERE no_rate
  UNION ALL SELECT request_id FROM priced WHERE cost_usd > max_request_cost_usd());

-- 2.3: acceptance records, typed and checked (AcceptanceValidation), exact duplicates counted once.
CREATE TEMP TABLE acceptance_checked AS
WITH typed AS (
  SELECT clean(request_id) AS request_id, clean(asset_id) AS asset_id, clean(workflow_id) AS workflow_id,
         image_index AS index_text, TRY_CAST(clean(image_index) AS INTEGER) AS image_index,
         decision AS decision_text, code(decision) AS decision,
         decided_at AS decided_text, iso_time(decided_at) AS decided_at,
         reviewer_id, reason
  FROM acceptance_raw)
SELECT request_id, asset_id, workflow_id, image_index, decision, decided_at, reviewer_id, reason,
       CASE WHEN request_id IS NULL OR index_text IS NULL THEN 'missing_field'
            WHEN image_index IS NULL THEN 'malformed_record'
            WHEN decision_text IS NULL THEN 'missing_field'
            WHEN decision IS NULL OR decision NOT IN ('approved', 'rejected') THEN 'invalid_decision'
            WHEN decided_text IS NULL THEN 'missing_field'
            WHEN decided_at IS NULL THEN 'invalid_timestamp'
            WHEN out_of_range(decided_at) THEN 'invalid_value' END AS check_reason
FROM typed;

CREATE TEMP TABLE acceptance_linked AS
WITH unique_records AS (
  SELECT DISTINCT * EXCLUDE (check_reason) FROM acceptance_checked WHERE check_reason IS NULL)
SELECT d.*, r.workflow_id AS req_workflow, r.asset_id AS req_asset,
       CASE WHEN h.request_id IS NOT NULL THEN 'request_quarantined'
            WHEN r.request_id IS NULL THEN 'unknown_request'
            WHEN d.image_index < 0 OR d.image_index >= r.n THEN 'image_index_out_of_range'
            WHEN d.decided_at < r.created_at THEN 'decided_before_request'
            WHEN d.asset_id IS NOT NULL AND d.asset_id <> r.asset_id THEN 'asset_mismatch'
            WHEN d.workflow_id IS NOT NULL AND d.workflow_id <> r.workflow_id THEN 'asset_mismatch' END AS link_reason
FROM unique_records d
LEFT JOIN request_costs r ON r.request_id = d.request_id
LEFT JOIN held_requests h ON h.request_id = d.request_id;

CREATE TEMP VIEW decisions AS
SELECT request_id, image_index, req_workflow AS workflow_id, req_asset AS asset_id, decision, decided_at
FROM acceptance_linked WHERE link_reason IS NULL;

-- 4: outcomes. An image stands approved since its earliest approval after its last rejection (the
-- latest decision wins; a tie at one instant goes to rejected).
CREATE TEMP TABLE image_outcomes AS
WITH last_rejection AS (
  SELECT request_id, image_index, max(decided_at) FILTER (WHERE decision = 'rejected') AS last_rejected
  FROM decisions GROUP BY ALL)
SELECT d.workflow_id, d.asset_id, d.request_id, d.image_index,
       min(d.decided_at) FILTER (WHERE d.decision = 'approved'
         AND (l.last_rejected IS NULL OR d.decided_at > l.last_rejected)) AS approved_since
FROM decisions d JOIN last_rejection l USING (request_id, image_index)
GROUP BY ALL;

CREATE TEMP TABLE asset_decisions AS
SELECT workflow_id, asset_id, count(*) AS images_reviewed, count(approved_since) AS images_approved,
       min(approved_since) AS approved_at,
       (min({'t': approved_since, 'r': request_id}) FILTER (WHERE approved_since IS NOT NULL)).r AS winning_request_id,
       CASE WHEN count(approved_since) > 0 THEN 'approved' ELSE 'rejected' END AS asset_status
FROM image_outcomes GROUP BY ALL;

-- Every priced request with its asset's outcome and its attempt number (1 = the asset's first request by
-- created_at, ties by request_id).
CREATE TEMP TABLE outcomes AS
WITH joined AS (
  SELECT c.request_id, c.workflow_id, c.asset_id, c.created_at, c.usage_date, c.project_id, c.model, c.rate_model,
         c.endpoint, c.service_tier, c.quality, c.size, c.status, c.n, c.images_generated, c.cost_usd,
         c.cache_savings_usd,
         coalesce(a.asset_status, 'pending') AS asset_status, a.winning_request_id, a.approved_at,
         coalesce(a.images_reviewed, 0) AS images_reviewed, coalesce(a.images_approved, 0) AS images_approved,
         min(c.created_at) OVER w AS first_request_at,
         CAST(row_number() OVER (w ORDER BY c.created_at, c.request_id) AS INTEGER) AS attempt_number
  FROM request_costs c LEFT JOIN asset_decisions a USING (workflow_id, asset_id)
  WINDOW w AS (PARTITION BY c.workflow_id, c.asset_id))
SELECT *, CAST(first_request_at AS DATE) AS cohort_date,
       coalesce(request_id = winning_request_id, false) AS is_winning,
       CASE WHEN asset_status <> 'pending' AND NOT coalesce(request_id = winning_request_id, false) THEN
         CASE WHEN status <> 'succeeded' THEN 'failed_request'
              WHEN asset_status = 'approved' THEN 'superseded_attempt'
              ELSE 'abandoned_asset' END END AS waste_reason
FROM joined;

CREATE TEMP TABLE asset_costs AS
SELECT workflow_id, asset_id, min(cohort_date) AS cohort_date, min(first_request_at) AS first_request_at,
       max(asset_status) AS status, max(approved_at) AS approved_at, max(winning_request_id) AS winning_request_id,
       count(*) AS requests, sum(images_generated)::BIGINT AS images_generated,
       max(images_reviewed)::BIGINT AS images_reviewed, max(images_approved)::BIGINT AS images_approved,
       sum(cost_usd) AS total_cost_usd,
       sum(CASE WHEN is_winning THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS direct_cost_usd,
       sum(CASE WHEN waste_reason IS NOT NULL THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS waste_cost_usd,
       sum(CASE WHEN asset_status = 'pending' THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS pending_cost_usd,
       sum(cache_savings_usd) AS cache_savings_usd
FROM outcomes GROUP BY workflow_id, asset_id;

-- a / b at 12 decimal places, half-even, exact: integer arithmetic on the unscaled values.
CREATE MACRO unscaled12(x) AS CAST(CAST(x AS DECIMAL(38,12)) * 1000000000000 AS HUGEINT);
-- A zero denominator gives NULL (nullif), as in the Spark job.
CREATE MACRO ratio12(a, b) AS
  CAST(CAST(
    (unscaled12(a) * 1000000000000) // nullif(unscaled12(b), 0)
    + CASE WHEN 2 * ((unscaled12(a) * 1000000000000) % nullif(unscaled12(b), 0)) > unscaled12(b)
             OR (2 * ((unscaled12(a) * 1000000000000) % nullif(unscaled12(b), 0)) = unscaled12(b)
                 AND ((unscaled12(a) * 1000000000000) // nullif(unscaled12(b), 0)) % 2 = 1) THEN 1 ELSE 0 END
    AS DECIMAL(38,0)) * CAST(0.000000000001 AS DECIMAL(13,12)) AS DECIMAL(38,12));

CREATE TEMP TABLE cost_per_approved_asset AS
WITH cohorts AS (
  SELECT cohort_date, workflow_id, count(*) AS assets,
         count(*) FILTER (WHERE status = 'approved') AS assets_approved,
         count(*) FILTER (WHERE status = 'rejected') AS assets_rejected,
         count(*) FILTER (WHERE status = 'pending') AS assets_pending,
         sum(requests)::BIGINT AS requests, sum(images_generated)::BIGINT AS images_generated,
         coalesce(sum(images_generated) FILTER (WHERE status <> 'pending'), 0)::BIGINT AS resolved_images,
         sum(total_cost_usd) AS total_cost_usd,
         coalesce(sum(total_cost_usd) FILTER (WHERE status <> 'pending'), 0)::DECIMAL(38,12) AS resolved_cost_usd,
         sum(pending_cost_usd) AS pending_cost_usd, sum(direct_cost_usd) AS direct_cost_usd,
         sum(waste_cost_usd) AS waste_cost_usd, sum(cache_savings_usd) AS cache_savings_usd
  FROM asset_costs GROUP BY cohort_date, workflow_id)
SELECT cohort_date, workflow_id, assets, assets_approved, assets_rejected, assets_pending, requests,
       images_generated, total_cost_usd, resolved_cost_usd, pending_cost_usd, direct_cost_usd, waste_cost_usd,
       ratio12(resolved_cost_usd, assets_approved) AS cost_per_approved_asset_usd,
       ratio12(direct_cost_usd, assets_approved) AS direct_cost_per_approved_asset_usd,
       ratio12(resolved_images, assets_approved) AS iteration_factor,
       ratio12(waste_cost_usd, resolved_cost_usd) AS waste_share,
       cache_savings_usd
FROM cohorts;

CREATE TEMP TABLE retry_waste AS
SELECT w.cohort_date, w.workflow_id, w.waste_reason, w.requests, w.images_generated, w.waste_cost_usd,
       ratio12(w.waste_cost_usd, c.resolved_cost_usd) AS share_of_resolved_cost
FROM (SELECT cohort_date, workflow_id, waste_reason, count(*) AS requests,
             sum(images_generated)::BIGINT AS images_generated, sum(cost_usd) AS waste_cost_usd
      FROM outcomes WHERE waste_reason IS NOT NULL GROUP BY ALL) w
LEFT JOIN cost_per_approved_asset c USING (cohort_date, workflow_id);

-- @four-tables: the benchmark's first four tables are done (DuckDbCostJob times the work up to here apart).

-- Planning (README, "Planning"; planning/Attempts.java): request_outcomes, attempts, attempt_cap.
CREATE TEMP TABLE request_outcomes AS
SELECT request_id, workflow_id, asset_id, cohort_date, created_at, usage_date, project_id, model, rate_model,
       endpoint, service_tier, quality, size, status, n, images_generated, cost_usd, cache_savings_usd,
       attempt_number, asset_status, is_winning AS is_winning_request, waste_reason
FROM outcomes;

CREATE TEMP TABLE attempts AS
SELECT cohort_date, workflow_id,
       CASE WHEN requests <= 5 THEN CAST(requests AS VARCHAR) WHEN requests <= 10 THEN '6-10' ELSE '11+' END AS attempts,
       CAST(CASE WHEN requests <= 5 THEN requests WHEN requests <= 10 THEN 6 ELSE 11 END AS INTEGER) AS attempts_from,
       count(*) AS assets, count(*) FILTER (WHERE status = 'approved') AS assets_approved,
       count(*) FILTER (WHERE status = 'rejected') AS assets_rejected,
       count(*) FILTER (WHERE status = 'pending') AS assets_pending,
       sum(total_cost_usd) AS total_cost_usd, sum(waste_cost_usd) AS waste_cost_usd
FROM asset_costs GROUP BY ALL;

CREATE TEMP TABLE attempt_cap AS
SELECT cohort_date, workflow_id, CAST(attempt_cap() AS INTEGER) AS attempt_cap, resolved_cost_usd,
       cost_beyond_cap_usd, ratio12(cost_beyond_cap_usd, resolved_cost_usd) AS share_beyond_cap,
       assets_approved, approvals_beyond_cap
FROM (SELECT cohort_date, workflow_id,
             sum(CASE WHEN asset_status <> 'pending' THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS resolved_cost_usd,
             sum(CASE WHEN asset_status <> 'pending' AND attempt_number > attempt_cap() THEN cost_usd ELSE 0 END)
               ::DECIMAL(38,12) AS cost_beyond_cap_usd,
             count(*) FILTER (WHERE is_winning AND attempt_number > attempt_cap()) AS approvals_beyond_cap,
             count(*) FILTER (WHERE is_winning) AS assets_approved
      FROM outcomes GROUP BY cohort_date, workflow_id);

-- rate_limit_headroom (planning/Headroom.java): per usage day and rate model over priced requests, the peak
-- images and tokens in one UTC minute (the earliest minute on a tie), the smallest tier of the rate-limit card
-- in force at the day's start that holds both peaks, and the minutes over the account tier's limits.
CREATE TEMP TABLE rate_limits AS
SELECT trim(model) AS limit_model, CAST(trim(tier) AS INTEGER) AS tier,
       CAST(trim(images_per_minute) AS BIGINT) AS images_per_minute,
       CAST(trim(tokens_per_minute) AS BIGINT) AS tokens_per_minute,
       CAST(trim(effective_from) AS TIMESTAMPTZ) AS limit_from,
       CAST(nullif(trim(effective_to), '') AS TIMESTAMPTZ) AS limit_to
FROM rate_limit_card_raw;

CREATE TEMP TABLE request_minutes AS
SELECT usage_date, rate_model,
       CASE WHEN rate_model IN (SELECT limit_model FROM rate_limits) THEN rate_model
            ELSE regexp_replace(rate_model, '-\d{4}-\d{2}-\d{2}$', '') END AS limit_key,
       date_trunc('minute', created_at) AS minute, count(*) AS requests, sum(n)::BIGINT AS images,
       sum(text_input_tokens + cached_text_input_tokens + image_input_tokens + cached_image_input_tokens
           + image_output_tokens + text_output_tokens)::BIGINT AS tokens
FROM request_costs GROUP BY ALL;

CREATE TEMP TABLE rate_limit_headroom AS
WITH days AS (
  SELECT usage_date, rate_model, limit_key, sum(requests)::BIGINT AS requests, sum(images)::BIGINT AS images_requested,
         max({'v': images, 'm': -epoch_us(minute), 't': minute}) AS ipm,
         max({'v': tokens, 'm': -epoch_us(minute), 't': minute}) AS tpm,
         count(*) AS active_minutes
  FROM request_minutes GROUP BY ALL),
tiers AS (
  SELECT d.usage_date, d.rate_model,
         min(l.tier) FILTER (WHERE l.images_per_minute >= d.ipm.v AND l.tokens_per_minute >= d.tpm.v)
           AS smallest_fitting_tier
  FROM days d LEFT JOIN rate_limits l ON l.limit_model = d.limit_key
    AND CAST(d.usage_date AS TIMESTAMPTZ) >= l.limit_from AND (l.limit_to IS NULL OR CAST(d.usage_date AS TIMESTAMPTZ) < l.limit_to)
  GROUP BY ALL),
over_tier AS (
  SELECT m.usage_date, m.rate_model,
         CASE WHEN count(l.tier) > 0 THEN count(*) FILTER (WHERE m.images > l.images_per_minute
           OR m.tokens > l.tokens_per_minute) END AS minutes_over_account_tier
  FROM request_minutes m LEFT JOIN rate_limits l ON l.tier = account_tier() AND l.limit_model = m.limit_key
    AND m.minute >= l.limit_from AND (l.limit_to IS NULL OR m.minute < l.limit_to)
  GROUP BY ALL)
SELECT d.usage_date, d.rate_model, d.requests, d.images_requested, d.ipm.v AS peak_images_per_minute,
       d.ipm.t AS peak_ipm_minute, d.tpm.v AS peak_tokens_per_minute, d.tpm.t AS peak_tpm_minute,
       d.active_minutes, t.smallest_fitting_tier, o.minutes_over_account_tier
FROM days d JOIN tiers t USING (usage_date, rate_model) JOIN over_tier o USING (usage_date, rate_model);

-- quarantine, as counts by source and reason (the records' raw text is not kept here).
CREATE TEMP TABLE quarantine_counts AS
SELECT source, reason, count(*) AS records FROM (
  SELECT 'usage' AS source, CASE WHEN reason IS NULL THEN 'conflicting_duplicate' ELSE reason END AS reason
  FROM usage_checked c
  WHERE reason IS NOT NULL OR request_id IN (SELECT request_id FROM usage_conflicts)
  UNION ALL SELECT 'usage', 'no_rate' FROM rated WHERE no_rate
  UNION ALL SELECT 'usage', 'implausible_value' FROM priced WHERE cost_usd > max_request_cost_usd()
  UNION ALL SELECT 'acceptance', check_reason FROM acceptance_checked WHERE check_reason IS NOT NULL
  UNION ALL SELECT 'acceptance', link_reason FROM acceptance_linked WHERE link_reason IS NOT NULL)
GROUP BY ALL;
