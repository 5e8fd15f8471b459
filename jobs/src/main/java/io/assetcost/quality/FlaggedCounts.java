package io.assetcost.quality;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Counts of a flagged dataset (every record read, flagged by validation), taken in one pass.
 *
 * @param records records in the dataset
 * @param used records the run uses (priced, or a decision used)
 * @param duplicates exact duplicates beyond the first
 * @param skipped blank lines, skipped
 */
public record FlaggedCounts(long records, long used, long duplicates, long skipped) {

    /**
     * Counts a flagged dataset in one Spark job.
     *
     * @param flagged every record, flagged
     * @param used true for a record the run uses (a null counts as false)
     * @param duplicate name of the boolean column marking an exact duplicate beyond the first
     * @param skipped true for a record skipped (a blank line; a null counts as false)
     * @return the counts
     */
    public static FlaggedCounts of(Dataset<Row> flagged, Column used, String duplicate, Column skipped) {
        Row r = flagged.agg(
                        count(lit(1)),
                        count_if(coalesce(used, lit(false))),
                        count_if(col(duplicate)),
                        count_if(coalesce(skipped, lit(false))))
                .first();
        return new FlaggedCounts(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3));
    }
}
