-- assetcost's cost pipeline (README: "Inputs", "Pricing", "Outcomes") as DuckDB SQL: a second, independent implementation
-- to benchmark the Spark job against and to check it. DuckDbCostJob first creates the views
-- usage_json_raw, usage_parquet_raw, usage_csv_raw, acceptance_raw and rate_card_raw over the input files.
-- Money is DECIMAL(38,12) USD throughout, exact; ratios are the one rounding (half-even, 12 places).
-- Statements end with a semicolon at the end of a line.

SET TimeZone = 'UTC';

-- 2.1 / 2.2: usage in one canonical shape; a reader's own reason first.
CREATE TEMP VIEW usage_json AS
SELECT nullif(trim(request_id), '') AS request_id,
       CASE WHEN created BETWEEN 0 AND 4102444800 THEN to_timestamp(created) END AS created_at,
       nullif(trim(project_id), '') AS project_id, nullif(trim(workflow_id), '') AS workflow_id,
       nullif(trim(asset_id), '') AS asset_id, nullif(trim(model), '') AS model,
       nullif(trim(endpoint), '') AS endpoint, coalesce(nullif(trim(service_tier), ''), 'default') AS service_tier,
       nullif(trim(status), '') AS status, nullif(trim(error_code), '') AS error_code, n,
       nullif(trim(size), '') AS size, nullif(trim(quality), '') AS quality,
       CASE WHEN usage IS NULL OR usage.input_tokens_details IS NULL THEN 0
            ELSE coalesce(usage.input_tokens_details.text_tokens, 0) END AS text_tokens,
       coalesce(input_cached_text_tokens, 0) AS cached_text_tokens,
       CASE WHEN usage IS NULL OR usage.input_tokens_details IS NULL THEN 0
            ELSE coalesce(usage.input_tokens_details.image_tokens, 0) END AS image_tokens,
       coalesce(input_cached_image_tokens, 0) AS cached_image_tokens,
       CASE WHEN usage IS NULL THEN 0
            WHEN usage.output_tokens_details IS NOT NULL THEN coalesce(usage.output_tokens_details.image_tokens, 0)
            ELSE coalesce(usage.output_tokens, 0) END AS output_image_tokens,
       CASE WHEN usage.output_tokens_details IS NULL THEN 0
            ELSE coalesce(usage.output_tokens_details.text_tokens, 0) END AS output_text_tokens,
       CASE WHEN created IS NOT NULL AND NOT (created BETWEEN 0 AND 4102444800) THEN 'invalid_value'
            WHEN usage IS NOT NULL AND usage.input_tokens_details IS NULL AND coalesce(usage.input_tokens, 0) > 0
              THEN 'missing_field'
            WHEN usage.input_tokens_details IS NOT NULL AND usage.input_tokens IS NOT NULL
              AND usage.input_tokens <> coalesce(usage.input_tokens_details.text_tokens, 0)
                + coalesce(usage.input_tokens_details.image_tokens, 0) THEN 'inconsistent_tokens'
       END AS parse_reason
FROM usage_json_raw;

CREATE TEMP VIEW usage_parquet AS
SELECT nullif(trim(request_id), '') AS request_id, created_at::TIMESTAMPTZ AS created_at,
       nullif(trim(project_id), '') AS project_id, nullif(trim(workflow_id), '') AS workflow_id,
       nullif(trim(asset_id), '') AS asset_id, nullif(trim(model), '') AS model,
       nullif(trim(endpoint), '') AS endpoint, coalesce(nullif(trim(service_tier), ''), 'default') AS service_tier,
       nullif(trim(status), '') AS status, nullif(trim(error_code), '') AS error_code, n::INTEGER AS n,
       nullif(trim(size), '') AS size, nullif(trim(quality), '') AS quality,
       coalesce(input_text_tokens, 0) AS text_tokens, coalesce(input_cached_text_tokens, 0) AS cached_text_tokens,
       coalesce(input_image_tokens, 0) AS image_tokens, coalesce(input_cached_image_tokens, 0) AS cached_image_tokens,
       coalesce(output_image_tokens, 0) AS output_image_tokens, coalesce(output_text_tokens, 0) AS output_text_tokens,
       NULL::VARCHAR AS parse_reason
FROM usage_parquet_raw;

