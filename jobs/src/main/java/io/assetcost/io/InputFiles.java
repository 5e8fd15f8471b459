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
     * Lists and classifies the files of an input.
     *
     * @param conf Hadoop configuration (the session's)
     * @param option the option name, for messages (e.g. {@code --usage})
     * @param location a file or directory
     * @param allowed the kinds this input may hold
     * @return file paths (fully qualified, sorted) per kind
     * @throws InputException when the path does not exist, holds no input file, or holds a file of
     *     another kind; the message names the path and the accepted extensions
     */
    public static Map<Kind, List<String>> list(Configuration conf, String option, String location, List<Kind> allowed) {
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
        if (files.isEmpty()) {
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

    private static Kind kindOf(CompressionCodecFactory codecs, String file) {
        String name = new Path(file).getName();
        var codec = codecs.getCodec(new Path(file));
        if (codec != null) {
            name = CompressionCodecFactory.removeSuffix(name, codec.getDefaultExtension());
        }
        String lower = name.toLowerCase(Locale.ROOT);
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
