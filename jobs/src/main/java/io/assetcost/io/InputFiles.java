package io.assetcost.io;

import io.assetcost.run.InputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Lists the files behind an input option and tells their kind by extension (a compression suffix such
 * as {@code .gz} is looked through). A path may be a file or a directory, read recursively; names
 * starting with {@code _} or {@code .} ({@code _SUCCESS}, {@code .crc}) are skipped, as Spark does.
 * Works on any Hadoop file system (local, HDFS, S3A).
 */
public final class InputFiles {

    /** File kinds the job reads. */
    public enum Kind {
        /** Nested usage log, JSON Lines: {@code .jsonl}, {@code .ndjson}, {@code .json}. */
        JSON_LINES,
        /** Flat CSV with a header: {@code .csv}. */
        CSV,
        /** Flat Parquet: {@code .parquet}. */
        PARQUET
    }

    private InputFiles() {}

    /**
     * Lists and classifies the files of an input that must hold at least one ({@link #list(Configuration,
     * String, String, List, boolean)} without {@code emptyAllowed}).
     *
     * @throws InputException when the path does not exist, holds no input file, or holds a file of
     *     another kind; the message names the path and the accepted extensions
     */
    public static Map<Kind, List<String>> list(Configuration conf, String option, String location, List<Kind> allowed) {
        return list(conf, option, location, allowed, false);
    }

