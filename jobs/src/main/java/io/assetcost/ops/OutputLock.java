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
 * absent (an atomic create on HDFS and local file systems), holding the holder's host, pid, run id and start time.
 * While the run lives, a daemon thread touches the file every {@link #HEARTBEAT}. A lock whose holder is dead is taken
 * over: on the same host when its pid no longer runs, on any host when its heartbeat is older than the stale limit.
 * Closing the lock deletes the file.
 */
public final class OutputLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);
    /** How often a live holder refreshes the lock. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(20);

    private final FileSystem fs;
    private final Path path;
    private final ScheduledExecutorService heartbeat;
    private final TakenOver takenOver;

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

    private OutputLock(FileSystem fs, Path path, TakenOver takenOver) {
        this.fs = fs;
        this.path = path;
        this.takenOver = takenOver;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "assetcost-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::touch, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
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
                if (tryCreate(fs, path, runId)) {
                    return new OutputLock(fs, path, takenOver);
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

    private static boolean tryCreate(FileSystem fs, Path path, String runId) throws IOException {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("run_id", runId);
        me.put("host", host());
        me.put("pid", ProcessHandle.current().pid());
        me.put("started_at", Instant.now().toString());
        try (OutputStream os = fs.create(path, false)) {
            os.write(new ObjectMapper().writeValueAsBytes(me));
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(path)) {
                return false;
            }
            throw e;
        }
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

    private void touch() {
        try {
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            LOG.warn("cannot refresh the lock {}: {}", path, e.getMessage());
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
