package io.assetcost;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads CSV as the tests check the jobs' files: RFC 4180, a header row, UTF-8. */
public final class TestCsv {

    /**
     * A parsed file.
     *
     * @param header the header row's names, in order
     * @param records the records after the header, each readable by column name
     */
    public record Parsed(List<String> header, List<CSVRecord> records) {}

    private TestCsv() {}

    /**
     * Parses CSV text with a header row.
     *
     * @param reader the text (closed here)
     * @return header and records
     * @throws IOException when the text cannot be read or parsed
     */
    public static Parsed parse(Reader reader) throws IOException {
        try (Reader r = reader;
                CSVParser p = CSVParser.builder()
                        .setReader(r)
                        .setFormat(CSVFormat.RFC4180
                                .builder()
                                .setHeader()
                                .setSkipHeaderRecord(true)
                                .get())
                        .get()) {
            return new Parsed(p.getHeaderNames(), p.getRecords());
        }
    }

    /**
     * Parses a UTF-8 CSV file with a header row.
     *
     * @param file the file
     * @return header and records
     * @throws IOException when the file cannot be read or parsed
     */
    public static Parsed read(Path file) throws IOException {
        return parse(Files.newBufferedReader(file, StandardCharsets.UTF_8));
    }

    /**
     * The records of a UTF-8 CSV file with a header row.
     *
     * @param file the file
     * @return the records after the header
     * @throws IOException when the file cannot be read or parsed
     */
    public static List<CSVRecord> records(Path file) throws IOException {
        return read(file).records();
    }
}
