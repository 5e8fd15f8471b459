package io.assetcost.tools;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.assetcost.run.InputException;
import io.assetcost.run.JobLauncher;
import io.assetcost.run.RunSummary;
import io.assetcost.run.SparkSettings;
import io.assetcost.run.Stages;
import io.assetcost.schema.Schemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Generates usage logs and acceptance records at any size, deterministically, for the benchmark
 * ({@code scripts/generate-usage.sh}, {@code scripts/bench.sh}). One Spark task per chunk of
 * {@link ScaleModel}; the records of a chunk depend on (seed, chunk) alone.
 *
 * <p>Writes under {@code --out}:
 * <ul>
 *   <li>{@code usage-jsonl/date=YYYY-MM-DD/part-*.jsonl}: the nested usage log (README, "Inputs"), one file
 *       per chunk;</li>
 *   <li>{@code usage-parquet/date=YYYY-MM-DD/part-*.parquet}: the same records as the flat export
 *       (schemas/usage_export.avsc; a line cut off mid-write in the log is a row without request_id here);</li>
 *   <li>with {@code --formats batch}, {@code litellm}, {@code langfuse}: the same requests as those exports
 *       ({@code usage-batch/}, {@code usage-litellm/}, {@code usage-langfuse/}), each with its JSON Lines twin
 *       ({@link Exports});</li>
 *   <li>{@code acceptance/date=YYYY-MM-DD/part-*.csv}: acceptance records (README, "Inputs") by UTC decision day;</li>
 *   <li>{@code generated.json}: the parameters and the row counts written.</li>
 * </ul>
 * Exit codes as {@link JobLauncher}: 0 written, 2 bad options.
 */
public final class UsageGenerator {

    /** The formats {@code --formats} takes: the job's own two, then the three exports it reads. */
    static final List<String> FORMATS = List.of("jsonl", "parquet", "batch", "litellm", "langfuse");

    /** Rows of the generated usage, before they take the log's or the export's shape. */
    static final StructType GENERATED = new StructType()
            .add("request_id", DataTypes.StringType)
            .add("created", DataTypes.LongType)
            .add("project_id", DataTypes.StringType)
            .add("workflow_id", DataTypes.StringType)
            .add("asset_id", DataTypes.StringType)
            .add("model", DataTypes.StringType)
            .add("endpoint", DataTypes.StringType)
            .add("service_tier", DataTypes.StringType)
            .add("status", DataTypes.StringType)
            .add("error_code", DataTypes.StringType)
            .add("n", DataTypes.IntegerType)
            .add("size", DataTypes.StringType)
            .add("quality", DataTypes.StringType)
            .add("has_usage", DataTypes.BooleanType)
            .add("has_output_details", DataTypes.BooleanType)
            .add("input_text_tokens", DataTypes.LongType)
            .add("input_cached_text_tokens", DataTypes.LongType)
            .add("input_image_tokens", DataTypes.LongType)
            .add("input_cached_image_tokens", DataTypes.LongType)
            .add("output_image_tokens", DataTypes.LongType)
            .add("output_text_tokens", DataTypes.LongType)
            .add("malformed", DataTypes.BooleanType)
            .add("date", DataTypes.StringType);

    /** Rows of the generated acceptance records: the contract's text columns plus the partition day. */
    static final StructType DECISIONS = new StructType()
            .add("request_id", DataTypes.StringType)
            .add("image_index", DataTypes.StringType)
            .add("asset_id", DataTypes.StringType)
            .add("workflow_id", DataTypes.StringType)
            .add("decision", DataTypes.StringType)
            .add("decided_at", DataTypes.StringType)
            .add("reviewer_id", DataTypes.StringType)
            .add("reason", DataTypes.StringType)
            .add("date", DataTypes.StringType);

    private UsageGenerator() {}

    /** Options, parsed by picocli before Spark starts. */
    @Command(
            name = "assetcost-generate",
            mixinStandardHelpOptions = true,
            version = "assetcost 0.1.0",
            description =
                    "Writes usage logs (JSON Lines and Parquet) and acceptance records at any size, deterministically.")
    public static final class Options implements JobLauncher.Validated {
        /** Usage records to write in all. */
        @Option(names = "--requests", required = true, paramLabel = "N", description = "Usage records to write.")
        public long requests;

        /** UTC days from 2026-11-02. */
        @Option(
                names = "--days",
                defaultValue = "14",
                paramLabel = "D",
                description = "UTC days (default ${DEFAULT-VALUE}).")
        public int days;

        /** Workflows. */
        @Option(
                names = "--workflows",
                defaultValue = "3",
                paramLabel = "W",
                description = "Workflows; the first carries about a third of the traffic (default ${DEFAULT-VALUE}).")
        public int workflows;

