package io.assetcost.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** sample-data/ is exactly what its generator writes: regenerating it changes no byte. */
class SampleDataGeneratorTest {

    @Test
    void regeneratingTheSampleDataReproducesTheCommittedFilesByteForByte() throws Exception {
        Path repo = Path.of(System.getProperty("assetcost.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        Path out = Files.createTempDirectory(base, "sample");
        SampleDataGenerator.main(new String[] {out.toString()});
        List<Path> generated;
        try (Stream<Path> files = Files.walk(out)) {
            generated = files.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(generated).hasSizeGreaterThanOrEqualTo(17);
        for (Path g : generated) {
            Path committed = repo.resolve("sample-data").resolve(out.relativize(g));
            assertThat(committed).as("committed " + out.relativize(g)).exists();
            assertThat(Files.readAllBytes(g)).as(out.relativize(g).toString()).isEqualTo(Files.readAllBytes(committed));
        }
    }
}
