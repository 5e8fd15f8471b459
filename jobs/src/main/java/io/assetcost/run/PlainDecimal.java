package io.assetcost.run;

import com.fasterxml.jackson.databind.ser.std.ToStringSerializerBase;
import java.math.BigDecimal;

/**
 * Writes a {@link BigDecimal} as a JSON string of {@link BigDecimal#toPlainString()}: an exact decimal, never a JSON
 * number and never an exponent ({@code 0.000000000000}, not {@code 0E-12}), as the summaries write money and figures
 * (README, "run_summary.json"). Use on a component: {@code @JsonSerialize(using = PlainDecimal.class)}.
 */
public final class PlainDecimal extends ToStringSerializerBase {

    private static final long serialVersionUID = 1L;

    /** The serializer Jackson instantiates. */
    public PlainDecimal() {
        super(BigDecimal.class);
    }

    /** {@inheritDoc} */
    @Override
    public String valueToString(Object value) {
        return ((BigDecimal) value).toPlainString();
    }
}
