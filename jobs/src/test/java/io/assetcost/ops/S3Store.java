package io.assetcost.ops;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An S3-compatible store for a test class: S3Proxy (an S3 API server) started in the test JVM on 127.0.0.1 at a free
 * port, over jclouds' in-memory ("transient") blob store, with one bucket of a fresh name, reached through Hadoop's
 * {@code s3a://} file system (hadoop-aws). Register it with {@code @RegisterExtension static final S3Store STORE = new
 * S3Store();}: it starts before the class's first test and stops after its last, and the bucket dies with it.
 *
 * <p>The Hadoop settings that point s3a at it (endpoint, path-style access, credentials, plain HTTP, region) are made
 * here only ({@link #settings}); {@link #configure} puts them on a session's Hadoop configuration and {@link
 * #sparkJavaOptions} passes them to a child JVM as {@code spark.hadoop.*} system properties.
 *
 * <p>What S3Proxy 2.6.0 does not do: it ignores {@code If-None-Match} on a PUT (it honours it on GET and HEAD only),
 * so a conditional create there overwrites like a plain one (README, "One run at a time").
 */
public final class S3Store implements BeforeAllCallback, AfterAllCallback {

    private static final String ACCESS_KEY = "assetcost-test";
    private static final String SECRET_KEY = "assetcost-test-secret";

    private final String bucket = "assetcost-" + UUID.randomUUID().toString().substring(0, 8);
    private BlobStoreContext context;
    private S3Proxy proxy;

    @Override
    public void beforeAll(ExtensionContext extension) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext extension) throws Exception {
        stop();
    }

    /**
     * Starts the server and makes the bucket.
     *
     * @throws Exception when the server does not start
     */
    public void start() throws Exception {
        context = ContextBuilder.newBuilder("transient")
                .credentials(ACCESS_KEY, SECRET_KEY)
                .overrides(new Properties())
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, bucket);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // Port 0: the system picks a free one, which getPort() then reports.
                .endpoint(URI.create("http://127.0.0.1:0"))
                // The AWS SDK v2 (2.30 and later) sends x-amz-checksum-crc32 on a bulk delete, which Amazon S3
                // accepts and S3Proxy 2.6.0 otherwise refuses (HTTP 501).
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState())) {
                throw new IllegalStateException("S3Proxy did not start");
            }
            Thread.sleep(10);
        }
    }

    /**
     * Stops the server (the bucket and everything in it are gone) and closes the cached s3a file systems of this
     * bucket.
     *
     * @throws Exception when the server does not stop
     */
    public void stop() throws Exception {
        if (proxy != null) {
            // Hadoop caches a file system per bucket; drop this one's (other file systems stay cached).
            fileSystem().close();
            proxy.stop();
            proxy = null;
        }
        if (context != null) {
            context.close();
            context = null;
        }
    }

    /** The store's endpoint, {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The bucket's name (fresh for every store, so that Hadoop's file-system cache never mixes two stores). */
    public String bucket() {
        return bucket;
    }

    /**
     * An {@code s3a://} path in the bucket.
     *
     * @param key the key (a relative path, no leading slash)
     * @return {@code s3a://<bucket>/<key>}
     */
    public String uri(String key) {
        return "s3a://" + bucket + "/" + key;
    }

    /**
     * The Hadoop settings for s3a to reach this store, the one place they are made: the endpoint over plain HTTP,
     * path-style access (S3Proxy serves no virtual-host buckets), the credentials, a region (the AWS SDK needs one;
     * S3Proxy accepts any), no bucket probe, no {@code Expect: 100-continue}, and few retries, so a store that went
     * away fails a test in seconds rather than minutes.
     *
     * @return setting name to value
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fs.s3a.endpoint", endpoint());
        s.put("fs.s3a.endpoint.region", "us-east-1");
        s.put("fs.s3a.path.style.access", "true");
        s.put("fs.s3a.connection.ssl.enabled", "false");
        s.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        s.put("fs.s3a.access.key", ACCESS_KEY);
        s.put("fs.s3a.secret.key", SECRET_KEY);
        s.put("fs.s3a.bucket.probe", "0");
        // S3Proxy never answers a PUT that waits for "100 Continue" (seen on Spark's checkpoint writes): send the
        // body at once.
        s.put("fs.s3a.connection.expect.continue", "false");
        s.put("fs.s3a.attempts.maximum", "2");
        s.put("fs.s3a.retry.limit", "2");
        s.put("fs.s3a.retry.interval", "100ms");
        return s;
    }

    /**
     * Puts {@link #settings} on a Hadoop configuration (a session's {@code sparkContext().hadoopConfiguration()}).
     *
     * @param conf the configuration to change
     * @return the same configuration
     */
    public Configuration configure(Configuration conf) {
        settings().forEach(conf::set);
        return conf;
    }

    /**
     * {@link #settings} as JVM options of a child JVM that runs a job ({@code -Dspark.hadoop.<name>=<value>}: Spark
     * copies {@code spark.*} system properties into its configuration, and {@code spark.hadoop.*} into Hadoop's).
     *
     * @return the options
     */
    public List<String> sparkJavaOptions() {
        List<String> out = new ArrayList<>();
        settings().forEach((k, v) -> out.add("-Dspark.hadoop." + k + "=" + v));
        return out;
    }

    /**
     * The bucket's file system.
     *
     * @return the s3a file system of {@link #uri}{@code ("")}
     * @throws IOException when it cannot be made
     */
    public FileSystem fileSystem() throws IOException {
        return new Path(uri("")).getFileSystem(configure(new Configuration()));
    }

    /**
     * Copies a local file or directory into the bucket.
     *
     * @param local the local file or directory
     * @param key where it goes in the bucket
     * @return the {@code s3a://} path it was copied to
     * @throws IOException when the copy fails
     */
    public String upload(java.nio.file.Path local, String key) throws IOException {
        Configuration conf = configure(new Configuration());
        Path src = new Path(local.toUri());
        Path dst = new Path(uri(key));
        FileUtil.copy(src.getFileSystem(conf), src, dst.getFileSystem(conf), dst, false, conf);
        return dst.toString();
    }
}