CREATE TEMP VIEW usage_csv AS
SELECT nullif(trim(request_id), '') AS request_id, TRY_CAST(created_at AS TIMESTAMPTZ) AS created_at,
       nullif(trim(project_id), '') AS project_id, nullif(trim(workflow_id), '') AS workflow_id,
       nullif(trim(asset_id), '') AS asset_id, nullif(trim(model), '') AS model,
       nullif(trim(endpoint), '') AS endpoint, coalesce(nullif(trim(service_tier), ''), 'default') AS service_tier,
       nullif(trim(status), '') AS status, nullif(trim(error_code), '') AS error_code, TRY_CAST(n AS INTEGER) AS n,
       nullif(trim(size), '') AS size, nullif(trim(quality), '') AS quality,
       coalesce(TRY_CAST(input_text_tokens AS BIGINT), 0) AS text_tokens,
       coalesce(TRY_CAST(input_cached_text_tokens AS BIGINT), 0) AS cached_text_tokens,
       coalesce(TRY_CAST(input_image_tokens AS BIGINT), 0) AS image_tokens,
       coalesce(TRY_CAST(input_cached_image_tokens AS BIGINT), 0) AS cached_image_tokens,
       coalesce(TRY_CAST(output_image_tokens AS BIGINT), 0) AS output_image_tokens,
       coalesce(TRY_CAST(output_text_tokens AS BIGINT), 0) AS output_text_tokens,
       CASE WHEN (created_at IS NOT NULL AND TRY_CAST(created_at AS TIMESTAMPTZ) IS NULL)
              OR (n IS NOT NULL AND TRY_CAST(n AS INTEGER) IS NULL)
              OR (input_text_tokens IS NOT NULL AND TRY_CAST(input_text_tokens AS BIGINT) IS NULL)
              OR (input_cached_text_tokens IS NOT NULL AND TRY_CAST(input_cached_text_tokens AS BIGINT) IS NULL)
              OR (input_image_tokens IS NOT NULL AND TRY_CAST(input_image_tokens AS BIGINT) IS NULL)
              OR (input_cached_image_tokens IS NOT NULL AND TRY_CAST(input_cached_image_tokens AS BIGINT) IS NULL)
              OR (output_image_tokens IS NOT NULL AND TRY_CAST(output_image_tokens AS BIGINT) IS NULL)
              OR (output_text_tokens IS NOT NULL AND TRY_CAST(output_text_tokens AS BIGINT) IS NULL)
            THEN 'malformed_record' END AS parse_reason
FROM usage_csv_raw;

-- Record rules, first broken wins (UsageValidation).
CREATE TEMP TABLE usage_checked AS
SELECT *, coalesce(parse_reason, CASE
         WHEN request_id IS NULL OR created_at IS NULL OR workflow_id IS NULL OR model IS NULL OR status IS NULL
           OR n IS NULL THEN 'missing_field'
         WHEN n < 1 OR created_at < TIMESTAMPTZ '2000-01-01 00:00:00+00'
           OR created_at >= TIMESTAMPTZ '2100-01-01 00:00:00+00' THEN 'invalid_value'
         WHEN least(text_tokens, cached_text_tokens, image_tokens, cached_image_tokens, output_image_tokens,
           output_text_tokens) < 0 THEN 'negative_tokens'
         WHEN cached_text_tokens > text_tokens OR cached_image_tokens > image_tokens THEN 'cached_exceeds_total'
       END) AS reason
FROM (SELECT * FROM usage_json UNION ALL SELECT * FROM usage_parquet UNION ALL SELECT * FROM usage_csv);

-- Copies of one request_id: identical ones count once; when they differ, or some break a rule beside a valid
-- one, none is priced.
CREATE TEMP TABLE usage_distinct AS
SELECT DISTINCT * EXCLUDE (parse_reason, reason) FROM usage_checked WHERE reason IS NULL;

CREATE TEMP TABLE usage_conflicts AS
SELECT request_id FROM usage_distinct GROUP BY request_id HAVING count(*) > 1
UNION
SELECT request_id FROM usage_checked
WHERE reason IS NOT NULL AND request_id IN (SELECT request_id FROM usage_distinct);

CREATE TEMP VIEW requests AS
SELECT * REPLACE (coalesce(asset_id, request_id) AS asset_id)
FROM usage_distinct ANTI JOIN usage_conflicts USING (request_id);

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

CREATE TEMP TABLE request_costs AS
SELECT request_id, created_at, project_id, workflow_id, asset_id, model, rate_model, service_tier, status, n,
       CAST(created_at AS DATE) AS usage_date,
       text_input_tokens, text_input_rate, meter_cost(text_input_tokens, text_input_pt) AS text_input_cost_usd,
       cached_text_input_tokens, cached_text_input_rate,
       meter_cost(cached_text_input_tokens, cached_text_input_pt) AS cached_text_input_cost_usd,
       image_input_tokens, image_input_rate, meter_cost(image_input_tokens, image_input_pt) AS image_input_cost_usd,
       cached_image_input_tokens, cached_image_input_rate,
       meter_cost(cached_image_input_tokens, cached_image_input_pt) AS cached_image_input_cost_usd,
       image_output_tokens, image_output_rate, meter_cost(image_output_tokens, image_output_pt) AS image_output_cost_usd,
       text_output_tokens, text_output_rate, meter_cost(text_output_tokens, text_output_pt) AS text_output_cost_usd,
       CASE WHEN status = 'succeeded' THEN n ELSE 0 END AS images_generated,
       CAST(meter_cost(text_input_tokens, text_input_pt) + meter_cost(cached_text_input_tokens, cached_text_input_pt)
         + meter_cost(image_input_tokens, image_input_pt) + meter_cost(cached_image_input_tokens, cached_image_input_pt)
         + meter_cost(image_output_tokens, image_output_pt) + meter_cost(text_output_tokens, text_output_pt)
         AS DECIMAL(38,12)) AS cost_usd,
       CAST(meter_cost(cached_text_input_tokens, text_input_pt - cached_text_input_pt)
         + meter_cost(cached_image_input_tokens, image_input_pt - cached_image_input_pt) AS DECIMAL(38,12))
         AS cache_savings_usd
