package io.assetcost.ops;

import io.assetcost.SparkTestBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link S3StoreRunTest} with {@code --table-format delta}: the same full run, nightly run, rerun, month close and
 * concurrent second run on the S3-compatible store, every table a Delta table, in a session with Delta's extension
 * and catalog.
 */
@EnabledIfSystemProperty(named = "assetcost.s3", matches = "true")
class S3StoreDeltaRunTest extends S3StoreRunTest {

    @Override
    List<String> formatArgs() {
        return List.of(SparkTestBase.DELTA_OPTION);
    }

    @Override
    Map<String, String> sessionSettings() {
        return SparkTestBase.DELTA_SESSION;
    }
}
