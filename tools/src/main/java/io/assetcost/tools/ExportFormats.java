package io.assetcost.tools;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The generated requests ({@link UsageGenerator#GENERATED}) in the shapes of the three exports the job reads
 * (docs/usage-formats/batch.md, litellm.md, langfuse.md), and each as JSON Lines of the job's own usage log
 * saying exactly what that export can say (its <em>twin</em>), so the benchmark's DuckDB reference, which
 * reads only the job's own shapes, computes what the Spark job must compute from the export.
 *
 * <p>Every line is one string column {@code value} beside the partition columns; the generator writes them
 * with Spark's text writer. The request ids the readers take as request_id (Batch: {@code
 * response.request_id}; LiteLLM: {@code request_id}; Langfuse: the observation {@code id}) are the
 * generator's, so the acceptance CSV applies to every format unchanged. A line the generator cuts off
 * (a malformed record) is cut off halfway in every format, as in the usage log.
 */
final class ExportFormats {

    /** The generation and edit endpoints as the Batch API's input lines name them (their {@code url}). */
    static final String GENERATIONS_URL = "/v1/images/generations";

    static final String EDITS_URL = "/v1/images/edits";

    private ExportFormats() {}

    private static Column failed() {
        return col("status").equalTo("failed");
    }

    private static Column edit() {
        return col("endpoint").equalTo("images.edits");
    }

    /** The end of a request's UTC day, unix seconds: the generated batch's {@code completed_at}. */
    static Column dayEnd() {
        return unix_timestamp(col("date"), "yyyy-MM-dd").plus(86_399L);
    }

    /** The Images API's {@code usage} object of a row ({@code ImageGenUsage}), null without usage. */
    static Column imagesUsage() {
        Column text = col("input_text_tokens");
        Column image = col("input_image_tokens");
        Column outImage = col("output_image_tokens");
        Column outText = col("output_text_tokens");
        return when(
                col("has_usage"),
                struct(
                        text.plus(image).as("input_tokens"),
                        text.plus(image).plus(outImage).plus(outText).as("total_tokens"),
                        outImage.plus(outText).as("output_tokens"),
                        struct(text.as("text_tokens"), image.as("image_tokens")).as("input_tokens_details"),
                        when(col("has_output_details"), struct(outImage.as("image_tokens"), outText.as("text_tokens")))
                                .as("output_tokens_details")));
    }

    /** A line, cut off halfway when the row is malformed. */
    static Column cutWhenMalformed(Column json) {
        return when(
                        col("malformed"),
                        substring(json, lit(1), length(json).divide(2).cast("int")))
                .otherwise(json);
    }

    /**
     * What gpt-image-2's default-tier list prices make of a row's tokens, USD decimal(38,12): text input 5,
     * image input 8, image output 30, text output 10 per million (the job's rate card,
     * default-rate-card.csv), cached input at the full rate and every model at gpt-image-2's prices. It is
     * the gateway's figure written into the LiteLLM {@code spend} and the Langfuse {@code total_cost}: equal
     * to the job's cost on uncached default-tier gpt-image-2 requests, and deliberately off on the rest
     * (cached input, other models, the batch tier), as gateways that mis-price image models are.
     */
    static Column listPrice() {
        Column units = col("input_text_tokens")
                .multiply(5)
                .plus(col("input_image_tokens").multiply(8))
                .plus(col("output_image_tokens").multiply(30))
                .plus(col("output_text_tokens").multiply(10))
                .cast(DataTypes.createDecimalType(38, 0));
        return when(col("has_usage"), units.divide(lit(1_000_000)))
                .otherwise(lit(0))
                .cast(DataTypes.createDecimalType(38, 12));
    }

    // ---------------------------------------------------------------- the OpenAI Batch API

