package io.assetcost.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one run, one file per run, named by job and run id ({@code <job>-<run id>.log}): every line
 * the driver logs while the run lives, stack traces included, whatever else the logging configuration does.
 * It is written first to a local directory ({@code -Dassetcost.log.dir}, else {@code java.io.tmpdir}), where
 * it stays, and when the run ends it is copied beside the run's record in the output directory
 * ({@code DIR/_runs/}, any Hadoop file system), so that a scheduler that keeps only the output still has
 * the stack trace of a run that failed. A later job never overwrites it.
 *
 * <p>Spark logs through Log4j 2; where another logging back end is bound (no Log4j core), the run has no
 * log file of its own and says so once at WARN.
 */
public final class RunLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunLog.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** System property: the local directory of the run logs. */
    public static final String DIR_PROPERTY = "assetcost.log.dir";

    private final String runId;
    private final java.nio.file.Path file;
    private final FileAppender appender;

    private RunLog(String runId, java.nio.file.Path file, FileAppender appender) {
        this.runId = runId;
        this.file = file;
        this.appender = appender;
    }

    /** A new run id: the start time (UTC, to the second) and this process's id, {@code 20261117T020000Z-4242}. */
    public static String newRunId(Instant started) {
        return STAMP.format(started) + "-" + ProcessHandle.current().pid();
    }

    /**
     * Starts the run's log: a file appender on the root logger, at the levels the loggers already have.
     *
     * @param job the job's name ({@code assetcost}, {@code assetcost-reconcile}, ...)
     * @param runId the run's id ({@link #newRunId})
     * @return the log, to close when the run ends
     */
    public static RunLog start(String job, String runId) {
        String dir = System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir"));
        java.nio.file.Path file = java.nio.file.Path.of(dir, fileName(job, runId));
        FileAppender appender = null;
        try {
            Files.createDirectories(file.getParent());
            if (LogManager.getContext(false) instanceof LoggerContext ctx) {
                appender = FileAppender.newBuilder()
                        .setName("assetcost-run-" + runId)
                        .withFileName(file.toString())
                        .withAppend(true)
                        .setLayout(PatternLayout.newBuilder()
                                .withPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}{UTC} %p %c{1}: %m%n")
                                .build())
                        .build();
                appender.start();
                ctx.getConfiguration().addAppender(appender);
                ctx.getRootLogger().addAppender(appender);
            } else {
                LOG.warn("no Log4j 2 core bound: run {} keeps no log file of its own", runId);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warn("run {} keeps no log file of its own: {}", runId, e.toString());
            appender = null;
        }
        return new RunLog(runId, file, appender);
    }

    /** The file name of a run's log, {@code <job>-<run id>.log}. */
    public static String fileName(String job, String runId) {
        return job + "-" + runId + ".log";
    }

    /** The run's id. */
    public String runId() {
        return runId;
    }

    /** The local file (written while the run lives; null when the run keeps no log file). */
    public java.nio.file.Path localFile() {
        return appender == null ? null : file;
    }

    /**
     * Copies the log as written so far to a directory (the run's {@code _runs/}), replacing an older copy.
     * A failure to copy is logged, never thrown: the run's outcome does not depend on its log.
     *
     * @param conf Hadoop configuration
     * @param dir the directory, on any Hadoop file system
     */
    public void copyTo(Configuration conf, Path dir) {
        if (appender == null || !Files.exists(file)) {
            return;
        }
        Path target = new Path(dir, file.getFileName().toString());
        try {
            FileSystem fs = target.getFileSystem(conf);
            fs.mkdirs(dir);
            try (InputStream in = Files.newInputStream(file);
                    OutputStream os = fs.create(target, true)) {
                in.transferTo(os);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot copy the run's log {} to {}: {}", file, target, e.toString());
        }
    }

    /** Detaches the appender and closes the file. */
    @Override
    public void close() {
        if (appender == null) {
            return;
        }
        if (LogManager.getContext(false) instanceof LoggerContext ctx) {
            ctx.getRootLogger().removeAppender(appender);
            ctx.getConfiguration().getAppenders().remove(appender.getName());
        }
        appender.stop();
    }
}
