package io.assetcost.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datasets a run keeps because later steps read them more than once, released together when the run
 * ends, whether it succeeds or fails: open it in a try-with-resources around the run's steps.
 *
 * <p>Two ways to keep, chosen when the holder is made:
 *
 * <ul>
 *   <li>{@link #Kept(StorageLevel) persisted}: Spark's cache at a storage level. The dataset keeps its plan,
 *       so a lost block is recomputed, and with it the shuffle files under the plan stay on local disk until
 *       the run ends.
 *   <li>{@link #checkpointed checkpointed}: written once as files in a checkpoint directory and read from
 *       there ({@code Dataset.checkpoint(true)}, Spark's reliable checkpoint). The plan is cut at the files,
 *       so Spark deletes the shuffle files under it while the run goes on; the files are not recomputed if
 *       lost, so the directory must be one every executor and the driver can reach (the output's file
 *       system, or HDFS). The cost job keeps this way: see docs/DESIGN.md, "Performance notes".
 * </ul>
 */
public final class Kept implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Kept.class);

    /** Spark's setting for the default checkpoint directory (Spark 4.0 and later). */
    public static final String CHECKPOINT_DIR = "spark.checkpoint.dir";

    private final StorageLevel level;
    private final SparkSession spark;
    private final Path checkpoints;
    private final Path ownRoot;
    private final List<Dataset<?>> kept = new ArrayList<>();

    /**
     * A holder that persists at a storage level.
     *
     * @param level where kept datasets live (the month close keeps its small tables in memory and on disk)
     */
    public Kept(StorageLevel level) {
        this(level, null, null, null);
    }

    private Kept(StorageLevel level, SparkSession spark, Path checkpoints, Path ownRoot) {
        this.level = level;
        this.spark = spark;
        this.checkpoints = checkpoints;
        this.ownRoot = ownRoot;
    }

    /**
     * A holder that checkpoints into a directory of its own, {@code ROOT/<name>}, deleted with every file in it
     * when the holder closes. ROOT is Spark's {@code spark.checkpoint.dir} when the operator set it, else
     * {@code defaultRoot}.
     *
     * @param spark the session (its SparkContext gets the checkpoint directory)
     * @param defaultRoot where to checkpoint when the operator set no {@code spark.checkpoint.dir}: any Hadoop
     *     path the executors and the driver share
     * @param name the directory's name under the root (the run id: one directory per run)
     * @return the holder
     */
    public static Kept checkpointed(SparkSession spark, Path defaultRoot, String name) {
        String operators = spark.sparkContext().getConf().get(CHECKPOINT_DIR, "");
        Path dir = directory(operators, defaultRoot, name);
        spark.sparkContext().setCheckpointDir(dir.toString());
        return new Kept(null, spark, dir, operators.isBlank() ? defaultRoot : null);
    }

    /**
     * Where a checkpointing holder writes.
     *
     * @param operators the operator's {@code spark.checkpoint.dir}, blank when not set
     * @param defaultRoot the root when the operator set none
     * @param name the directory's name under the root
     * @return {@code ROOT/name}
     */
    public static Path directory(String operators, Path defaultRoot, String name) {
        return new Path(operators == null || operators.isBlank() ? defaultRoot : new Path(operators), name);
    }

    /** The directory this holder checkpoints into and deletes; null for a persisting holder. */
    public Path checkpointDirectory() {
        return checkpoints;
    }

    /**
     * Keeps a dataset and remembers it for release. A checkpointing holder computes the dataset now (one
     * Spark job that writes its files); a persisting one marks it, and the first action computes it. A
     * persisting holder returns a dataset whose plan is cached already as it is (persisting again only makes
     * Spark warn), and leaves its release to whoever cached it.
     *
     * @param df the dataset
     * @param <T> its row type
     * @return the kept dataset: the same object when persisted, a new one reading the files when
     *     checkpointed, with the same schema, partitioning and ordering
     */
    public <T> Dataset<T> keep(Dataset<T> df) {
        if (level != null && !df.storageLevel().equals(StorageLevel.NONE())) {
            return df;
        }
        Dataset<T> k = level != null ? df.persist(level) : checkpoint(df);
        kept.add(k);
        return k;
    }

    /**
     * Checkpoints with adaptive execution off for this one plan: the checkpoint's reader reports the
     * partitioning of the plan that wrote it, and an adaptive plan reports none, so every later join or
     * aggregate by request_id would shuffle the kept records again ({@code KeptTest} and {@code PlanTest}).
     *
     * <p>The dataset checkpointed is planned from {@code df}'s optimized plan, not its analyzed one. Spark
     * 4.2's checkpoint reader takes its columns from the analyzed plan but its partitioning and ordering from
     * the executed plan, and the optimizer renumbers columns when it removes an alias that only renames (a
     * contract's {@code cast(...).as(name)} to the type a column has already, below a join): the reader's
     * partitioning then names columns it does not have, and the next aggregate by the same keys sorts and
     * shuffles everything again ({@code KeptTest}). From the optimized plan both agree. Only where the session is
     * not Spark's classic one (Spark Connect) is {@code df} checkpointed as it is.
     */
    private <T> Dataset<T> checkpoint(Dataset<T> df) {
        String adaptive = "spark.sql.adaptive.enabled";
        String was = spark.conf().get(adaptive);
        spark.conf().set(adaptive, "false");
        try {
            // A new Dataset, so its physical plan is made now, with the setting off (df's own may have been
            // planned already).
            return planned(df).as(df.encoder()).checkpoint(true);
        } finally {
            spark.conf().set(adaptive, was);
        }
    }

    /** A new Dataset of {@code df}'s rows whose analyzed plan is {@code df}'s optimized plan (classic sessions). */
    private static Dataset<?> planned(Dataset<?> df) {
        if (df.sparkSession() instanceof org.apache.spark.sql.classic.SparkSession classic) {
            return org.apache.spark.sql.classic.Dataset$.MODULE$.ofRows(
                    classic, df.queryExecution().optimizedPlan());
        }
        return df;
    }

    /**
     * Releases every dataset kept: unpersists them, or deletes the checkpoint directory (and the default root
     * above it when nothing else is left in it). A directory that cannot be deleted is logged, not thrown: the
     * run's tables are written by then, and the next run on the same output removes what is left
     * ({@link io.assetcost.ops.Publisher#recover}).
     */
    @Override
    public void close() {
        if (level != null) {
            kept.forEach(Dataset::unpersist);
        }
        kept.clear();
        if (checkpoints != null) {
            try {
                FileSystem fs = checkpoints.getFileSystem(spark.sparkContext().hadoopConfiguration());
                fs.delete(checkpoints, true);
                if (ownRoot != null && fs.exists(ownRoot) && fs.listStatus(ownRoot).length == 0) {
                    fs.delete(ownRoot, false);
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("cannot delete the checkpoint directory {}: {}", checkpoints, e.toString());
            }
        }
    }
}
