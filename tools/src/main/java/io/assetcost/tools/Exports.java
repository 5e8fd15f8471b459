package io.assetcost.tools;

import static org.apache.spark.sql.functions.col;

import io.assetcost.run.Stages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes the generated requests in the shapes of the exports the job reads ({@link ExportFormats}), each
 * beside its twin, under the generator's {@code --out}:
 *
 * <ul>
 *   <li>{@code usage-batch/date=YYYY-MM-DD/batch=batch_YYYYMMDD_<generations|edits>/}: one OpenAI Batch per
 *       UTC day and endpoint, its input file ({@code batchinput-part-*.jsonl}), output file
 *       ({@code <batch>_output-part-*.jsonl}), error file ({@code <batch>_error-part-*.jsonl}, where there
 *       are failed requests) and {@code batch.json}; {@code usage-batch-twin/}: the same requests as the
 *       usage log says them at the batch tier (docs/usage-formats/batch.md);</li>
 *   <li>{@code usage-litellm/date=YYYY-MM-DD/part-*.jsonl}: LiteLLM spend-log rows as the spend-logs API
 *       answers them; {@code usage-litellm-twin/}: the same requests as the usage log says what a spend log
 *       can say (docs/usage-formats/litellm.md);</li>
 *   <li>{@code usage-langfuse/date=YYYY-MM-DD/part-*.jsonl}: Langfuse generations as its blob-storage
 *       export writes observations; its twin is {@code usage-jsonl/} itself
 *       (docs/usage-formats/langfuse.md).</li>
 * </ul>
 *
 * <p>Decisions stay in {@code acceptance/} (CSV): every export carries the generator's request ids where its
 * reader takes request_id from.
 */
final class Exports {

    private Exports() {}

    /**
     * Writes the exports {@code formats} names (the others are ignored).
     *
     * @param usage the generated rows ({@link UsageGenerator#GENERATED})
     * @throws IOException when a file cannot be written, moved or renamed
     */
    static void write(Stages stages, FileSystem fs, Dataset<Row> usage, Path out, List<String> formats)
            throws IOException {
        if (formats.contains("batch")) {
            stages.start("generate usage-batch");
            Dataset<Row> stated = ExportFormats.batchStated(usage);
            UsageGenerator.writeLines(
                    fs,
                    stated.select(UsageGenerator.usageLog().as("value"), col("date")),
                    new Path(out, "usage-batch-twin"));
            Path dir = new Path(out, "usage-batch");
            writeBatchFiles(fs, ExportFormats.batchInput(stated), new Path(dir, "_input"), dir, "input");
            writeBatchFiles(fs, ExportFormats.batchResults(stated, false), new Path(dir, "_output"), dir, "output");
            writeBatchFiles(fs, ExportFormats.batchResults(stated, true), new Path(dir, "_error"), dir, "error");
            writeBatchFiles(fs, ExportFormats.batchObjects(stated).coalesce(1), new Path(dir, "_batch"), dir, "batch");
        }
        if (formats.contains("litellm")) {
            stages.start("generate usage-litellm");
            Dataset<Row> stated = ExportFormats.litellmStated(usage);
            UsageGenerator.writeLines(
                    fs,
                    stated.select(UsageGenerator.usageLog().as("value"), col("date")),
                    new Path(out, "usage-litellm-twin"));
            UsageGenerator.writeLines(fs, ExportFormats.litellm(stated), new Path(out, "usage-litellm"));
        }
        if (formats.contains("langfuse")) {
            stages.start("generate usage-langfuse");
            UsageGenerator.writeLines(fs, ExportFormats.langfuse(usage), new Path(out, "usage-langfuse"));
        }
    }

    /**
     * Writes one kind of a batch's files into a staging directory (hidden from readers by its leading
     * underscore), partitioned by day and batch, then moves each file into its batch's directory under the
     * name the kind takes there; a Batch object's one file per batch becomes {@code batch.json}.
     */
    private static void writeBatchFiles(FileSystem fs, Dataset<Row> lines, Path staging, Path dir, String kind)
            throws IOException {
        lines.write().mode(SaveMode.Overwrite).partitionBy("date", "batch").text(staging.toString());
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(staging, true);
        List<Path> files = new ArrayList<>();
        while (it.hasNext()) {
            Path p = it.next().getPath();
            if (p.getName().startsWith("part-")) {
                files.add(p);
            }
        }
        for (Path p : files) {
            Path batchDir = p.getParent();
            String batch = batchDir.getName().substring("batch=".length());
            Path target = new Path(new Path(dir, batchDir.getParent().getName()), batchDir.getName());
            fs.mkdirs(target);
            String part = p.getName().replaceFirst("\\.txt$", ".jsonl");
            String name = switch (kind) {
                case "input" -> "batchinput-" + part;
                case "batch" -> "batch.json";
                default -> batch + "_" + kind + "-" + part;
            };
            if (!fs.rename(p, new Path(target, name))) {
                throw new IOException("cannot move " + p + " to " + target);
            }
        }
        fs.delete(staging, true);
    }
}
