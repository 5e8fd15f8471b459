package io.assetcost.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.assetcost.run.InputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Tells the exports of other tools apart from the job's own shapes by content, where that is certain
 * ({@code --usage-format auto}, README "Usage formats"). It reads the first non-blank line of the first and
 * last file of each kind and looks for keys that only one format writes:
 *
 * <ul>
 *   <li>a JSON object with {@code custom_id} and an input line's {@code method} or {@code url}, or an output
 *       line's {@code id} with {@code response} or {@code error}: an OpenAI Batch line
 *       ({@code BatchRequestInput}, {@code BatchRequestOutput} in OpenAI's openapi.yaml); or with
 *       {@code "object": "batch"}: the Batch object beside them;
 *   <li>a JSON object, or a CSV header, with both {@code call_type} and {@code spend}: a LiteLLM spend-log row
 *       ({@code LiteLLM_SpendLogs} in litellm's schema.prisma);
 *   <li>a JSON object with {@code trace_id} and {@code type}: a Langfuse observation (its blob-storage export);
 *   <li>any other JSON object, a CSV header without those columns, a Parquet file: the job's own usage log or
 *       export, read by extension;
 *   <li>a line that is not a JSON object (the first line of a pretty-printed document): nothing certain, the
 *       file is not counted either way.
 * </ul>
 *
 * <p>Files in a {@code scores/} or {@code traces/} folder (a Langfuse export's other tables) are not sampled.
 * None of these keys is in the job's own contracts ({@code schemas/usage_log.avsc},
 * {@code schemas/usage_export.avsc}). Files that point at different formats are refused: the operator names
 * the format.
 */
public final class UsageFormatDetector {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters of a first line read at most: a header or one record, never a whole file. */
    private static final int MAX_LINE = 1 << 20;

    private UsageFormatDetector() {}

    /**
     * The format of a listing, for {@code --usage-format auto}.
     *
     * @param conf Hadoop configuration
     * @param files the listing per kind ({@link InputFiles#list})
     * @return {@link UsageFormat#AUTO} when the files are the job's own shapes, else the one export they are
     * @throws InputException when the sampled files point at more than one format (the message names two files
     *     and says to give {@code --usage-format})
     */
    public static UsageFormat detect(Configuration conf, Map<InputFiles.Kind, List<String>> files) {
        Set<String> sampled = new LinkedHashSet<>();
        for (List<String> all : files.values()) {
            List<String> ofKind = all.stream()
                    .filter(f -> !LangfuseUsage.inFolder(f, "scores") && !LangfuseUsage.inFolder(f, "traces"))
                    .toList();
            if (!ofKind.isEmpty()) {
                sampled.add(ofKind.get(0));
                sampled.add(ofKind.get(ofKind.size() - 1));
            }
        }
        UsageFormat found = null;
        String foundIn = null;
        for (String file : sampled) {
            UsageFormat f = ofFile(conf, file);
            if (f == null) {
                continue;
            }
            if (found == null) {
                found = f;
                foundIn = file;
            } else if (found != f) {
                throw new InputException("--usage holds files of two formats (" + foundIn + " looks like "
                        + found.code() + ", " + file + " like " + f.code() + "): give --usage-format, and one"
                        + " format per --usage path");
            }
        }
        return found == null ? UsageFormat.AUTO : found;
    }

    /**
     * The format a file's first non-blank line points at: an export's, {@link UsageFormat#AUTO} for a record
     * of the job's own shapes (a JSON object with none of the exports' keys, a CSV header without LiteLLM's
     * columns, any Parquet file), or null when the line says nothing certain (empty, not JSON, the first line
     * of a pretty-printed document).
     */
    static UsageFormat ofFile(Configuration conf, String file) {
        InputFiles.Kind kind = InputFiles.kindOf(file);
        if (kind == InputFiles.Kind.PARQUET) {
            return UsageFormat.AUTO;
        }
        String line = firstLine(conf, file);
        if (line == null) {
            return null;
        }
        return kind == InputFiles.Kind.CSV ? ofHeader(line) : ofJson(line);
    }

    /** The format a CSV header names: LiteLLM's table, else the job's own export ({@link UsageFormat#AUTO}). */
    static UsageFormat ofHeader(String header) {
        List<String> names = new ArrayList<>();
        for (String n : header.split(",", -1)) {
            names.add(n.replace("\"", "").replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT));
        }
        return names.contains("call_type") && names.contains("spend") ? UsageFormat.LITELLM : UsageFormat.AUTO;
    }

    /**
     * The format a JSON line's keys point at: an export's, {@link UsageFormat#AUTO} for an object with none of
     * their keys, null when the line is not a JSON object (nor an array that starts with one).
     */
    static UsageFormat ofJson(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        if (node != null && node.isArray() && !node.isEmpty()) {
            node = node.get(0);
        }
        if (node == null || !node.isObject()) {
            return null;
        }
        boolean batchInput = node.has("method") || node.has("url");
        boolean batchOutput = node.has("id") && (node.has("response") || node.has("error"));
        if ((node.has("custom_id") && (batchInput || batchOutput))
                || "batch".equals(node.path("object").asText(null))) {
            return UsageFormat.BATCH;
        }
        if (node.has("call_type") && node.has("spend")) {
            return UsageFormat.LITELLM;
        }
        if (node.has("trace_id") && node.has("type")) {
            return UsageFormat.LANGFUSE;
        }
        return UsageFormat.AUTO;
    }

    private static String firstLine(Configuration conf, String file) {
        Path path = new Path(file);
        try {
            FileSystem fs = path.getFileSystem(conf);
            CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
            try (InputStream raw = fs.open(path);
                    InputStream in = codec == null ? raw : codec.createInputStream(raw);
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = r.read()) != -1 && line.length() < MAX_LINE) {
                    if (c == '\n') {
                        if (!line.toString().isBlank()) {
                            return line.toString();
                        }
                        line.setLength(0);
                    } else {
                        line.append((char) c);
                    }
                }
                return line.toString().isBlank() ? null : line.toString();
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable file is the readers' to report (FileGuard); it points at no format here.
            return null;
        }
    }
}
