package io.assetcost.pricing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Test fixture: requests priced and split into priced and unpriced, as the cost job's one flagged pass
 * does in place ({@link RequestPricing#rate}).
 *
 * @param priced requests with every meter priced (request_costs columns and more)
 * @param unpriced requests that could not be priced, with {@link RequestPricing#NO_RATE_DETAIL}
 */
public record Priced(Dataset<Row> priced, Dataset<Row> unpriced) {

    /**
     * Prices every request.
     *
     * @param requests validated canonical requests
     * @param card the rate card
     * @return both sides; together exactly the input rows
     */
    public static Priced of(Dataset<Row> requests, RateCard card) {
        Dataset<Row> rated = RequestPricing.rate(requests, card, lit(true));
        return new Priced(
                rated.filter(col(RequestPricing.NO_RATE_DETAIL).isNull()).drop(RequestPricing.NO_RATE_DETAIL),
                rated.filter(col(RequestPricing.NO_RATE_DETAIL).isNotNull()));
    }
}
