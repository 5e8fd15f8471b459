package io.assetcost.finance;

import static io.assetcost.schema.Cols.BILLING_MONTH;
import static io.assetcost.schema.Cols.CREATED_AT;
import static io.assetcost.schema.Cols.IMAGE_TOKENS;
import static io.assetcost.schema.Cols.OUTPUT_IMAGE_TOKENS;
import static io.assetcost.schema.Cols.OUTPUT_TEXT_TOKENS;
import static io.assetcost.schema.Cols.PARSE_REASON;
import static io.assetcost.schema.Cols.RAW_RECORD;
import static io.assetcost.schema.Cols.REASON;
import static io.assetcost.schema.Cols.SOURCE;
import static io.assetcost.schema.Cols.SOURCE_FILE;
import static io.assetcost.schema.Cols.SOURCE_FORMAT;
import static io.assetcost.schema.Cols.TEXT_TOKENS;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.assetcost.io.UsageFormatOptions;
import io.assetcost.io.UsageReader;
import io.assetcost.pricing.Meter;
import io.assetcost.quality.Quarantine;
import io.assetcost.schema.OutputTable;
import java.time.YearMonth;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code unpriced_usage}: what the month's computed spend does not cover. Each usage record in the cost
 * job's quarantine is read again from its raw_record ({@link UsageReader#reread}); its created time gives
 * the month and its counts the tokens. A record that still cannot be read, or whose counts are negative,
 * counts in {@code records} but not in the token columns; one without a readable time is reported under a
 * null month, since it may belong to this one.
 */
public final class UnpricedUsage {

    private UnpricedUsage() {}

    /**
     * Builds the report.
     *
     * @param quarantine the cost job's quarantine table
     * @param month billing month
     * @param formats the options the cost job read the usage with
     * @return rows of contract unpriced_usage for the month and for records of unknown month
     */
    public static Dataset<Row> of(Dataset<Row> quarantine, YearMonth month, UsageFormatOptions formats) {
        Dataset<Row> usage = quarantine.filter(col(SOURCE).equalTo(Quarantine.USAGE));
        Column readable = col(PARSE_REASON).isNull();
        for (Meter m : Meter.values()) {
            readable = readable.and(col(m.canonicalColumn()).geq(0));
        }
        Dataset<Row> reread = UsageReader.reread(usage.select(RAW_RECORD, SOURCE_FILE, SOURCE_FORMAT), formats)
                .select(
                        col(RAW_RECORD).as("_raw"),
                        col(SOURCE_FILE).as("_file"),
                        date_format(col(CREATED_AT), "yyyy-MM").as(BILLING_MONTH),
                        when(readable, col(TEXT_TOKENS).plus(col(IMAGE_TOKENS))).as("_in"),
                        when(readable, col(OUTPUT_IMAGE_TOKENS).plus(col(OUTPUT_TEXT_TOKENS)))
                                .as("_out"))
                .dropDuplicates("_raw", "_file");
        Dataset<Row> joined = usage.join(
                reread,
                col(RAW_RECORD).eqNullSafe(col("_raw")).and(col(SOURCE_FILE).eqNullSafe(col("_file"))),
                "left");
        Dataset<Row> report = joined.filter(
                        col(BILLING_MONTH).isNull().or(col(BILLING_MONTH).equalTo(month.toString())))
                .groupBy(col(BILLING_MONTH), col(REASON))
                .agg(
                        count(lit(1)).as("records"),
                        count(col("_in")).as("records_with_tokens"),
                        sum(col("_in")).as("input_tokens"),
                        sum(col("_out")).as("output_tokens"))
                .na()
                .fill(0L, new String[] {"input_tokens", "output_tokens"});
        return OutputTable.UNPRICED_USAGE.conform(report);
    }
}
