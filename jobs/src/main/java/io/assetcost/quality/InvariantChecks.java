package io.assetcost.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.assetcost.pricing.Meter;
import io.assetcost.schema.Cols;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The invariants of DESIGN section 5, checked on every run against the tables as written. A failed
 * check makes the run exit 1; each result, with its figures, goes into run_summary.json.
 */
public final class InvariantChecks {

  private InvariantChecks() {}

  /**
   * One check's result.
   *
   * @param name check name
   * @param passed whether it held
   * @param detail the figures compared
   */
  public record Result(String name, boolean passed, String detail) {
    /** The result as a JSON-ready map. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("passed", passed);
      m.put("detail", detail);
      return m;
    }
  }

  /**
   * Conservation (invariant 1): the sum of request_costs.cost_usd equals the total of asset_costs, the
   * total of cost_per_approved_asset, and direct + waste + pending of both, exactly; and no join fanned
   * out (the assets' request counts add up to the requests priced, one row per asset).
   *
   * @return the results, one per comparison
   */
  public static List<Result> conservation(Dataset<Row> requestCosts, Dataset<Row> assetCosts,
      Dataset<Row> costPerApprovedAsset) {
    Row r = requestCosts.agg(sum(Cols.COST_USD), count(lit(1))).first();
    BigDecimal requests = orZero(r.getDecimal(0));
    long requestRows = r.getLong(1);
    Row a = assetCosts.agg(sum("total_cost_usd"),
        sum(col("direct_cost_usd").plus(col("waste_cost_usd")).plus(col("pending_cost_usd"))),
        sum("requests"), count(lit(1)), countDistinct(col(Cols.WORKFLOW_ID), col(Cols.ASSET_ID))).first();
    Row c = costPerApprovedAsset.agg(sum("total_cost_usd"),
        sum(col("direct_cost_usd").plus(col("waste_cost_usd")).plus(col("pending_cost_usd"))),
        sum(col("resolved_cost_usd").plus(col("pending_cost_usd"))), sum("requests")).first();
    List<Result> out = new ArrayList<>();
    out.add(equal("conservation: request_costs = asset_costs.total_cost_usd", requests, a.getDecimal(0)));
    out.add(equal("conservation: request_costs = asset_costs direct + waste + pending", requests,
        a.getDecimal(1)));
    out.add(equal("conservation: request_costs = cost_per_approved_asset.total_cost_usd", requests,
        c.getDecimal(0)));
    out.add(equal("conservation: request_costs = cost_per_approved_asset direct + waste + pending",
        requests, c.getDecimal(1)));
    out.add(equal("conservation: request_costs = cost_per_approved_asset resolved + pending", requests,
        c.getDecimal(2)));
    long assetRequests = a.isNullAt(2) ? 0 : a.getLong(2);
    long cohortRequests = c.isNullAt(3) ? 0 : c.getLong(3);
    out.add(new Result("no fan-out: requests priced = requests over assets = requests over cohorts",
        requestRows == assetRequests && assetRequests == cohortRequests,
        requestRows + " = " + assetRequests + " = " + cohortRequests));
    out.add(new Result("no fan-out: one asset_costs row per asset", a.getLong(3) == a.getLong(4),
        a.getLong(3) + " rows, " + a.getLong(4) + " distinct assets"));
    return out;
  }

  /**
   * Accounting (invariant 2): records read = priced (or used) + quarantined + exact duplicates dropped.
   *
   * @param input input name
   * @param read records read
   * @param used records priced (usage) or decisions used (acceptance)
   * @param quarantined records quarantined
   * @param duplicates exact duplicates dropped
   * @return the result
   */
  public static Result accounted(String input, long read, long used, long quarantined, long duplicates) {
    return new Result("accounted: " + input + " read = used + quarantined + duplicates dropped",
        read == used + quarantined + duplicates,
        read + " = " + used + " + " + quarantined + " + " + duplicates);
  }

  /**
   * Nothing unpriced became $0 (invariant 3): every priced request has a rate model, and every meter
   * with tokens has a rate.
   */
  public static Result nothingUnpriced(Dataset<Row> requestCosts) {
    Column bad = col(Cols.RATE_MODEL).isNull();
    for (Meter m : Meter.values()) {
      bad = bad.or(col(m.tokensColumn()).gt(0).and(col(m.rateColumn()).isNull()));
    }
    long n = requestCosts.filter(bad).count();
    return new Result("nothing unpriced: every meter with tokens has a rate", n == 0,
        n + " priced requests with tokens on a meter without a rate");
  }

  /**
   * Two money totals that must agree to the last decimal.
   *
   * @param name check name
   * @param expected the reference total, USD
   * @param actual the total to compare, USD (null = 0)
   * @return the result, with both figures
   */
  public static Result equal(String name, BigDecimal expected, BigDecimal actual) {
    BigDecimal a = orZero(actual);
    return new Result(name, expected.compareTo(a) == 0, expected.toPlainString() + " vs " + a.toPlainString());
  }

  private static BigDecimal orZero(BigDecimal d) {
    return d == null ? BigDecimal.ZERO : d;
  }
}