    /**
     * The requests as a Batch export can state them (docs/usage-formats/batch.md, "What the format cannot
     * say"): no project, no cached tokens, the {@code batch} tier; a failed request's line is an error
     * (an {@code ErrorResponse} body: no usage, no {@code created}), so it has no tokens and takes the
     * batch's {@code completed_at}, the end of its day; a request that is its own asset has its request id
     * as the custom_id's asset part, so it is that asset; a custom_id that does not match (no workflow)
     * names no asset either.
     */
    static Dataset<Row> batchStated(Dataset<Row> usage) {
        return usage.withColumn("project_id", lit(null).cast(DataTypes.StringType))
                .withColumn("service_tier", lit("batch"))
                .withColumn(
                        "asset_id", when(col("workflow_id").isNotNull(), coalesce(col("asset_id"), col("request_id"))))
                .withColumn("created", when(failed(), dayEnd()).otherwise(col("created")))
                .withColumn("has_usage", col("has_usage").and(not(failed())))
                .withColumn("input_cached_text_tokens", lit(0L))
                .withColumn("input_cached_image_tokens", lit(0L));
    }

    /**
     * The batch a row belongs to: one per UTC day and endpoint (a batch has one {@code endpoint} for all its
     * requests: {@code CreateBatchRequest.endpoint}, openai/openai-openapi openapi.yaml), as the name of its
     * directory.
     */
    static Column batchName() {
        return concat(
                lit("batch_"),
                regexp_replace(col("date"), "-", ""),
                when(edit(), lit("_edits")).otherwise(lit("_generations")));
    }

    /**
     * The custom_id of a row under the default {@code --batch-custom-id '{workflow_id}/{asset_id}/{attempt}'}:
     * the request id stands in the attempt's place (unique within the batch, as the API requires). A row
     * without a workflow has an empty first part, which the template does not match (quarantined, as the
     * usage log's row without workflow_id is).
     */
    static Column customId() {
        return concat_ws(
                "/",
                coalesce(col("workflow_id"), lit("")),
                coalesce(col("asset_id"), col("request_id")),
                col("request_id"));
    }

    /** Input lines ({@code BatchRequestInput}: custom_id, method, url, body) of the rows not cut off. */
    static Dataset<Row> batchInput(Dataset<Row> stated) {
        Column line = to_json(struct(
                customId().as("custom_id"),
                lit("POST").as("method"),
                when(edit(), lit(EDITS_URL)).otherwise(lit(GENERATIONS_URL)).as("url"),
                struct(
                                col("model"),
                                lit("A generated benchmark request").as("prompt"),
                                col("n"),
                                col("size"),
                                col("quality"))
                        .as("body")));
        return stated.where(not(col("malformed")))
                .select(line.as("value"), col("date"), batchName().as("batch"));
    }

    /**
     * Output lines ({@code BatchRequestOutput} with a 200 response whose body is an {@code ImagesResponse}:
     * created and usage; the images themselves are left out, as the usage log leaves them out) of the
     * succeeded rows, and error lines (a 429 or 500 response whose body is an {@code ErrorResponse}, as the
     * API writes a rate-limited or failed request) of the failed rows.
     *
     * @param failedRows true for the error file's lines, false for the output file's
     */
    static Dataset<Row> batchResults(Dataset<Row> stated, boolean failedRows) {
        Column code = col("error_code");
        Column body = failedRows
                ? struct(struct(
                                when(code.equalTo("rate_limit_exceeded"), lit("Rate limit reached for images"))
                                        .otherwise(lit("The server had an error while processing your request."))
                                        .as("message"),
                                when(code.equalTo("rate_limit_exceeded"), lit("requests"))
                                        .otherwise(code)
                                        .as("type"),
                                when(code.equalTo("rate_limit_exceeded"), code).as("code"))
                        .as("error"))
                : struct(col("created"), imagesUsage().as("usage"));
        Column status =
                failedRows ? when(code.equalTo("rate_limit_exceeded"), lit(429)).otherwise(lit(500)) : lit(200);
        Column line = to_json(struct(
                concat(lit("batch_req_"), col("request_id")).as("id"),
                customId().as("custom_id"),
                struct(status.as("status_code"), col("request_id"), body.as("body"))
                        .as("response")));
        return stated.where(failedRows ? failed() : not(failed()))
                .select(
                        cutWhenMalformed(line).as("value"),
                        col("date"),
                        batchName().as("batch"));
    }

