package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** A time is a date and a time: nothing is taken from the clock, and nothing that is not a time is one. */
class TimesTest extends SparkTestBase {

    private static Map<String, Instant> parse(String... texts) {
        Map<String, Instant> out = new HashMap<>();
        List<Row> rows = spark.createDataset(Arrays.asList(texts), Encoders.STRING())
                .toDF("t")
                .select(col("t"), Times.iso(col("t")).as("ts"))
                .collectAsList();
        for (Row r : rows) {
            out.put(r.getString(0), r.isNullAt(1) ? null : r.getAs(1));
        }
        return out;
    }

    @Test
    void acceptsIsoDateTimesWithZoneOffsetOrNone() {
        Instant at = Instant.parse("2026-11-03T10:15:00Z");
        Map<String, Instant> t = parse(
                "2026-11-03T10:15:00Z",
                "2026-11-03T11:15:00+01:00",
                "2026-11-03T11:15:00+0100",
                "2026-11-03T05:15:00-05",
                "2026-11-03 10:15:00",
                "2026-11-03T10:15Z",
                " 2026-11-03T10:15:00Z ",
                "2026-11-03T10:15:00.000000Z");
        assertThat(t.values()).as(t.toString()).containsOnly(at);
    }

    @Test
    void refusesTimesAloneDatesAloneAndNumbers() {
        Map<String, Instant> t = parse(
                "T10:15:00",
                "T23",
                "10:15:00",
                "2026",
                "12345",
                "-2026-11-02",
                "2026-11-02",
                "2026-02-31T10:00:00Z",
                "03/11/2026 10:15",
                "2026-11-03T10:15:00 UTC",
                // Found by InputFuzzTest: a line break after a time made it one, a tab did not.
                "2026-11-03T10:15:00Z\n",
                "2026-11-03T10:15:00Z\r\n",
                "2026-11-03T10:15:00Z\u2028",
                "2026-11-03T10:15:00Z\t",
                "");
        assertThat(t)
                .as("none of these is a time")
                .allSatisfy((text, ts) -> assertThat(ts).as(text).isNull());
    }
}