        /** Random seed. */
        @Option(
                names = "--seed",
                defaultValue = "20261122",
                paramLabel = "S",
                description = "Seed (default ${DEFAULT-VALUE}).")
        public long seed;

        /** Output directory (replaced). */
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory; replaced.")
        public String out;

        /** Formats of the usage to write. */
        @Option(
                names = "--formats",
                defaultValue = "jsonl,parquet",
                split = ",",
                paramLabel = "F",
                description =
                        "Usage formats to write: jsonl, parquet, batch, litellm, langfuse (default ${DEFAULT-VALUE}).")
        public List<String> formats;

        /** Records per chunk (one Spark task, one file per format). */
        @Option(
                names = "--records-per-chunk",
                defaultValue = "100000",
                paramLabel = "R",
                description = "About this many usage records per task and file (default ${DEFAULT-VALUE}).")
        public long recordsPerChunk;

        @Override
        public void validate() {
            if (requests < 1) {
                throw new InputException("--requests must be at least 1, got " + requests);
            }
            if (days < 1 || workflows < 1 || recordsPerChunk < 1) {
                throw new InputException("--days, --workflows and --records-per-chunk must be at least 1");
            }
            for (String f : formats) {
                if (!FORMATS.contains(f)) {
                    throw new InputException("--formats takes " + String.join(", ", FORMATS) + ", got '" + f + "'");
                }
            }
        }
    }

    /**
     * Runs the generator and exits with its code.
     *
     * @param args see {@link Options}
     */
    public static void main(String[] args) {
        Options options = new Options();
        System.exit(JobLauncher.execute(
                "assetcost-generate", options, args, System.out, System.err, null, (spark, runId) -> {
                    generate(spark, options);
                    return 0;
                }));
    }

