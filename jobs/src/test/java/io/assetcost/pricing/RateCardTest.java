package io.assetcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.run.InputException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class RateCardTest {

    private static final String HEADER = "model,service_tier,meter,usd_per_1m_tokens,effective_from,effective_to\n";

    private static RateCard card(String rows) {
        return RateCard.fromCsv(new StringReader(HEADER + rows), "test.csv");
    }

    @Test
    void embeddedDefaultCardHasTheSeedRatesForGptImage2() {
        RateCard card = RateCard.load(new Configuration(false), null);
        Instant t = Instant.parse("2026-11-03T10:00:00Z");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.TEXT_INPUT, t)).isEqualByComparingTo("5.00");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.CACHED_TEXT_INPUT, t))
                .isEqualByComparingTo("1.25");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.IMAGE_INPUT, t)).isEqualByComparingTo("8.00");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.CACHED_IMAGE_INPUT, t))
                .isEqualByComparingTo("2.00");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.IMAGE_OUTPUT, t)).isEqualByComparingTo("30.00");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.TEXT_OUTPUT, t)).isEqualByComparingTo("10.00");
        // Batch rows are half the default rates, for every model and meter the card prices.
        for (RateCard.Rate r : card.rates()) {
            if (r.serviceTier().equals("batch")) {
                BigDecimal standard = card.rateAt(r.model(), "default", r.meter(), r.from());
                assertThat(r.usdPer1m().multiply(BigDecimal.valueOf(2)))
                        .as(r.toString())
                        .isEqualByComparingTo(standard);
            }
        }
        assertThat(card.models()).containsExactly("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2");
        assertThat(card.rateAt("gpt-image-2", "default", Meter.IMAGE_OUTPUT, Instant.parse("2026-04-20T23:59:59Z")))
                .as("no gpt-image-2 rate before its launch")
                .isNull();
    }

    @Test
    void segmentsSplitAtEveryRateChangeOfAModelAndTier() {
        RateCard card = card("""
        m,default,text_input,5,2026-01-01,2026-06-01
        m,default,text_input,4,2026-06-01,
        m,default,image_output,30,2026-03-01,
        """);
        List<RateCard.Segment> s = card.segments();
        assertThat(s)
                .extracting(RateCard.Segment::from)
                .containsExactly(
                        Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2026-03-01T00:00:00Z"),
                        Instant.parse("2026-06-01T00:00:00Z"));
        assertThat(s.get(0).usdPer1m()).containsOnlyKeys(Meter.TEXT_INPUT);
        assertThat(s.get(1).usdPer1m())
                .containsEntry(Meter.TEXT_INPUT, new BigDecimal("5"))
                .containsEntry(Meter.IMAGE_OUTPUT, new BigDecimal("30"));
        assertThat(s.get(2).usdPer1m()).containsEntry(Meter.TEXT_INPUT, new BigDecimal("4"));
        assertThat(s.get(2).to()).isNull();
    }

    @Test
    void acceptsInstantsWithOffsets() {
        RateCard card = card("m,default,text_input,5,2026-01-01T01:00:00+01:00,\n");
        assertThat(card.rates().get(0).from()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void rejectsOverlappingRowsForOneMeter() {
        assertThatThrownBy(() -> card("""
        m,default,text_input,5,2026-01-01,
        m,default,text_input,4,2026-06-01,
        """))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("overlapping")
                .hasMessageContaining("m/default/text_input");
    }

    @Test
    void rejectsPricesThatCannotBeExactPerToken() {
        assertThatThrownBy(() -> card("m,default,text_input,5.0000001,2026-01-01,\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("more than 6 decimal places");
        assertThatThrownBy(() -> card("m,default,text_input,1234567890123,2026-01-01,\n"))
                .as("a price that does not fit the rate columns is refused, not an overflow mid-run")
                .isInstanceOf(InputException.class)
                .hasMessageContaining("more than 12 digits before the decimal point");
        assertThat(card("m,default,text_input,999999999999.999999,2026-01-01,\n")
                        .rates())
                .hasSize(1);
    }

    @Test
    void rejectsUnknownMetersBadDatesAndMissingColumnsWithTheLine() {
        assertThatThrownBy(() -> card("m,default,image_tokens,5,2026-01-01,\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("unknown meter");
        assertThatThrownBy(() -> card("m,default,text_input,5,01/02/2026,\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("effective_from '01/02/2026'");
        assertThatThrownBy(() -> RateCard.fromCsv(new StringReader("model,meter\nm,text_input\n"), "x.csv"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("lacks column 'service_tier'");
        assertThatThrownBy(() -> card("m,default,text_input,5,2026-02-01,2026-01-01\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("not before effective_to");
    }

    /**
     * Found by InputFuzzTest: a quoted cell may hold a line break, which the message quotes; Commons CSV
     * refuses a header with an empty name by an IllegalArgumentException that escaped as a failed run (exit 1);
     * and a header naming a column twice made a short row fail the same way.
     */
    @Test
    void aBrokenCardIsOneLineOfErrorWhateverItHolds() {
        assertThatThrownBy(() -> card("m,default,text_input,\"5\n.0\",2026-01-01,\n"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("usd_per_1m_tokens '5\\n.0' is not a decimal number")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> RateCard.fromCsv(new StringReader(HEADER.replace("\n", ",\n")), "x.csv"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("rate card x.csv cannot be read as CSV: A header name is missing");
        // A column named twice: Commons CSV mapped "meter" to its second place, past the end of this row.
        assertThatThrownBy(() -> RateCard.fromCsv(
                        new StringReader(HEADER.replace("\n", ",meter\n") + "m,default,text_input,5,2026-01-01,\n"),
                        "x.csv"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("rate card x.csv cannot be read as CSV")
                .hasMessageContaining("meter");
    }
}