    /**
     * One Batch object per batch ({@code batch.json}, the shape {@code GET /v1/batches/{id}} returns:
     * openai-python {@code types/batch.py}), completed at the end of its day with its request counts.
     */
    static Dataset<Row> batchObjects(Dataset<Row> stated) {
        Dataset<Row> batches = stated.groupBy(col("date"), batchName().as("batch"), col("endpoint"))
                .agg(
                        count(lit(1)).as("total"),
                        sum(when(failed(), 1).otherwise(0)).as("failed"));
        Column line = to_json(struct(
                col("batch").as("id"),
                lit("batch").as("object"),
                when(edit(), lit(EDITS_URL)).otherwise(lit(GENERATIONS_URL)).as("endpoint"),
                lit("24h").as("completion_window"),
                lit("completed").as("status"),
                unix_timestamp(col("date"), "yyyy-MM-dd").as("created_at"),
                dayEnd().as("completed_at"),
                struct(col("total"), col("total").minus(col("failed")).as("completed"), col("failed"))
                        .as("request_counts")));
        return batches.select(line.as("value"), col("date"), col("batch"));
    }

    // ---------------------------------------------------------------- LiteLLM spend logs

    /** A failed request's error code as LiteLLM's error_information keeps it: the provider's HTTP status. */
    static Column httpStatus() {
        return when(col("error_code").equalTo("rate_limit_exceeded"), lit("429"))
                .when(col("error_code").equalTo("server_error"), lit("500"))
                .otherwise(col("error_code"));
    }

    /**
     * The requests as a LiteLLM spend log can state them (docs/usage-formats/litellm.md, "What the format
     * cannot say"): the {@code default} tier (a row carries none), no cached tokens (LiteLLM keeps one
     * cached count for text and image, which the job cannot price, so the generated rows report none and
     * the cached input is priced as uncached input), a failed call with no usage (LiteLLM logs a failure
     * with none) and its HTTP status as error_code.
     */
    static Dataset<Row> litellmStated(Dataset<Row> usage) {
        return usage.withColumn("service_tier", lit("default"))
                .withColumn("has_usage", col("has_usage").and(not(failed())))
                .withColumn("error_code", httpStatus())
                .withColumn("input_cached_text_tokens", lit(0L))
                .withColumn("input_cached_image_tokens", lit(0L));
    }

    /**
     * Spend-log rows as the spend-logs API answers them, one JSON object a line ({@code .jsonl}): request_id,
     * call_type, model with its provider prefix, startTime (ISO-8601 UTC), status, spend
     * ({@link #listPrice()}), prompt and completion tokens, metadata (spend_logs_metadata with the project,
     * workflow and asset; usage_object as LiteLLM maps an image response's usage; error_information),
     * request_tags and the stored request body (n, size, quality).
     */
    static Dataset<Row> litellm(Dataset<Row> stated) {
        Column text = col("input_text_tokens");
        Column image = col("input_image_tokens");
        Column outImage = col("output_image_tokens");
        Column outText = col("output_text_tokens");
        Column usage = col("has_usage");
        Column usageObject = when(
                usage,
                struct(
                        outImage.plus(outText).as("completion_tokens"),
                        text.plus(image).as("prompt_tokens"),
                        text.plus(image).plus(outImage).plus(outText).as("total_tokens"),
                        when(col("has_output_details"), struct(outText.as("text_tokens"), outImage.as("image_tokens")))
                                .as("completion_tokens_details"),
                        struct(text.as("text_tokens"), image.as("image_tokens")).as("prompt_tokens_details")));
        Column status = when(failed(), lit("failure")).otherwise(lit("success"));
        Column line = to_json(struct(
                col("request_id"),
                when(edit(), lit("aimage_edit"))
                        .otherwise(lit("aimage_generation"))
                        .as("call_type"),
                listPrice().as("spend"),
                when(usage, text.plus(image)).otherwise(lit(0L)).as("prompt_tokens"),
                when(usage, outImage.plus(outText)).otherwise(lit(0L)).as("completion_tokens"),
                date_format(timestamp_seconds(col("created")), "yyyy-MM-dd'T'HH:mm:ss'Z'")
                        .as("startTime"),
                concat(lit("openai/"), col("model")).as("model"),
                col("model").as("model_group"),
                lit("openai").as("custom_llm_provider"),
                struct(
                                struct(col("project_id"), col("workflow_id"), col("asset_id"))
                                        .as("spend_logs_metadata"),
                                status.as("status"),
                                when(failed(), struct(col("error_code"))).as("error_information"),
                                usageObject.as("usage_object"))
                        .as("metadata"),
                lit("None").as("cache_hit"),
                array(lit("bench")).as("request_tags"),
                status.as("status"),
                struct(
                                col("model"),
                                lit("A generated benchmark request").as("prompt"),
                                col("n"),
                                col("size"),
                                col("quality"))
                        .as("proxy_server_request")));
        return stated.select(cutWhenMalformed(line).as("value"), col("date"));
    }

