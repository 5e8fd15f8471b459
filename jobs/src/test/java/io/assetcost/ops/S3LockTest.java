package io.assetcost.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assetcost.run.LockedException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The output lock on an S3-compatible store (S3Proxy through s3a): what holds there, and what the store does not give
 * (README, "One run at a time"). No Spark.
 */
class S3LockTest {

    @RegisterExtension
    static final S3Store STORE = new S3Store();

    private static Configuration conf() {
        return STORE.configure(new Configuration());
    }

    @Test
    void aSecondRunAgainstALiveLockOnTheStoreIsRefusedAndTheReleasedLockIsFree() throws Exception {
        OutputLayout out = new OutputLayout(STORE.uri("lock/out"));
        try (OutputLock held = OutputLock.acquire(conf(), out, "run-a", Duration.ofMinutes(5))) {
            assertThat(held.takenOver()).isNull();
            assertThatThrownBy(() -> OutputLock.acquire(conf(), out, "run-b", Duration.ofMinutes(5)))
                    .isInstanceOf(LockedException.class)
                    .hasMessageContaining("locked by run run-a");
        }
        FileSystem fs = STORE.fileSystem();
        assertThat(fs.exists(out.lock())).as("released").isFalse();
        OutputLock.acquire(conf(), out, "run-c", Duration.ofMinutes(5)).close();
    }

    @Test
    void s3aOffersConditionalCreatesButS3ProxyOverwritesAnyway() throws Exception {
        FileSystem fs = STORE.fileSystem();
        Path p = new Path(STORE.uri("conditional/_lock"));
        assertThat(fs.hasPathCapability(p, OutputLock.CONDITIONAL_CREATE))
                .as("hadoop-aws 3.5.0 sends If-None-Match: * for this create")
                .isTrue();
        try (OutputStream os = OutputLock.createIfAbsent(fs, p)) {
            os.write("first".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> OutputLock.createIfAbsent(fs, p))
                .as("an existing file is refused before anything is written")
                .isInstanceOf(org.apache.hadoop.fs.FileAlreadyExistsException.class);
        // Two creates that both passed that check: on Amazon S3 the second fails with HTTP 412 when its stream
        // closes. S3Proxy 2.6.0 checks If-None-Match on GET and HEAD only: the second write wins, which is why the
        // lock reads its file back.
        Path q = new Path(STORE.uri("conditional/_lock2"));
        OutputStream first = OutputLock.createIfAbsent(fs, q);
        OutputStream second = OutputLock.createIfAbsent(fs, q);
        first.write("first".getBytes(StandardCharsets.UTF_8));
        first.close();
        second.write("second".getBytes(StandardCharsets.UTF_8));
        second.close();
        try (var in = fs.open(q)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second");
        }
    }

    @Test
    void aLockWrittenOverByAnotherRunIsNotTaken() throws Exception {
        // What a rival's create that lands between this run's write and its read-back looks like: the file holds the
        // rival. The read-back makes this run back off (exit 4) instead of both running.
        OutputLayout out = new OutputLayout(STORE.uri("rival/out"));
        FileSystem fs = STORE.fileSystem();
        try (OutputLock held = OutputLock.acquire(conf(), out, "run-a", Duration.ofMinutes(5))) {
            try (OutputStream os = fs.create(out.lock(), true)) {
                os.write(("{\"run_id\":\"rival\",\"host\":\"" + OutputLock.host() + "\",\"pid\":"
                                + ProcessHandle.current().pid() + ",\"started_at\":\"2026-11-18T02:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            assertThatThrownBy(() -> OutputLock.acquire(conf(), out, "run-b", Duration.ofMinutes(5)))
                    .isInstanceOf(LockedException.class)
                    .hasMessageContaining("locked by run rival");
            long before = fs.getFileStatus(out.lock()).getModificationTime();
            Thread.sleep(1100); // the store's modification times are whole seconds
            held.touch(System.currentTimeMillis() + Duration.ofMinutes(1).toMillis());
            assertThat(fs.getFileStatus(out.lock()).getModificationTime())
                    .as("a heartbeat never rewrites a lock that holds another run")
                    .isEqualTo(before);
        }
    }

    @Test
    void theHeartbeatRefreshesTheLockOnAStoreWithoutSettableTimes() throws Exception {
        OutputLayout out = new OutputLayout(STORE.uri("heartbeat/out"));
        FileSystem fs = STORE.fileSystem();
        try (OutputLock held = OutputLock.acquire(conf(), out, "run-h", Duration.ofMinutes(5))) {
            long before = fs.getFileStatus(out.lock()).getModificationTime();
            Thread.sleep(1100); // the store's modification times are whole seconds
            // A heartbeat a minute on: setTimes does nothing on s3a, so the lock must be rewritten to look alive.
            held.touch(System.currentTimeMillis() + Duration.ofMinutes(1).toMillis());
            assertThat(fs.getFileStatus(out.lock()).getModificationTime()).isGreaterThan(before);
            try (var in = fs.open(out.lock())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .contains("\"run_id\":\"run-h\"");
            }
        }
    }
}
