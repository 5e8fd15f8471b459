package io.assetcost.io;

import static io.assetcost.schema.Cols.*;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.assetcost.quality.Text;
import io.assetcost.quality.UsageValidation;
import io.assetcost.run.InputException;
import io.assetcost.schema.Schemas;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads reviewer decisions from the scores of Langfuse's scheduled blob-storage export (JSON Lines;
 * {@code --acceptance-format langfuse}) into the acceptance record contract's string rows
 * ({@code schemas/acceptance_record.avsc}, the shape {@link CsvSource#read} gives an acceptance CSV), which
 * {@link io.assetcost.quality.AcceptanceValidation} then validates unchanged. The score columns and their
 * source (langfuse/langfuse {@code getScoresForBlobStorageExport}) and the mapping of a score to a decision
 * are in docs/usage-formats/langfuse.md, "Decisions from scores".
 *
 * <p>A score named {@code --langfuse-score-name} is one decision (request_id = observation_id, image_index
 * 0, asset_id and workflow_id null: validation takes the request's). Other scores are not decisions:
 * {@link #ignored} counts them. A line that is not one JSON object is kept as a decision with its reason (it
 * cannot be told to be another score).
 */
public final class LangfuseScores {

    /** Internal column: whether a line is a decision (the named score, or a line that cannot be read). */
    static final String IS_DECISION = "_is_decision";

    /**
     * What the command line tells this reader.
     *
     * @param scoreName {@code --langfuse-score-name}: the score that records a reviewer's decision
     */
    public record Options(String scoreName) {

        /** The default score name, {@code approval}. */
        public Options() {
            this("approval");
        }

        /**
         * Checks the name.
         *
         * @throws InputException when it is blank
         */
        public Options {
            if (scoreName == null || scoreName.isBlank()) {
                throw new InputException("--langfuse-score-name must name a score, got '" + scoreName + "'");
            }
        }
    }

    private LangfuseScores() {}

    /**
     * Reads the decisions of the score files of an {@code --acceptance} path.
     *
     * @param spark the session
     * @param files the path's JSON Lines files (those in an {@code observations/}, {@code observations_v2/}
     *     or {@code traces/} folder are left out: Langfuse's other tables)
     * @param options the score name
     * @return one string row per decision: the acceptance contract's columns, then {@link CsvSource#LINEAGE}
     * @throws InputException when a file is a {@code .json} file (one JSON array: export as JSONL)
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, Options options) {
        return all(spark, files, options).filter(col(IS_DECISION)).drop(IS_DECISION);
    }

    /**
     * Counts the score lines that are not decisions (other score names, trace-level or not: blank lines too).
     *
     * @param spark the session
     * @param files as for {@link #read}
     * @param options the score name
     * @return the number of lines read and not used as decisions
     */
    public static long ignored(SparkSession spark, List<String> files, Options options) {
        return all(spark, files, options).filter(col(IS_DECISION).unary_$bang()).count();
    }

    /**
     * The score files of a listing: those not in a folder of Langfuse's other tables.
     *
     * @param files JSON Lines files
     * @return the files to read as scores
     */
    public static List<String> scoreFiles(List<String> files) {
        return files.stream()
                .filter(f -> !LangfuseUsage.inFolder(f, "observations")
                        && !LangfuseUsage.inFolder(f, "observations_v2")
                        && !LangfuseUsage.inFolder(f, "traces"))
                .toList();
    }

    private static Dataset<Row> all(SparkSession spark, List<String> files, Options options) {
        List<String> scores = scoreFiles(files);
        for (String f : scores) {
            if (!InputFiles.oneDocumentPerLine(f)) {
                throw new InputException("--acceptance file " + f + " is not JSON Lines: set the Langfuse blob"
                        + " storage export's file type to JSONL (a .json export is one JSON array)");
            }
        }
        if (scores.isEmpty()) {
            return CsvSource.read(spark, List.of(), Schemas.fieldNames(Schemas.ACCEPTANCE_RECORD), false)
                    .withColumn(IS_DECISION, lit(true));
        }
        return fromLines(
                spark.read()
                        .text(scores.toArray(new String[0]))
                        .select(
                                col("value").as(RAW_RECORD),
                                col("_metadata.file_path").as(SOURCE_FILE)),
                options);
    }

    /**
     * Maps score lines to acceptance rows.
     *
     * @param lines raw_record (one line) and source_file
     * @param options the score name
     * @return the acceptance contract's columns as strings, {@link CsvSource#LINEAGE}, then {@link #IS_DECISION}
     */
    public static Dataset<Row> fromLines(Dataset<Row> lines, Options options) {
        StructType strings = new StructType();
        for (String name : Schemas.fieldNames(Schemas.LANGFUSE_SCORE)) {
            strings = strings.add(name, DataTypes.StringType, true);
        }
        Column inspect =
                JsonRecords.udf(Schemas.avro(Schemas.LANGFUSE_SCORE).toString()).apply(col(RAW_RECORD));
        Dataset<Row> parsed = lines.withColumn("_line", inspect)
                .withColumn("s", from_json(col("_line.record_text"), strings, Map.of("mode", "PERMISSIVE")));
        Column type = upper(Text.clean(col("s.data_type")));
        Column value = Text.clean(col("s.value"));
        Column number = value.try_cast(DataTypes.DoubleType);
        Column decision = when(type.equalTo("BOOLEAN").and(number.equalTo(1.0)), lit(APPROVED))
                .when(type.equalTo("BOOLEAN").and(number.equalTo(0.0)), lit(REJECTED))
                .when(type.equalTo("BOOLEAN"), value)
                .otherwise(coalesce(col("s.string_value"), value));
        Column reason = col("_line.reason");
        Column unreadable = reason.isNotNull().and(reason.notEqual(UsageValidation.BLANK_LINE));
        Column named = coalesce(Text.clean(col("s.name")).equalTo(options.scoreName()), lit(false));
        return parsed.select(
                col("s.observation_id").as(REQUEST_ID),
                when(unreadable, lit(null).cast(DataTypes.StringType))
                        .otherwise(lit("0"))
                        .as(IMAGE_INDEX),
                lit(null).cast(DataTypes.StringType).as(ASSET_ID),
                lit(null).cast(DataTypes.StringType).as(WORKFLOW_ID),
                decision.as(DECISION),
                col("s.timestamp").as(DECIDED_AT),
                col("s.author_user_id").as(REVIEWER_ID),
                col("s.comment").as(REVIEW_REASON),
                col(RAW_RECORD),
                col("_line.record_text").as(RECORD_TEXT),
                col(SOURCE_FILE),
                when(unreadable, reason).as(PARSE_REASON),
                when(unreadable, col("_line.detail")).as(PARSE_DETAIL),
                unreadable.or(named).as(IS_DECISION));
    }
}
