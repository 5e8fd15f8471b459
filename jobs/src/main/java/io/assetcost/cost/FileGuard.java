package io.assetcost.cost;

import io.assetcost.run.InputException;
import io.assetcost.run.UnreadableFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cost job does with a file it cannot read at all ({@link UnreadableFileException}), per
 * {@code --on-unreadable-file}: {@code fail} (the default) stops the run with exit 2 and one line naming the
 * file, before anything is written; {@code quarantine} leaves the file out, runs the step again without it,
 * and remembers it for the quarantine table and the run summary (the run then exits 3).
 *
 * <p>Files are not read twice to look for trouble ahead: a step runs on all of them, and only when it
 * fails on one is that file taken out. A night without bad files pays nothing for this.
 */
final class FileGuard {

    private static final Logger LOG = LoggerFactory.getLogger(FileGuard.class);

    /** A file left out, with the input option it belongs to ({@code --usage}, {@code --acceptance}). */
    record Unreadable(String option, String file, String reason) {}

    private final boolean quarantine;
    private final Map<String, Unreadable> unreadable = new LinkedHashMap<>();

    /**
     * @param quarantine true for {@code --on-unreadable-file quarantine}
     */
    FileGuard(boolean quarantine) {
        this.quarantine = quarantine;
    }

    /**
     * Runs a step over an input's files, taking out each file that turns out unreadable.
     *
     * @param option the input's option, for messages
     * @param files the input's files
     * @param step the step, given the files still in play
     * @param <T> what the step returns
     * @return the step's result over the readable files
     * @throws InputException in fail mode, naming the first unreadable file and what to do
     */
    <T> T run(String option, List<String> files, Function<List<String>, T> step) {
        List<String> remaining = new ArrayList<>(files);
        while (true) {
            try {
                return step.apply(List.copyOf(remaining));
            } catch (Exception e) { // also Spark's own checked exceptions, thrown undeclared by Dataset actions
                RuntimeException rethrow = leaveOut(option, remaining, e);
                if (rethrow != null) {
                    throw rethrow;
                }
            }
        }
    }

    /**
     * Takes the failure's file out of {@code remaining} and returns null, or returns what to throw: the
     * failure itself when it is not about one of these files, the one-line input error in fail mode.
     */
    private RuntimeException leaveOut(String option, List<String> remaining, Exception e) {
        UnreadableFileException u = UnreadableFileException.find(e);
        String file = u == null ? null : match(u.file(), remaining);
        if (file == null) {
            return e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        if (!quarantine) {
            return new InputException(
                    option + " file " + file + " cannot be read (" + u.reason()
                            + "); fix or remove it, or run with --on-unreadable-file quarantine",
                    e);
        }
        LOG.warn("{} file {} cannot be read ({}): left out and listed in quarantine", option, file, u.reason());
        unreadable.put(file, new Unreadable(option, file, u.reason()));
        remaining.remove(file);
        return null;
    }

    /** The listed file a failure names (Spark may qualify or encode the path differently). */
    private static String match(String failed, List<String> files) {
        for (String f : files) {
            if (f.equals(failed) || f.endsWith(stripScheme(failed)) || failed.endsWith(stripScheme(f))) {
                return f;
            }
        }
        return null;
    }

    private static String stripScheme(String path) {
        return path.replaceFirst("^[a-z][a-z0-9+.-]*:(//[^/]*)?", "");
    }

    /** The files left out so far, in the order found. */
    List<Unreadable> unreadable() {
        return List.copyOf(unreadable.values());
    }
}
