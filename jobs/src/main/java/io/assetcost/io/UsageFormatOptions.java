package io.assetcost.io;

/**
 * The options of the usage formats that are not the job's own, one record per format ({@link UsageFormat}).
 *
 * @param batch OpenAI Batch files
 * @param litellm LiteLLM spend logs
 * @param langfuse Langfuse observation exports
 */
public record UsageFormatOptions(
        BatchUsage.Options batch, LiteLlmUsage.Options litellm, LangfuseUsage.Options langfuse) {

    /** The defaults of every format (tests and the job's own shapes). */
    public static UsageFormatOptions defaults() {
        return new UsageFormatOptions(
                new BatchUsage.Options(), new LiteLlmUsage.Options(), new LangfuseUsage.Options());
    }
}
