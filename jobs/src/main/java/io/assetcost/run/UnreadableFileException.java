package io.assetcost.run;

import java.util.Map;
import org.apache.spark.SparkThrowable;

/**
 * A file of an input that cannot be read at all: not in the format its name says (a {@code .parquet} file
 * that is not Parquet, a {@code .gz} file that is not gzip), truncated (a gzip stream that ends early), or
 * unreadable from its file system. Thrown by the readers, on the driver or inside a Spark task (it is
 * serializable, so it reaches the driver as the cause of Spark's failure); the cost job then stops with exit
 * 2 naming the file, or with {@code --on-unreadable-file quarantine} leaves the file out and lists it in
 * quarantine (README, "Unreadable files").
 */
public class UnreadableFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String reason;

    /**
     * @param file the file's path
     * @param reason what is wrong with it, one line
     * @param cause the underlying failure, or null
     */
    public UnreadableFileException(String file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    /** The file's path. */
    public String file() {
        return file;
    }

    /** What is wrong with it, one line. */
    public String reason() {
        return reason;
    }

    /**
     * The unreadable file a failure is about, if it is about one: an {@code UnreadableFileException} in its
     * cause chain, or Spark's own {@code FAILED_READ_FILE} error (which names the path).
     *
     * @param failure any failure of a read or of a Spark job
     * @return the unreadable file, or null when the failure is of another kind
     */
    public static UnreadableFileException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnreadableFileException u) {
                return u;
            }
            if (t instanceof SparkThrowable s
                    && s.getCondition() != null
                    && s.getCondition().startsWith("FAILED_READ_FILE")) {
                Map<String, String> p = s.getMessageParameters();
                String path = p == null ? null : p.get("path");
                if (path != null) {
                    return new UnreadableFileException(unquote(path), rootMessage(t), t);
                }
            }
        }
        return null;
    }

    private static String unquote(String path) {
        return path.length() > 1 && path.startsWith("`") && path.endsWith("`")
                ? path.substring(1, path.length() - 1)
                : path;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
