package io.assetcost.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.assetcost.docs.ReadmeBlocks;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The quarantine reasons have one home: the README's table is the enum's, and codes are unique. */
class QuarantineReasonTest {

    private static final String BLOCK = "quarantine-reasons";

    @Test
    void theReadmeSectionIsTheEnumsTableAndNothingElse() throws Exception {
        String table = QuarantineReason.markdownTable();
        // A blank line closes the table before the end marker on every Markdown renderer.
        String readme = ReadmeBlocks.readAndMaybeUpdate(BLOCK, table + "\n");
        assertThat(ReadmeBlocks.block(readme, BLOCK))
                .as(
                        "README's block %s; regenerate it: mvn test -pl jobs -Dtest=QuarantineReasonTest -D%s=true",
                        BLOCK, ReadmeBlocks.UPDATE)
                .isEqualTo(table + "\n");
        String section = ReadmeBlocks.section(readme, "### Quarantine reasons");
        String afterBlock = section.substring(section.indexOf("<!-- end: " + BLOCK + " -->"));
        assertThat(afterBlock.lines().skip(1))
                .as("nothing after the generated table in its section (no log line, no second copy)")
                .allMatch(String::isBlank);
        assertThat(section.lines().filter(l -> l.startsWith("|")).count())
                .as("table rows in the whole section")
                .isEqualTo(table.lines().count());
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
