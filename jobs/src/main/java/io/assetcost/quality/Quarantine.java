package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.assetcost.schema.Cols;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Builds rows of the {@code quarantine} table (contract {@code schemas/quarantine.avsc}): source, reason,
 * detail, raw_record, source_file, source_format (the reader of a usage record, where the rows carry one).
 * The reason codes are {@link QuarantineReason}'s.
 */
public final class Quarantine {
    /** Source value of usage records. */
    public static final String USAGE = "usage";
    /** Source value of acceptance records. */
    public static final String ACCEPTANCE = "acceptance";
    /** Source value of billed results (the month close's Costs API pages). */
    public static final String COSTS = "costs";
    /** Source: the month close's organization Usage API pages ({@code --usage-api}). */
    public static final String USAGE_API = "usage_api";
    /** Source value of a whole input file that could not be read. */
    public static final String FILE = "file";

    private Quarantine() {}

    /**
     * Projects rejected records to quarantine rows.
     *
     * @param rejected rows with raw_record and source_file, and optionally source_format (else null)
     * @param source {@link #USAGE} or {@link #ACCEPTANCE}
     * @param reason reason code column
     * @param detail detail column
     * @return quarantine rows
     */
    public static Dataset<Row> rows(Dataset<Row> rejected, String source, Column reason, Column detail) {
        Column format = java.util.List.of(rejected.columns()).contains(Cols.SOURCE_FORMAT)
                ? col(Cols.SOURCE_FORMAT)
                : lit(null).cast("string");
        return rejected.select(
                lit(source).as(Cols.SOURCE),
                reason.as(Cols.REASON),
                detail.as(Cols.DETAIL),
                col(Cols.RAW_RECORD),
                col(Cols.SOURCE_FILE),
                format.as(Cols.SOURCE_FORMAT));
    }

    /** Quarantine rows from records whose parse_reason / parse_detail are set. */
    public static Dataset<Row> fromParseColumns(Dataset<Row> rejected, String source) {
        return rows(rejected, source, col(Cols.PARSE_REASON), col(Cols.PARSE_DETAIL));
    }
}
