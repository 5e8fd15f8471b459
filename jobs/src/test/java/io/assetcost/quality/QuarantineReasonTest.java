package io.assetcost.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.SparkTestBase;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The quarantine reasons have one home: the README's table is the enum's, and codes are unique. */
class QuarantineReasonTest {

    @Test
    void theReadmeTableIsTheEnumsTable() throws Exception {
        String readme = Files.readString(SparkTestBase.repoRoot().resolve("README.md"));
        assertThat(readme)
                .as(
                        "README's 'Quarantine reasons' table; paste QuarantineReason.markdownTable():%n%s",
                        QuarantineReason.markdownTable())
                .contains(QuarantineReason.markdownTable());
    }

    @Test
    void codesAreUniqueSnakeCaseAndEachHasAnInputADescriptionAndAnExample() {
        List<String> codes = Arrays.stream(QuarantineReason.values())
                .map(QuarantineReason::code)
                .toList();
        assertThat(codes).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z]+(_[a-z]+)*"));
        for (QuarantineReason r : QuarantineReason.values()) {
            assertThat(r.sources())
                    .as(r.code())
                    .isNotEmpty()
                    .isSubsetOf(
                            Quarantine.USAGE,
                            Quarantine.ACCEPTANCE,
                            Quarantine.COSTS,
                            Quarantine.USAGE_API,
                            Quarantine.FILE);
            assertThat(r.description()).as(r.code()).isNotBlank();
            assertThat(r.example()).as(r.code()).isNotBlank();
            assertThat(QuarantineReason.of(r.code())).isSameAs(r);
        }
    }
}
