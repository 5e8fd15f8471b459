package io.assetcost.ops;

import io.assetcost.SparkTestBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link S3KillTest} with {@code --table-format delta}: a nightly run killed while it writes leaves the Delta tables
 * byte for byte (their logs included); one killed while it publishes, between its Delta commits, is rolled forward
 * by the next run from its journal.
 */
@EnabledIfSystemProperty(named = "assetcost.s3", matches = "true")
class S3KillDeltaTest extends S3KillTest {

    @Override
    List<String> formatArgs() {
        return List.of(SparkTestBase.DELTA_OPTION);
    }

    @Override
    Map<String, String> sessionSettings() {
        return SparkTestBase.DELTA_SESSION;
    }
}
