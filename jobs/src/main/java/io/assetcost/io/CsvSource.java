package io.assetcost.io;

import io.assetcost.quality.QuarantineReason;
import io.assetcost.run.InputException;
import io.assetcost.schema.Cols;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
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
 * re-encoded per RFC 4180), {@code source_file}, and {@code parse_reason} / {@code parse_detail}, set when
 * the record has a different number of fields from the header or the file stops parsing (an unclosed
 * quote): those rows go to quarantine, so no record is lost silently.
 */
public final class CsvSource {

    /** Reason given to a CSV record that cannot be parsed. */
    private static final String MALFORMED = QuarantineReason.MALFORMED_RECORD.code();

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
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                throw new InputException(
                        option + " file " + file + " has no readable CSV header: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads CSV files into string rows.
     *
     * @param spark the session
     * @param files CSV file paths (already listed and header-checked)
     * @param columns the contract's column names, in order
     * @return one row per record: the columns as strings, then raw_record, source_file, parse_reason,
     *     parse_detail
     */
    public static Dataset<Row> read(SparkSession spark, List<String> files, List<String> columns) {
        List<StructField> fields = new ArrayList<>();
        for (String c : columns) {
            fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
        }
        for (String c : Cols.LINEAGE) {
            fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
        }
        StructType schema = new StructType(fields.toArray(new StructField[0]));
        if (files.isEmpty()) {
            return spark.createDataFrame(List.of(), schema);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> cols = List.copyOf(columns);
        JavaRDD<Row> rows = jsc.binaryFiles(String.join(",", files), Math.max(1, files.size()))
                .flatMap(file -> new RecordIterator(file._1(), file._2(), cols));
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

    /** Streams one file's records as rows, closing the file at the end. Runs inside a task. */
    private static final class RecordIterator implements Iterator<Row> {
        private final String file;
        private final List<String> columns;
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final int headerSize;
        private Row next;
        private boolean done;

        RecordIterator(String file, PortableDataStream stream, List<String> columns) throws IOException {
            this.file = file;
            this.columns = columns;
            Path path = new Path(file);
            Reader reader = reader(new CompressionCodecFactory(new Configuration(false)), path, stream.open());
            this.parser =
                    CSVParser.builder().setReader(reader).setFormat(format()).get();
            this.records = parser.iterator();
            this.headerSize = parser.getHeaderNames().size();
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
                Object[] values = new Object[columns.size() + 4];
                for (int i = 0; i < columns.size(); i++) {
                    String c = columns.get(i);
                    String v = r.isSet(c) ? r.get(c) : null;
                    values[i] = v == null || v.isEmpty() ? null : v;
                }
                int base = columns.size();
                values[base] = CSVFormat.RFC4180.format((Object[]) r.values());
                values[base + 1] = file;
                if (!r.isConsistent()) {
                    values[base + 2] = MALFORMED;
                    values[base + 3] = "record " + r.getRecordNumber() + " (line " + lineOf(r) + ") has " + r.size()
                            + " fields where the header has " + headerSize;
                }
                return RowFactory.create(values);
            } catch (UncheckedIOException | IllegalStateException e) {
                // The parser cannot go on (an unclosed quote, a character after a closing quote): report the
                // rest of the file as one quarantined record instead of failing the run or losing it silently.
                finish();
                Object[] values = new Object[columns.size() + 4];
                int base = columns.size();
                values[base + 1] = file;
                values[base + 2] = MALFORMED;
                values[base + 3] = "the file stops parsing after line " + parser.getCurrentLineNumber() + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                return RowFactory.create(values);
            }
        }

        private long lineOf(CSVRecord r) {
            return parser.getCurrentLineNumber();
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
}
