package io.assetcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.schema.Schemas;
import org.junit.jupiter.api.Test;

/** The meter algebra: every cached meter is a subset of one uncached meter, and each reads a canonical count. */
class MeterTest {

    @Test
    void cachedMetersPairWithTheirUncachedMeter() {
        assertThat(Meter.cached()).containsExactly(Meter.CACHED_TEXT_INPUT, Meter.CACHED_IMAGE_INPUT);
        assertThat(Meter.CACHED_TEXT_INPUT.uncached()).isEqualTo(Meter.TEXT_INPUT);
        assertThat(Meter.CACHED_IMAGE_INPUT.uncached()).isEqualTo(Meter.IMAGE_INPUT);
        assertThat(Meter.TEXT_INPUT.cachedSubset()).isEqualTo(Meter.CACHED_TEXT_INPUT);
        assertThat(Meter.IMAGE_OUTPUT.cachedSubset()).isNull();
        assertThat(Meter.IMAGE_OUTPUT.uncached()).isNull();
        for (Meter m : Meter.cached()) {
            assertThat(m.uncached().isCached()).as(m.id()).isFalse();
        }
    }

    @Test
    void everyMeterReadsACanonicalColumnAndIsNamedInTheRateCardContract() {
        String rateCard = Schemas.avro(Schemas.RATE_CARD).toString();
        for (Meter m : Meter.values()) {
            assertThat(Schemas.fieldNames(Schemas.CANONICAL_USAGE)).as(m.id()).contains(m.canonicalColumn());
            assertThat(rateCard).as(m.id()).contains("\"" + m.id() + "\"");
            assertThat(Meter.fromId(m.id())).isSameAs(m);
        }
    }
}
