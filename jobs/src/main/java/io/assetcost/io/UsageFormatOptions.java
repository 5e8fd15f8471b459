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

    /** The default key of workflow_id in a LiteLLM or Langfuse record's metadata: the usage log's name. */
    public static final String WORKFLOW_KEY = "workflow_id";
    /** The default key of asset_id in a LiteLLM or Langfuse record's metadata: the usage log's name. */
    public static final String ASSET_KEY = "asset_id";
    /** The default key of project_id in a LiteLLM or Langfuse record's metadata: the usage log's name. */
    public static final String PROJECT_KEY = "project_id";

    /**
     * The defaults of every format, the same as the command line's ({@link UsageFormatMixin}).
     *
     * @return the options with every default
     */
    public static UsageFormatOptions defaults() {
        return new UsageFormatMixin().options();
    }
}
