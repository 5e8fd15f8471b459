package io.assetcost.docs;

import io.assetcost.SparkTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's generated blocks: text between {@code <!-- generated: NAME -->} and {@code <!-- end: NAME -->}
 * that a test holds equal to what the code says (the quarantine reasons, the command line). A test run with
 * {@code -Dassetcost.readme.update=true} rewrites each block from the code instead of failing, so the README
 * is regenerated from the values themselves and never from a captured console, whose log lines once leaked
 * into it.
 */
public final class ReadmeBlocks {

    /** The system property that makes {@link #check} rewrite a block instead of comparing it. */
    public static final String UPDATE = "assetcost.readme.update";

    private ReadmeBlocks() {}

    /** The README of the repository the tests run in. */
    public static Path readme() {
        return SparkTestBase.repoRoot().resolve("README.md");
    }

    /**
     * The block named {@code name}, without its marker lines, ending with a newline.
     *
     * @throws IllegalStateException when the README has no such block or has it twice
     */
    public static String block(String readme, String name) {
        Matcher m = pattern(name).matcher(readme);
        if (!m.find()) {
            throw new IllegalStateException("README.md has no block <!-- generated: " + name + " -->");
        }
        String body = m.group(2);
        if (m.find()) {
            throw new IllegalStateException("README.md has the block " + name + " twice");
        }
        return body;
    }

    /**
     * The section under the heading line {@code heading} (for example {@code "### Quarantine reasons"}), up to
     * the next heading of any level, without the heading line.
     *
     * @throws IllegalStateException when the README has no such heading
     */
    public static String section(String readme, String heading) {
        List<String> lines = readme.lines().toList();
        int start = lines.indexOf(heading);
        if (start < 0) {
            throw new IllegalStateException("README.md has no heading " + heading);
        }
        StringBuilder b = new StringBuilder();
        boolean fenced = false;
        for (String line : lines.subList(start + 1, lines.size())) {
            fenced ^= line.startsWith("```");
            if (!fenced && line.startsWith("#")) {
                break;
            }
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /**
     * With {@link #UPDATE} set, rewrites block {@code name} of the README to {@code expected}; either way
     * returns the README's text afterwards, for the caller to compare.
     *
     * @throws IOException when the README cannot be read or written
     */
    public static String readAndMaybeUpdate(String name, String expected) throws IOException {
        Path path = readme();
        String text = Files.readString(path, StandardCharsets.UTF_8);
        if (Boolean.getBoolean(UPDATE)) {
            block(text, name);
            Matcher m = pattern(name).matcher(text);
            m.find();
            text = text.substring(0, m.start(2)) + expected + text.substring(m.end(2));
            Files.writeString(path, text, StandardCharsets.UTF_8);
        }
        return text;
    }

    private static Pattern pattern(String name) {
        return Pattern.compile(
                "(<!-- generated: " + Pattern.quote(name) + "\\b[^\\n]*-->\\n)(.*?)<!-- end: " + Pattern.quote(name)
                        + " -->",
                Pattern.DOTALL);
    }
}
