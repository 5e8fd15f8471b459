package io.assetcost.quality;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.assetcost.schema.Cols;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One validation rule: a condition that, when true, sends the record to quarantine with a reason and a
 * detail. {@link #apply} evaluates an ordered list and records the first rule a record breaks.
 *
 * <p>Conditions are wrapped in {@code coalesce(condition, false)}: a comparison with a null must never
 * yield a null flag, which would drop the row from both the valid and the invalid side (the lesson of
 * Deequ's row-level validator). The split is therefore exhaustive: every row is either valid
 * ({@code parse_reason} null) or invalid.
 *
 * @param condition true when the record breaks the rule
 * @param reason quarantine reason
 * @param detail what exactly is wrong (string column)
 */
public record Check(Column condition, QuarantineReason reason, Column detail) {

    /**
     * Fills {@code parse_reason} / {@code parse_detail} with the first broken rule, keeping a reason a
     * reader already set.
     *
     * @param df rows with parse_reason and parse_detail columns
     * @param checks rules in order of precedence
     * @return df with both columns filled where a rule is broken
     */
    public static Dataset<Row> apply(Dataset<Row> df, List<Check> checks) {
        Column reason = null;
        Column detail = null;
        for (Check c : checks) {
            Column broken = coalesce(c.condition(), lit(false));
            reason = reason == null
                    ? when(broken, lit(c.reason().code()))
                    : reason.when(broken, lit(c.reason().code()));
            detail = detail == null ? when(broken, c.detail()) : detail.when(broken, c.detail());
        }
        if (reason == null) {
            return df;
        }
        Column parsed = col(Cols.PARSE_REASON).isNotNull();
        return df.withColumn(
                        Cols.PARSE_DETAIL, when(parsed, col(Cols.PARSE_DETAIL)).otherwise(detail))
                .withColumn(
                        Cols.PARSE_REASON, when(parsed, col(Cols.PARSE_REASON)).otherwise(reason));
    }
}