    /**
     * Lists and classifies the files of an input that may be an empty directory (the cost job's usage: an
     * empty directory is an empty night, README "Exit codes").
     *
     * @param conf Hadoop configuration (the session's)
     * @param option the option name, for messages (e.g. {@code --usage})
     * @param location a file or directory
     * @param allowed the kinds this input may hold
     * @param emptyAllowed whether a directory without input files gives an empty listing rather than an error
     * @return file paths (fully qualified, sorted) per kind; empty only when {@code emptyAllowed}
     * @throws InputException when the path does not exist, holds a file of another kind, or (unless
     *     {@code emptyAllowed}) holds no input file; the message names the path and the accepted extensions
     */
    public static Map<Kind, List<String>> list(
            Configuration conf, String option, String location, List<Kind> allowed, boolean emptyAllowed) {
        Path root = new Path(location);
        List<String> files = new ArrayList<>();
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new InputException(option + " " + location + " does not exist");
            }
            FileStatus status = fs.getFileStatus(root);
            if (status.isFile()) {
                files.add(status.getPath().toString());
            } else {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    if (!hidden(root, f.getPath())) {
                        files.add(f.getPath().toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException(option + " " + location + " cannot be read: " + e.getMessage(), e);
        }
        if (files.isEmpty() && !emptyAllowed) {
            throw new InputException(option + " " + location + " holds no input files");
        }
        files.sort(null);
        CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
        Map<Kind, List<String>> byKind = new EnumMap<>(Kind.class);
        for (String file : files) {
            if (file.contains(",")) {
                throw new InputException(option + " file " + file + " has a comma in its path; rename it");
            }
            Kind kind = kindOf(codecs, file);
            if (kind == null || !allowed.contains(kind)) {
                throw new InputException(
                        option + " file " + file + " is not an accepted kind; expected " + extensions(allowed));
            }
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(file);
        }
        return byKind;
    }

    /**
     * Keeps, of inputs laid out by day ({@code .../date=YYYY-MM-DD/...}), only the days a run needs (see
     * {@link io.assetcost.ops.RunWindow#reads}); files outside such folders are always kept.
     *
     * @param files files per kind
     * @param window the run's window
     * @return the files to read, per kind (a kind left without files is dropped)
     */
    public static Map<Kind, List<String>> forWindow(Map<Kind, List<String>> files, io.assetcost.ops.RunWindow window) {
        Map<Kind, List<String>> out = new EnumMap<>(Kind.class);
        java.util.regex.Pattern day = java.util.regex.Pattern.compile("/date=(\\d{4}-\\d{2}-\\d{2})/");
        for (Map.Entry<Kind, List<String>> e : files.entrySet()) {
            List<String> kept = new ArrayList<>();
            for (String f : e.getValue()) {
                java.util.regex.Matcher m = day.matcher(f);
                if (!m.find() || window.reads(java.time.LocalDate.parse(m.group(1)))) {
                    kept.add(f);
                }
            }
            if (!kept.isEmpty()) {
                out.put(e.getKey(), kept);
            }
        }
        return out;
    }

    /**
     * The files of a listing that are in a given list, per kind (a kind left without files is dropped).
     *
     * @param files files per kind
     * @param keep the files to keep
     * @return the kept files per kind
     */
    public static Map<Kind, List<String>> only(Map<Kind, List<String>> files, List<String> keep) {
        Map<Kind, List<String>> out = new EnumMap<>(Kind.class);
        for (Map.Entry<Kind, List<String>> e : files.entrySet()) {
            List<String> kept = e.getValue().stream().filter(keep::contains).toList();
            if (!kept.isEmpty()) {
                out.put(e.getKey(), kept);
            }
        }
        return out;
    }

    private static boolean hidden(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root) && p.getParent() != null; p = p.getParent()) {
            String name = p.getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A file's kind, the one rule every reader uses: its name, lower-cased, after a compression suffix that
     * Hadoop's codecs know ({@code .gz}, {@code .bz2}, {@code .zst}, ...) is removed, ends in {@code .jsonl},
     * {@code .ndjson} or {@code .json} (JSON Lines), {@code .csv} or {@code .parquet}.
     *
     * @param file a path or file name
     * @return its kind, or null when it is none of them
     */
    public static Kind kindOf(String file) {
        return kindOf(DEFAULT_CODECS, file);
    }

    /**
     * Whether a JSON file holds one JSON document per line ({@code .jsonl}, {@code .ndjson}, compressed or
     * not, any case) rather than one document in the whole file ({@code .json}).
     *
     * @param file a path or file name
     * @return true for one document per line
     */
    public static boolean oneDocumentPerLine(String file) {
        String name = uncompressedName(DEFAULT_CODECS, file);
        return name.endsWith(".jsonl") || name.endsWith(".ndjson");
    }

    /**
     * {@link #kindOf(String)} as a Spark column, for rows that carry their file's path (source_file).
     *
     * @param file a string column holding a path
     * @return the {@link Kind}'s name, or null
     */
    public static Column kindOf(Column file) {
        return KIND_UDF.apply(file);
    }

    /** Hadoop's default codecs (the ones a plain Configuration lists), shared: the factory is immutable. */
    private static final CompressionCodecFactory DEFAULT_CODECS = new CompressionCodecFactory(new Configuration());

    private static final UserDefinedFunction KIND_UDF = functions
            .udf(
                    (UDF1<String, String>) f -> {
                        Kind k = f == null ? null : kindOf(f);
                        return k == null ? null : k.name();
                    },
                    DataTypes.StringType)
            .withName("assetcost_file_kind");

    private static Kind kindOf(CompressionCodecFactory codecs, String file) {
        String lower = uncompressedName(codecs, file);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
            return Kind.JSON_LINES;
        }
        if (lower.endsWith(".csv")) {
            return Kind.CSV;
        }
        if (lower.endsWith(".parquet")) {
            return Kind.PARQUET;
        }
        return null;
    }

    /**
     * A file's name, lower-cased, without the suffix of a compression codec Hadoop knows. The codec's suffix
     * is matched as Hadoop matches it (case-sensitive), since Spark decompresses only what Hadoop's codecs
     * recognise: {@code usage.JSONL.gz} is JSON Lines, {@code usage.jsonl.GZ} is no kind the job reads.
     */
    private static String uncompressedName(CompressionCodecFactory codecs, String file) {
        Path path = new Path(file);
        String name = path.getName();
        var codec = codecs.getCodec(path);
        if (codec != null) {
            name = CompressionCodecFactory.removeSuffix(name, codec.getDefaultExtension());
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static String extensions(List<Kind> kinds) {
        List<String> out = new ArrayList<>();
        for (Kind k : kinds) {
            out.add(
                    switch (k) {
                        case JSON_LINES -> ".jsonl/.ndjson/.json (usage log)";
                        case CSV -> ".csv";
                        case PARQUET -> ".parquet";
                    });
        }
        return String.join(", ", out) + " (optionally compressed, e.g. .gz)";
    }
}
