package io.assetcost.io;

import io.assetcost.run.InputException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The shapes usage arrives in, chosen with {@code --usage-format} (README, "Usage formats"). Each maps onto
 * the canonical usage contract ({@code schemas/canonical_usage.avsc}) in one reader; {@link #AUTO} keeps
 * the job's own shapes told apart by file extension.
 */
public enum UsageFormat {
    /** The job's own shapes by extension: {@code .jsonl} usage log, {@code .csv} or {@code .parquet} export. */
    AUTO("auto", List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV, InputFiles.Kind.PARQUET)),
    /** The nested usage log only ({@code schemas/usage_log.avsc}). */
    LOG("log", List.of(InputFiles.Kind.JSON_LINES)),
    /** The flat usage export only, CSV or Parquet ({@code schemas/usage_export.avsc}). */
    EXPORT("export", List.of(InputFiles.Kind.CSV, InputFiles.Kind.PARQUET)),
    /** OpenAI Batch API files: input, output and error files, and the Batch object beside them. */
    BATCH("batch", List.of(InputFiles.Kind.JSON_LINES)),
    /** LiteLLM proxy spend logs: the spend-logs API's JSON, or a CSV dump of {@code LiteLLM_SpendLogs}. */
    LITELLM("litellm", List.of(InputFiles.Kind.JSON_LINES, InputFiles.Kind.CSV)),
    /** Langfuse's blob-storage export of observations (and scores, for decisions), JSON Lines. */
    LANGFUSE("langfuse", List.of(InputFiles.Kind.JSON_LINES));

    private final String code;
    private final List<InputFiles.Kind> kinds;

    UsageFormat(String code, List<InputFiles.Kind> kinds) {
        this.code = code;
        this.kinds = kinds;
    }

    /** The option's value, lower case. */
    public String code() {
        return code;
    }

    /** The file kinds a {@code --usage} path of this format may hold. */
    public List<InputFiles.Kind> kinds() {
        return kinds;
    }

    /** Whether the format is one of the job's own shapes, read by {@link UsageReader#read}'s own parsers. */
    public boolean own() {
        return this == AUTO || this == LOG || this == EXPORT;
    }

    /** Whether the format's records may carry the gateway's own computed cost (gateway_cost_usd). */
    public boolean carriesGatewayCost() {
        return this == LITELLM || this == LANGFUSE;
    }

    /**
     * The format an option value names, case ignored.
     *
     * @param value the value of {@code --usage-format}
     * @return the format
     * @throws InputException listing the values accepted
     */
    public static UsageFormat of(String value) {
        for (UsageFormat f : values()) {
            if (f.code.equals(value == null ? null : value.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new InputException("--usage-format must be one of "
                + String.join(
                        ", ", Arrays.stream(values()).map(UsageFormat::code).toList()) + ", got '" + value
                + "'");
    }
}