FROM rated WHERE NOT no_rate;

-- Requests whose usage is in quarantine: decisions on them are quarantined too.
CREATE TEMP TABLE held_requests AS
SELECT DISTINCT request_id FROM (
  SELECT request_id FROM usage_checked WHERE reason IS NOT NULL AND request_id IS NOT NULL
  UNION ALL SELECT request_id FROM usage_conflicts
  UNION ALL SELECT request_id FROM rated WHERE no_rate);

-- 2.3: acceptance records, typed and checked (AcceptanceValidation), exact duplicates counted once.
CREATE TEMP TABLE acceptance_checked AS
WITH typed AS (
  SELECT nullif(trim(request_id), '') AS request_id, nullif(trim(asset_id), '') AS asset_id,
         nullif(trim(workflow_id), '') AS workflow_id,
         nullif(image_index, '') AS index_text, TRY_CAST(image_index AS INTEGER) AS image_index,
         nullif(decision, '') AS decision_text, lower(trim(decision)) AS decision,
         nullif(decided_at, '') AS decided_text, TRY_CAST(decided_at AS TIMESTAMPTZ) AS decided_at,
         nullif(reviewer_id, '') AS reviewer_id, nullif(reason, '') AS reason
  FROM acceptance_raw)
SELECT request_id, asset_id, workflow_id, image_index, decision, decided_at, reviewer_id, reason,
       CASE WHEN request_id IS NULL OR index_text IS NULL THEN 'missing_field'
            WHEN image_index IS NULL THEN 'malformed_record'
            WHEN decision_text IS NULL THEN 'missing_field'
            WHEN decision NOT IN ('approved', 'rejected') THEN 'invalid_decision'
            WHEN decided_text IS NULL THEN 'missing_field'
            WHEN decided_at IS NULL THEN 'invalid_timestamp' END AS check_reason
FROM typed;

CREATE TEMP TABLE acceptance_linked AS
WITH unique_records AS (
  SELECT DISTINCT * EXCLUDE (check_reason) FROM acceptance_checked WHERE check_reason IS NULL)
SELECT d.*, r.workflow_id AS req_workflow, r.asset_id AS req_asset,
       CASE WHEN h.request_id IS NOT NULL THEN 'request_quarantined'
            WHEN r.request_id IS NULL THEN 'unknown_request'
            WHEN d.image_index < 0 OR d.image_index >= r.n THEN 'image_index_out_of_range'
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

CREATE TEMP TABLE request_outcomes AS
WITH joined AS (
  SELECT c.*, coalesce(a.asset_status, 'pending') AS asset_status, a.winning_request_id,
         min(c.created_at) OVER (PARTITION BY c.workflow_id, c.asset_id) AS first_request_at
  FROM request_costs c LEFT JOIN asset_decisions a USING (workflow_id, asset_id))
SELECT *, CAST(first_request_at AS DATE) AS cohort_date,
       coalesce(request_id = winning_request_id, false) AS is_winning,
       CASE WHEN asset_status <> 'pending' AND NOT coalesce(request_id = winning_request_id, false) THEN
         CASE WHEN status <> 'succeeded' THEN 'failed_request'
              WHEN asset_status = 'approved' THEN 'superseded_attempt'
              ELSE 'abandoned_asset' END END AS waste_reason
FROM joined;

CREATE TEMP TABLE asset_costs AS
SELECT workflow_id, asset_id, min(cohort_date) AS cohort_date, max(asset_status) AS status,
       count(*) AS requests, sum(images_generated)::BIGINT AS images_generated,
       sum(cost_usd) AS total_cost_usd,
       sum(CASE WHEN is_winning THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS direct_cost_usd,
       sum(CASE WHEN waste_reason IS NOT NULL THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS waste_cost_usd,
       sum(CASE WHEN asset_status = 'pending' THEN cost_usd ELSE 0 END)::DECIMAL(38,12) AS pending_cost_usd,
       sum(cache_savings_usd) AS cache_savings_usd
FROM request_outcomes GROUP BY workflow_id, asset_id;

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
      FROM request_outcomes WHERE waste_reason IS NOT NULL GROUP BY ALL) w
LEFT JOIN cost_per_approved_asset c USING (cohort_date, workflow_id);
