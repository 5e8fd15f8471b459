package io.assetcost.run;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.apache.commons.io.input.BOMInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads a small configuration file on the driver (the rate card, the line-item mapping): the embedded
 * classpath resource when no location is given, else a file on any Hadoop file system. Text is UTF-8; a
 * byte-order mark is skipped.
 */
public final class ConfigFiles {

    private ConfigFiles() {}

    /**
     * Reads and parses a configuration file.
     *
     * @param conf Hadoop configuration
     * @param option the option that names the file, for messages (e.g. {@code --rates})
     * @param location the file, or null for the embedded default
     * @param resource the embedded default's classpath resource
     * @param parse parses the text; its second argument describes the source for messages
     * @param <T> what the file holds
     * @return the parsed content
     * @throws InputException when the file does not exist or cannot be read (and whatever {@code parse}
     *     throws for bad content)
     */
    public static <T> T read(
            Configuration conf, String option, String location, String resource, BiFunction<Reader, String, T> parse) {
        if (location == null) {
            try (InputStream in = ConfigFiles.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the embedded " + resource + " is missing from the jar");
                }
                return parse.apply(utf8(in), "embedded " + resource);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the embedded " + resource, e);
            }
        }
        Path path = new Path(location);
        try (InputStream in = path.getFileSystem(conf).open(path);
                Reader reader = utf8(in)) {
            return parse.apply(reader, location);
        } catch (FileNotFoundException e) {
            throw new InputException(option + " " + location + " does not exist", e);
        } catch (IOException e) {
            throw new InputException(option + " " + location + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a configuration CSV the way every one is read: RFC 4180, a header line, empty lines ignored, and
     * the columns a file must have checked before its first record.
     *
     * @param reader the text
     * @param what what the file is, for messages (e.g. {@code rate card})
     * @param description its path, for messages
     * @param required columns it must have
     * @param optional columns it may have, for the message that shows the header (may be empty)
     * @param trim whether values are trimmed (not for a regular expression, where spaces count)
     * @return the parser, positioned at the first record; the caller closes it
     * @throws InputException naming the first missing column and the header expected
     */
    public static CSVParser csv(
            Reader reader,
            String what,
            String description,
            List<String> required,
            List<String> optional,
            boolean trim) {
        CSVFormat format = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true)
                .setTrim(trim)
                // A column named twice is refused: Commons CSV would map the name to its last place, past the
                // end of a shorter row that it still counts as consistent.
                .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
                .get();
        CSVParser parser;
        try {
            parser = CSVParser.builder().setReader(reader).setFormat(format).get();
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            // IllegalArgumentException: a header with an empty name (a trailing comma) or a name twice.
            throw new InputException(what + " " + description + " cannot be read as CSV: " + e.getMessage(), e);
        }
        for (String column : required) {
            if (!parser.getHeaderNames().contains(column)) {
                String header = String.join(",", required)
                        + (optional.isEmpty() ? "" : "[," + String.join(",", optional) + "]");
                throw new InputException(
                        what + " " + description + " lacks column '" + column + "' (header: " + header + ")");
            }
        }
        return parser;
    }

    private static Reader utf8(InputStream in) throws IOException {
        return new InputStreamReader(BOMInputStream.builder().setInputStream(in).get(), StandardCharsets.UTF_8);
    }
}