    // ---------------------------------------------------------------- Langfuse observations

    /**
     * Generations as Langfuse's blob-storage export writes them (observations, JSON Lines): the request id
     * as the observation {@code id}, start_time without a zone (UTC), level ERROR for a failed call,
     * metadata (workflow, asset, project, endpoint, error_code), model_parameters as JSON text (n, size,
     * quality, service_tier), usage_details as separate buckets with counts as strings (ClickHouse quotes
     * 64-bit integers), total_cost ({@link #listPrice()}). Every field of the usage log has a place, so the
     * usage log itself is this export's twin.
     */
    static Dataset<Row> langfuse(Dataset<Row> usage) {
        Column cachedText = col("input_cached_text_tokens");
        Column cachedImage = col("input_cached_image_tokens");
        Column details = col("has_output_details");
        // A call without usage has an empty usage_details ({}): every bucket null, which to_json leaves out.
        Column buckets = struct(
                bucket(col("input_text_tokens").minus(cachedText)).as("input_text_tokens"),
                bucket(cachedText).as("input_cached_tokens"),
                bucket(col("input_image_tokens").minus(cachedImage)).as("input_image_tokens"),
                bucket(cachedImage).as("input_cached_image_tokens"),
                bucket(when(details, col("output_image_tokens"))).as("output_image_tokens"),
                bucket(when(details, col("output_text_tokens"))).as("output_text_tokens"),
                bucket(when(not(details), col("output_image_tokens").plus(col("output_text_tokens"))))
                        .as("output"),
                bucket(col("input_text_tokens")
                                .plus(col("input_image_tokens"))
                                .plus(col("output_image_tokens"))
                                .plus(col("output_text_tokens")))
                        .as("total"));
        Column start = date_format(timestamp_seconds(col("created")), "yyyy-MM-dd HH:mm:ss.SSS");
        Column line = to_json(struct(
                col("request_id").as("id"),
                concat(lit("trace-"), coalesce(col("asset_id"), col("request_id")))
                        .as("trace_id"),
                lit("bench-langfuse-project").as("project_id"),
                lit("GENERATION").as("type"),
                start.as("start_time"),
                concat(lit("image-"), col("endpoint")).as("name"),
                struct(col("workflow_id"), col("asset_id"), col("project_id"), col("endpoint"), col("error_code"))
                        .as("metadata"),
                when(failed(), lit("ERROR")).otherwise(lit("DEFAULT")).as("level"),
                col("model").as("provided_model_name"),
                to_json(struct(col("n"), col("size"), col("quality"), col("service_tier")))
                        .as("model_parameters"),
                buckets.as("usage_details"),
                when(col("has_usage"), listPrice()).as("total_cost")));
        return usage.select(cutWhenMalformed(line).as("value"), col("date"));
    }

    /** A usage bucket as Langfuse's export writes it: a count as a string; null for a call without usage. */
    private static Column bucket(Column count) {
        return when(col("has_usage"), count.cast(DataTypes.StringType));
    }
}
