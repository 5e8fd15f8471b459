package io.assetcost.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.assetcost.run.LockedException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on an output directory: the file {@code DIR/_lock} ({@link OutputLayout#lock}), created only if
 * absent, holding the holder's host, pid, run id and start time. While the run lives, a daemon thread refreshes the
 * file's modification time every {@link #HEARTBEAT}. A lock whose holder is dead is taken over: on the same host when
 * its pid no longer runs, on any host when its heartbeat is older than the stale limit. Closing the lock deletes the
 * file.
 *
 * <p>How "only if absent" holds depends on the file system (README, "One run at a time"): on HDFS and local file
 * systems the create is atomic. On an object store, a file system that offers conditional creates ({@link
 * #CONDITIONAL_CREATE}: s3a in hadoop-aws 3.5.0 sends {@code If-None-Match: *}) gets one, atomic where the store
 * honours that header (Amazon S3 does); elsewhere the create is a check and then a write, and two runs starting within
 * that moment could both write. Every create is therefore read back, and the lock is taken only when the file holds
 * this run's id: of two such runs, one that reads after the other's write backs off. Object stores keep no settable
 * modification time ({@code setTimes} does nothing on s3a), so there the heartbeat rewrites the file instead.
 */
public final class OutputLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);
    /**
     * The {@code createFile} option of a create that succeeds only where nothing is (Hadoop's
     * {@code Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE}), and the path capability of a file
     * system that offers it.
     */
    public static final String CONDITIONAL_CREATE = "fs.option.create.conditional.overwrite";
    /** How often a live holder refreshes the lock. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(20);

    private final FileSystem fs;
    private final Path path;
    private final ScheduledExecutorService heartbeat;
    private final TakenOver takenOver;
    private final byte[] content;

    /**
     * A run whose lock this run took over: it died without releasing it (killed, its machine lost), so it left
     * no summary of its own. Written by Jackson as the first keys of a summary's {@code lock_taken_over}
     * ({@link LockTakenOver}): each component's name in snake_case, the heartbeat as an ISO-8601 instant.
     *
     * @param runId the dead run's id ({@code ?} when its lock file could not be read)
     * @param host its host
     * @param pid its process id
     * @param startedAt when it started (UTC, as it wrote it)
     * @param lastHeartbeat its lock's last refresh (UTC)
     * @param why why it was judged dead ({@code its process is gone}, {@code no heartbeat for 400 s})
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TakenOver(
            String runId,
            String host,
            long pid,
            String startedAt,
            @JsonSerialize(using = ToStringSerializer.class) Instant lastHeartbeat,
            String why) {}

    private OutputLock(FileSystem fs, Path path, TakenOver takenOver, byte[] content) {
        this.fs = fs;
        this.path = path;
        this.takenOver = takenOver;
        this.content = content;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "assetcost-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(
                () -> touch(System.currentTimeMillis()),
                HEARTBEAT.toSeconds(),
                HEARTBEAT.toSeconds(),
                TimeUnit.SECONDS);
    }

    /**
     * Takes the lock.
     *
     * @param conf Hadoop configuration
     * @param out the output directory ({@link OutputLayout#lock} is the lock file)
     * @param runId this run's id
     * @param stale a holder silent for longer than this is dead
     * @return the lock, to close when the run ends
     * @throws LockedException when a live run holds it
     */
    public static OutputLock acquire(Configuration conf, OutputLayout out, String runId, Duration stale) {
        Path path = out.lock();
        try {
            FileSystem fs = path.getFileSystem(conf);
            fs.mkdirs(path.getParent());
            TakenOver takenOver = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                byte[] content = content(runId);
                if (tryCreate(fs, path, runId, content)) {
                    return new OutputLock(fs, path, takenOver, content);
                }
                Holder holder = read(fs, path);
                if (holder == null) {
                    continue;
                }
                String dead = holder.deadReason(stale);
                if (dead == null) {
                    throw new LockedException("output " + out.root() + " is locked by run " + holder.runId + " (host "
                            + holder.host + ", pid " + holder.pid + ", started " + holder.startedAt
                            + "); wait for it, or remove "
                            + path + " if that run is gone");
                }
                LOG.warn(
                        "taking over the lock of run {} on {} (pid {}): {}",
                        holder.runId,
                        holder.host,
                        holder.pid,
                        dead);
                takenOver =
                        new TakenOver(holder.runId, holder.host, holder.pid, holder.startedAt, holder.heartbeat, dead);
                fs.delete(path, false);
            }
            throw new LockedException("output " + out.root() + " lock " + path + " keeps changing hands; try again");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lock " + path, e);
        }
    }

    private static byte[] content(String runId) throws IOException {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("run_id", runId);
        me.put("host", host());
        me.put("pid", ProcessHandle.current().pid());
        me.put("started_at", Instant.now().toString());
        return new ObjectMapper().writeValueAsBytes(me);
    }

    /** Creates the lock file where none is; true when this run holds it (read back: see the class comment). */
    private static boolean tryCreate(FileSystem fs, Path path, String runId, byte[] content) throws IOException {
        try (OutputStream os = createIfAbsent(fs, path)) {
            os.write(content);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            // s3a reports a failed conditional create (HTTP 412) when the stream closes, as another IOException.
            if (fs.exists(path)) {
                return false;
            }
            throw e;
        }
        Holder holder = read(fs, path);
        return holder != null && runId.equals(holder.runId);
    }

    /**
     * A create that fails when the file exists: a conditional create where the file system offers one (checked at
     * the close on s3a), else {@code create(path, false)}. A conditional create skips s3a's own existence check, so
     * one is made first: a store that ignores the condition (S3Proxy) then still refuses an existing lock.
     */
    static OutputStream createIfAbsent(FileSystem fs, Path path) throws IOException {
        if (fs.hasPathCapability(path, CONDITIONAL_CREATE)) {
            if (fs.exists(path)) {
                throw new org.apache.hadoop.fs.FileAlreadyExistsException(path.toString());
            }
            // createFile's builder is a raw type: its build() is typed Object.
            return (OutputStream) fs.createFile(path)
                    .overwrite(false)
                    .must(CONDITIONAL_CREATE, true)
                    .build();
        }
        return fs.create(path, false);
    }

    private record Holder(String runId, String host, long pid, String startedAt, Instant heartbeat) {
        String deadReason(Duration stale) {
            if (host.equals(host())
                    && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return "its process is gone";
            }
            Duration silent = Duration.between(heartbeat, Instant.now());
            if (silent.compareTo(stale) > 0) {
                return "no heartbeat for " + silent.toSeconds() + " s";
            }
            return null;
        }
    }

    private static Holder read(FileSystem fs, Path path) throws IOException {
        try {
            FileStatus st = fs.getFileStatus(path);
            JsonNode n;
            try (var in = fs.open(path)) {
                n = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return new Holder(
                    n.path("run_id").asText("?"),
                    n.path("host").asText("?"),
                    n.path("pid").asLong(-1),
                    n.path("started_at").asText("?"),
                    Instant.ofEpochMilli(st.getModificationTime()));
        } catch (java.io.FileNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // A lock being written right now; treat it as held with a fresh heartbeat.
            return new Holder("?", "?", -1, "?", Instant.now());
        }
    }

    /** One heartbeat at {@code now} (UTC epoch milliseconds). */
    void touch(long now) {
        try {
            fs.setTimes(path, now, -1);
            if (fs.getFileStatus(path).getModificationTime() < now - HEARTBEAT.toMillis() / 2) {
                rewrite();
            }
        } catch (IOException e) {
            LOG.warn("cannot refresh the lock {}: {}", path, e.getMessage());
        }
    }

    /**
     * Refreshes the lock on a file system that keeps no settable modification time (an object store) by writing it
     * again, while it still holds this run's id.
     */
    private void rewrite() throws IOException {
        Holder holder = read(fs, path);
        String mine = new ObjectMapper().readTree(content).path("run_id").asText();
        if (holder == null || !mine.equals(holder.runId)) {
            LOG.warn("the lock {} no longer holds this run ({}); not refreshing it", path, mine);
            return;
        }
        try (OutputStream os = fs.create(path, true)) {
            os.write(content);
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** The run whose lock this run took over, or null when the lock was free. */
    public TakenOver takenOver() {
        return takenOver;
    }

    /** Releases the lock (deletes the file). */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            LOG.warn("cannot remove the lock {}: {}", path, e.getMessage());
        }
    }
}
