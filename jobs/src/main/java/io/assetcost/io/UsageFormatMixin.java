package io.assetcost.io;

import picocli.CommandLine.Option;

/**
 * The command-line options of the usage formats that are not the job's own ({@link UsageFormat}), shared by
 * every job that reads usage records: the cost job reads them, the month close reads its quarantined
 * records again ({@link UsageReader#reread}) and must take workflow, asset and project from the same keys.
 * The mapping each option steers is in docs/usage-formats/.
 */
public class UsageFormatMixin {

    @Option(
            names = "--batch-custom-id",
            paramLabel = "PATTERN",
            defaultValue = BatchCustomId.DEFAULT,
            description = "With --usage-format batch: how custom_id names workflow and asset, a template with"
                    + " literal text between placeholders {workflow_id}, {asset_id} and any others (ignored),"
                    + " or a Java regular expression with named groups (?<workflowId>...) and (?<assetId>...)."
                    + " Default ${DEFAULT-VALUE}.")
    public String batchCustomId = BatchCustomId.DEFAULT;

    @Option(
            names = "--litellm-workflow-key",
            paramLabel = "KEY",
            defaultValue = UsageFormatOptions.WORKFLOW_KEY,
            description = "litellm: the key of a spend log's metadata.spend_logs_metadata (else of a request tag"
                    + " KEY:value) that holds workflow_id. Default ${DEFAULT-VALUE}.")
    public String litellmWorkflowKey = UsageFormatOptions.WORKFLOW_KEY;

    @Option(
            names = "--litellm-asset-key",
            paramLabel = "KEY",
            defaultValue = UsageFormatOptions.ASSET_KEY,
            description = "litellm: the key that holds asset_id (absent = the request is its own asset)."
                    + " Default ${DEFAULT-VALUE}.")
    public String litellmAssetKey = UsageFormatOptions.ASSET_KEY;

    @Option(
            names = "--litellm-project-key",
            paramLabel = "KEY",
            defaultValue = UsageFormatOptions.PROJECT_KEY,
            description = "litellm: the key that holds the OpenAI project_id. Default ${DEFAULT-VALUE}.")
    public String litellmProjectKey = UsageFormatOptions.PROJECT_KEY;

    @Option(
            names = "--langfuse-workflow-key",
            paramLabel = "KEY",
            defaultValue = UsageFormatOptions.WORKFLOW_KEY,
            description = "With --usage-format langfuse: the observation metadata key (else key:value trace tag)"
                    + " naming the workflow. Default ${DEFAULT-VALUE}.")
    public String langfuseWorkflowKey = UsageFormatOptions.WORKFLOW_KEY;

    @Option(
            names = "--langfuse-asset-key",
            paramLabel = "KEY",
            defaultValue = UsageFormatOptions.ASSET_KEY,
            description = "With --usage-format langfuse: the metadata key (else key:value trace tag) naming the"
                    + " asset. Default ${DEFAULT-VALUE}.")
    public String langfuseAssetKey = UsageFormatOptions.ASSET_KEY;

    @Option(
            names = "--langfuse-project-key",
            paramLabel = "KEY",
            defaultValue = UsageFormatOptions.PROJECT_KEY,
            description = "With --usage-format langfuse: the metadata key (else key:value trace tag) naming the"
                    + " OpenAI project. Default ${DEFAULT-VALUE}.")
    public String langfuseProjectKey = UsageFormatOptions.PROJECT_KEY;

    /**
     * The options as the readers take them.
     *
     * @return every format's options
     * @throws InputException naming the option whose value cannot be used
     */
    public UsageFormatOptions options() {
        return new UsageFormatOptions(
                new BatchUsage.Options(batchCustomId),
                new LiteLlmUsage.Options(litellmWorkflowKey, litellmAssetKey, litellmProjectKey),
                new LangfuseUsage.Options(langfuseWorkflowKey, langfuseAssetKey, langfuseProjectKey));
    }
}
