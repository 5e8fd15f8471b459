package io.assetcost.ops;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The local file system with renames that fail on demand: a run that dies at a chosen rename of its publish, for
 * {@link PublisherTest}. Set {@link #failFrom} to a path fragment; a rename whose source path contains it throws, as
 * the publish would see a process killed there. {@link #conf} installs it for {@code file:} paths, uncached.
 */
public class FailingRenames extends LocalFileSystem {

    /** A rename whose source path contains this throws; null: none does. */
    static volatile String failFrom;

    /**
     * A configuration whose {@code file:} file system is this one.
     *
     * @return the configuration
     */
    static Configuration conf() {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", FailingRenames.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        return conf;
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        String f = failFrom;
        if (f != null && src.toUri().getPath().contains(f)) {
            throw new IOException("killed before moving " + src);
        }
        return super.rename(src, dst);
    }
}
