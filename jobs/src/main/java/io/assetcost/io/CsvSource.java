package io.assetcost.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputException;
import io.assetcost.run.UnreadableFileException;
import io.assetcost.schema.Cols;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.input.BOMInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads CSV files as spreadsheets and warehouses really write them: UTF-8 with or without a byte-order
 * mark, CRLF or LF line ends, RFC 4180 quoting (fields holding commas, doubled quotes and line breaks),
 * optionally compressed. Parsing is Apache Commons CSV, run inside Spark tasks one whole file per task
 * (a quoted line break makes a CSV file unsplittable), streaming, so a file is never held in memory.
 *
 * <p>Every record becomes one row: the contract's columns as strings (an empty cell is null; columns are
 * found by header name, in any order, extra columns ignored), then {@code raw_record} (the record
 * re-encoded per RFC 4180), {@code record_text} (when asked: every field of the record by header name, as a
 * JSON object with sorted keys, so copies compare equal whatever the column order), {@code source_file},
 * and {@code parse_reason} / {@code parse_detail}, set when the record has a different number of fields
 * from the header or the file stops parsing: those rows go to quarantine, so no record is lost silently.
 *
 * <p>A file that stops parsing (an unclosed quote, text after a closing quote) gives one last record: the
 * rest of the file from the record that does not parse, its first {@link #TAIL_CHARS} characters as
 * raw_record, and a detail with the line and byte offset where it starts and how many physical lines it
 * holds (README, "Inputs"). A file that cannot be decompressed or read is an
 * {@link UnreadableFileException}, not a record.
 */
public final class CsvSource {

    /** Reason given to a CSV record that cannot be parsed. */
    private static final String MALFORMED = QuarantineReason.MALFORMED_RECORD.code();
    /** Most characters of an unparseable tail kept as its raw_record. */
    public static final int TAIL_CHARS = 65_536;
    /** The lineage columns of a row, after the contract's columns. */
    public static final List<String> LINEAGE =
            List.of(Cols.RAW_RECORD, Cols.RECORD_TEXT, Cols.SOURCE_FILE, Cols.PARSE_REASON, Cols.PARSE_DETAIL);

    private CsvSource() {}

    /**
     * Checks on the driver that each file's header holds every column, before any work starts.
     *
     * @param conf Hadoop configuration
     * @param option the option name for messages
     * @param files the CSV files
     * @param columns required header names
     * @throws InputException naming the file and the missing columns
     */
    public static void checkHeaders(Configuration conf, String option, List<String> files, List<String> columns) {
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        for (String file : files) {
            Path path = new Path(file);
            try (InputStream raw = path.getFileSystem(conf).open(path);
                    Reader reader = reader(codecs, path, raw);
                    CSVParser parser = CSVParser.builder()
                            .setReader(reader)
                            .setFormat(format())
                            .get()) {
                List<String> header = parser.getHeaderNames();
                List<String> missing = new ArrayList<>();
                for (String c : columns) {
                    if (!header.contains(c)) {
                        missing.add(c);
                    }
                }
                if (!missing.isEmpty()) {
                    throw new InputException(option + " file " + file + " lacks header column(s) " + missing
                            + "; expected a header row with " + String.join(",", columns));
                }
            } catch (IOException | UncheckedIOException e) {
                if (!(e instanceof CSVException) && !(e.getCause() instanceof CSVException)) {
                    throw new UnreadableFileException(file, oneLine(e), e);
                }
                throw new InputException(
                        option + " file " + file + " has no readable CSV header: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new InputException(
                        option + " file " + file + " has no readable CSV header: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads CSV files into string rows, without counting their unparsed tails.
     *
     * @param spark the session
     * @param files CSV file paths (already listed and header-checked)
     * @param columns the contract's column names, in order
     * @param recordText whether to fill record_text (null otherwise)
     * @return one row per record: the columns as strings, then {@link #LINEAGE}
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, List<String> columns, boolean recordText) {
        return read(spark, files, columns, recordText, CsvTails.uncounted());
    }

    /**
     * Reads CSV files into string rows.
     *
     * @param spark the session
     * @param files CSV file paths (already listed and header-checked)
     * @param columns the contract's column names, in order
     * @param recordText whether to fill record_text (null otherwise)
     * @param tails counts the physical lines of each file's unparsed tail, as the files are read
     * @return one row per record: the columns as strings, then {@link #LINEAGE}
     */
    public static Dataset<Row> read(
            SparkSession spark, List<String> files, List<String> columns, boolean recordText, CsvTails tails) {
        List<StructField> fields = new ArrayList<>();
        for (String c : columns) {
            fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
        }
        for (String c : LINEAGE) {
            fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
        }
        StructType schema = new StructType(fields.toArray(new StructField[0]));
        if (files.isEmpty()) {
            return spark.createDataFrame(List.of(), schema);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> cols = List.copyOf(columns);
        JavaRDD<Row> rows = jsc.binaryFiles(String.join(",", files), Math.max(1, files.size()))
                .flatMap(file -> new RecordIterator(file._1(), file._2(), cols, recordText, tails));
        return spark.createDataFrame(rows, schema);
    }

    static CSVFormat format() {
        return CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true)
                .get();
    }

    static Reader reader(CompressionCodecFactory codecs, Path path, InputStream raw) throws IOException {
        CompressionCodec codec = codecs.getCodec(path);
        InputStream in = codec == null ? raw : codec.createInputStream(raw);
        return new java.io.InputStreamReader(
                BOMInputStream.builder().setInputStream(in).get(), StandardCharsets.UTF_8);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && e instanceof UncheckedIOException) {
            m = e.getCause().getMessage();
        }
        return m.lines().findFirst().orElse(m);
    }

    /** Streams one file's records as rows, closing the file at the end. Runs inside a task. */
    private static final class RecordIterator implements Iterator<Row> {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final String file;
        private final PortableDataStream stream;
        private final List<String> columns;
        private final boolean recordText;
        private final CsvTails tails;
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final List<String> header;
        /** Each contract column's index in the file's records (the parser's own header map), or -1. */
        private final int[] indexes;

        private long linesConsumed;
        private Row next;
        private boolean done;

        RecordIterator(
                String file, PortableDataStream stream, List<String> columns, boolean recordText, CsvTails tails) {
            this.file = file;
            this.stream = stream;
            this.columns = columns;
            this.recordText = recordText;
            this.tails = tails;
            try {
                Reader reader =
                        reader(new CompressionCodecFactory(new Configuration(false)), new Path(file), stream.open());
                this.parser = CSVParser.builder()
                        .setReader(reader)
                        .setFormat(format())
                        .get();
            } catch (IOException | UncheckedIOException e) {
                throw new UnreadableFileException(file, oneLine(e), e);
            }
            this.records = parser.iterator();
            this.header = parser.getHeaderNames();
            Map<String, Integer> headerMap = parser.getHeaderMap() == null ? Map.of() : parser.getHeaderMap();
            this.indexes = columns.stream()
                    .mapToInt(c -> headerMap.getOrDefault(c, -1))
                    .toArray();
            this.linesConsumed = parser.getCurrentLineNumber();
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = next;
            next = null;
            return r;
        }

        private Row advance() {
            try {
                if (!records.hasNext()) {
                    finish();
                    return null;
                }
                CSVRecord r = records.next();
                linesConsumed = parser.getCurrentLineNumber();
                return row(r);
            } catch (UncheckedIOException | IllegalStateException e) {
                finish();
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (e instanceof UncheckedIOException && !(cause instanceof CSVException)) {
                    throw new UnreadableFileException(file, oneLine(e), e);
                }
                return tail(cause.getMessage());
            }
        }

        private Row row(CSVRecord r) {
            Object[] values = new Object[columns.size() + LINEAGE.size()];
            // By index, as CSVRecord.isSet and get(name) find it, without two map lookups a field.
            for (int i = 0; i < columns.size(); i++) {
                int at = indexes[i];
                String v = at >= 0 && at < r.size() ? r.get(at) : null;
                values[i] = v == null || v.isEmpty() ? null : v;
            }
            int base = columns.size();
            values[base] = CSVFormat.RFC4180.format((Object[]) r.values());
            values[base + 1] = recordText ? recordText(r) : null;
            values[base + 2] = file;
            if (!r.isConsistent()) {
                values[base + 3] = MALFORMED;
                values[base + 4] = "record " + r.getRecordNumber() + " (line " + linesConsumed + ") has " + r.size()
                        + " fields where the header has " + header.size();
            }
            return RowFactory.create(values);
        }

        /** Every field by header name (extra fields as field_N), as a JSON object with sorted keys. */
        private String recordText(CSVRecord r) {
            Map<String, String> fields = new TreeMap<>();
            for (int i = 0; i < r.size(); i++) {
                fields.put(i < header.size() ? header.get(i) : "field_" + (i + 1), r.get(i));
            }
            try {
                return JSON.writeValueAsString(fields);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The rest of the file from the record that does not parse, as one quarantined row: read again from the
         * start, past the lines the parser consumed, its first characters kept, its physical lines counted.
         */
        private Row tail(String why) {
            Object[] values = new Object[columns.size() + LINEAGE.size()];
            int base = columns.size();
            Tail t = Tail.read(file, stream, linesConsumed);
            values[base] = t.text();
            values[base + 2] = file;
            values[base + 3] = MALFORMED;
            values[base + 4] =
                    "the file stops parsing at line " + (linesConsumed + 1) + " (byte offset " + t.byteOffset()
                            + " of the decompressed file): " + why + "; the rest of the file is this one record"
                            + (t.truncated() ? " (its first " + TAIL_CHARS + " characters kept)" : "") + "; "
                            + "physical lines in the unparsed rest: " + t.lines();
            tails.add(file, t.lines());
            return RowFactory.create(values);
        }

        private void finish() {
            done = true;
            try {
                parser.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The unparsed rest of a CSV file.
     *
     * @param text its first {@link #TAIL_CHARS} characters
     * @param truncated whether it is longer
     * @param byteOffset where it starts, in bytes of the decompressed file (a byte-order mark included)
     * @param lines its physical lines (a last line without a line break counts)
     */
    record Tail(String text, boolean truncated, long byteOffset, long lines) {

        static Tail read(String file, PortableDataStream stream, long skipLines) {
            CompressionCodecFactory codecs = new CompressionCodecFactory(new Configuration(false));
            try (InputStream raw = stream.open()) {
                CompressionCodec codec = codecs.getCodec(new Path(file));
                BOMInputStream in = BOMInputStream.builder()
                        .setInputStream(codec == null ? raw : codec.createInputStream(raw))
                        .get();
                long offset = in.hasBOM() ? in.getBOM().length() : 0;
                Reader reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                long skipped = 0;
                int c = reader.read();
                while (c != -1 && skipped < skipLines) {
                    offset += utf8Length(c);
                    if (c == '\n' || (c == '\r' && peekNotLf(reader))) {
                        skipped++;
                    }
                    c = reader.read();
                }
                StringBuilder text = new StringBuilder();
                long lines = 0;
                boolean open = false;
                for (; c != -1; c = reader.read()) {
                    if (text.length() < TAIL_CHARS) {
                        text.append((char) c);
                    }
                    open = true;
                    if (c == '\n' || (c == '\r' && peekNotLf(reader))) {
                        lines++;
                        open = false;
                    }
                }
                boolean truncated = text.length() >= TAIL_CHARS;
                return new Tail(text.toString(), truncated, offset, lines + (open ? 1 : 0));
            } catch (IOException e) {
                throw new UnreadableFileException(file, oneLine(e), e);
            }
        }

        /** After a CR: true when the next char is not LF (a lone CR ends a line); consumes nothing. */
        private static boolean peekNotLf(Reader reader) throws IOException {
            reader.mark(1);
            int n = reader.read();
            reader.reset();
            return n != '\n';
        }

        private static int utf8Length(int c) {
            return c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate((char) c) ? 2 : 3;
        }
    }
}
