package io.assetcost.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** Configuration CSVs: one way to read them, one message for a missing column. */
class ConfigFilesTest {

    @Test
    void aMissingColumnIsNamedWithTheHeaderExpected() {
        assertThatThrownBy(() -> ConfigFiles.csv(
                        new StringReader("pattern,meter\ngpt-image-2.*,image_output\n"),
                        "line item mapping",
                        "mapping.csv",
                        List.of("pattern", "model"),
                        List.of("meter"),
                        false))
                .isInstanceOf(InputException.class)
                .hasMessage("line item mapping mapping.csv lacks column 'model' (header: pattern,model[,meter])");
    }

    @Test
    void emptyLinesAreSkippedAndValuesTrimmedOnlyWhenAsked() throws Exception {
        String text = "a,b\n\n x , y \n";
        try (CSVParser trimmed = ConfigFiles.csv(new StringReader(text), "t", "t.csv", List.of("a"), List.of(), true);
                CSVParser kept =
                        ConfigFiles.csv(new StringReader(text), "t", "t.csv", List.of("a"), List.of(), false)) {
            List<CSVRecord> t = trimmed.getRecords();
            List<CSVRecord> k = kept.getRecords();
            assertThat(t).hasSize(1);
            assertThat(t.get(0).get("a")).isEqualTo("x");
            assertThat(k.get(0).get("a")).isEqualTo(" x ");
        }
    }
}