    /**
     * Writes the data set.
     *
     * @param spark the session
     * @param o options
     * @return the summary written to {@code generated.json}
     * @throws UncheckedIOException when the output cannot be written
     */
    public static Map<String, Object> generate(SparkSession spark, Options o) {
        SparkSettings.apply(spark);
        Stages stages = new Stages(spark, "assetcost-generate");
        long chunks = ScaleModel.chunksFor(o.requests, o.days, o.recordsPerChunk);
        ScaleModel model = new ScaleModel(o.seed, o.requests, o.days, o.workflows, chunks);
        Dataset<Long> ids = spark.range(0, chunks, 1, (int) Math.min(chunks, Integer.MAX_VALUE));
        Dataset<Row> usage =
                ids.flatMap((FlatMapFunction<Long, Row>) c -> usageRows(model, c), Encoders.row(GENERATED));
        Dataset<Row> decisions =
                ids.flatMap((FlatMapFunction<Long, Row>) c -> decisionRows(model, c), Encoders.row(DECISIONS));
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(o.out);
        Map<String, Object> summary = new LinkedHashMap<>();
        try {
            FileSystem fs = out.getFileSystem(conf);
            fs.delete(out, true);
            if (o.formats.contains("jsonl")) {
                stages.start("generate usage-jsonl");
                writeLines(fs, usage.select(usageLog().as("value"), col("date")), new Path(out, "usage-jsonl"));
            }
            Exports.write(stages, fs, usage, out, o.formats);
            if (o.formats.contains("parquet")) {
                stages.start("generate usage-parquet");
                Dataset<Row> flat = usage.withColumn("created_at", timestamp_seconds(col("created")))
                        .withColumn(
                                "request_id", when(col("malformed"), lit(null)).otherwise(col("request_id")));
                List<Column> export = new ArrayList<>();
                for (org.apache.spark.sql.types.StructField f :
                        Schemas.spark(Schemas.USAGE_EXPORT).fields()) {
                    export.add(col(f.name()).cast(f.dataType()).as(f.name()));
                }
                export.add(col("date"));
                flat.select(export.toArray(new Column[0]))
                        .write()
                        .mode(SaveMode.Overwrite)
                        .partitionBy("date")
                        .parquet(new Path(out, "usage-parquet").toString());
            }
            stages.start("generate acceptance");
            decisions
                    .write()
                    .mode(SaveMode.Overwrite)
                    .partitionBy("date")
                    .option("header", "true")
                    .option("escape", "\"")
                    .csv(new Path(out, "acceptance").toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
        summary.put("generator", UsageGenerator.class.getName());
        summary.put("requests", o.requests);
        summary.put("days", o.days);
        summary.put("first_day", ScaleModel.FIRST_DAY.toString());
        summary.put("workflows", o.workflows);
        summary.put("seed", o.seed);
        summary.put("chunks", chunks);
        summary.put("formats", o.formats);
        summary.put(
                "acceptance_records",
                spark.read()
                        .option("header", "true")
                        .csv(new Path(out, "acceptance").toString())
                        .count());
        summary.put("written_at", Instant.now().toString());
        RunSummary.writeJson(conf, new Path(out, "generated.json"), summary);
        return summary;
    }

    /**
     * The nested usage log line (README, "Inputs") of a generated row: {@code usage} as the Images API returns it
     * (absent for a call without usage; output_tokens_details absent where the model reports none), cached
     * counts at the top level when there are any. A malformed row's line is cut off halfway.
     */
    static Column usageLog() {
        Column json = to_json(struct(
                col("request_id"),
                col("created"),
                col("project_id"),
                col("workflow_id"),
                col("asset_id"),
                col("model"),
                col("endpoint"),
                col("service_tier"),
                col("status"),
                col("error_code"),
                col("n"),
                col("size"),
                col("quality"),
                when(col("endpoint").equalTo("images.edits"), lit("png"))
                        .otherwise(lit("webp"))
                        .as("output_format"),
                ExportFormats.imagesUsage().as("usage"),
                when(col("input_cached_text_tokens").gt(0), col("input_cached_text_tokens"))
                        .as("input_cached_text_tokens"),
                when(col("input_cached_image_tokens").gt(0), col("input_cached_image_tokens"))
                        .as("input_cached_image_tokens")));
        return ExportFormats.cutWhenMalformed(json);
    }

    private static java.util.Iterator<Row> usageRows(ScaleModel model, long chunk) {
        List<Row> rows = new ArrayList<>();
        model.generate(chunk, new ScaleModel.Sink() {
            @Override
            public void usage(ScaleModel.Usage u) {
                Long[] t = u.hasUsage()
                        ? new Long[] {
                            u.textTokens(),
                            u.cachedTextTokens(),
                            u.imageTokens(),
                            u.cachedImageTokens(),
                            u.outputImageTokens(),
                            u.outputTextTokens()
                        }
                        : new Long[6];
                rows.add(RowFactory.create(
                        u.requestId(),
                        u.created(),
                        u.projectId(),
                        u.workflowId(),
                        u.assetId(),
                        u.model(),
                        u.endpoint(),
                        u.serviceTier(),
                        u.status(),
                        u.errorCode(),
                        u.n(),
                        u.size(),
                        u.quality(),
                        u.hasUsage(),
                        u.hasOutputDetails(),
                        t[0],
                        t[1],
                        t[2],
                        t[3],
                        t[4],
                        t[5],
                        u.malformed(),
                        day(u.created())));
            }

            @Override
            public void decision(ScaleModel.Decision d) {}
        });
        return rows.iterator();
    }

    private static java.util.Iterator<Row> decisionRows(ScaleModel model, long chunk) {
        List<Row> rows = new ArrayList<>();
        model.generate(chunk, new ScaleModel.Sink() {
            @Override
            public void usage(ScaleModel.Usage u) {}

            @Override
            public void decision(ScaleModel.Decision d) {
                rows.add(RowFactory.create(
                        d.requestId(),
                        d.imageIndex(),
                        d.assetId(),
                        d.workflowId(),
                        d.decision(),
                        d.decidedAt(),
                        d.reviewerId(),
                        d.reason(),
                        day(d.decidedEpochSecond())));
            }
        });
        return rows.iterator();
    }

    private static String day(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond)
                .atOffset(ZoneOffset.UTC)
                .toLocalDate()
                .toString();
    }

    /**
     * Writes lines ({@code value}) partitioned by {@code date}, one file per task and day, named
     * {@code part-*.jsonl}.
     *
     * @throws IOException when a file cannot be renamed
     */
    static void writeLines(FileSystem fs, Dataset<Row> lines, Path dir) throws IOException {
        lines.write().mode(SaveMode.Overwrite).partitionBy("date").text(dir.toString());
        renameExtension(fs, dir, ".txt", ".jsonl");
    }

    static void renameExtension(FileSystem fs, Path dir, String from, String to) throws IOException {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        List<Path> files = new ArrayList<>();
        while (it.hasNext()) {
            Path p = it.next().getPath();
            if (p.getName().endsWith(from)) {
                files.add(p);
            }
        }
        for (Path p : files) {
            String name = p.getName();
            if (!fs.rename(p, new Path(p.getParent(), name.substring(0, name.length() - from.length()) + to))) {
                throw new IOException("cannot rename " + p);
            }
        }
    }
}
