package io.assetcost.run;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;

/**
 * The datasets a run keeps (persists) because later steps read them more than once, released together
 * when the run ends, whether it succeeds or fails: open it in a try-with-resources around the run's steps.
 */
public final class Kept implements AutoCloseable {

    private final StorageLevel level;
    private final List<Dataset<?>> kept = new ArrayList<>();

    /**
     * @param level where kept datasets live (the cost job keeps them on local disk: see docs/DESIGN.md,
     *     "Performance notes")
     */
    public Kept(StorageLevel level) {
        this.level = level;
    }

    /**
     * Persists a dataset at this holder's level and remembers it for release.
     *
     * @param df the dataset
     * @param <T> its row type
     * @return the persisted dataset (the same object)
     */
    public <T> Dataset<T> keep(Dataset<T> df) {
        Dataset<T> persisted = df.persist(level);
        kept.add(persisted);
        return persisted;
    }

    /** Releases every dataset kept. */
    @Override
    public void close() {
        kept.forEach(Dataset::unpersist);
        kept.clear();
    }
}
