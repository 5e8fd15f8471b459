package io.assetcost.run;

/**
 * How the records of one input were accounted for in a run (docs/DESIGN.md, "Invariants", accounting).
 * A record is a physical line of a JSON Lines file, a CSV record or a Parquet row; every record read is
 * exactly one of the counts below but {@code read}.
 *
 * @param read records read (physical records of the input files the run read)
 * @param setAside records read that are not this run's: created or decided after the run date, or on a
 *     cohort an earlier night froze
 * @param skipped blank or whitespace-only lines, skipped
 * @param used records priced (usage) or decisions used (acceptance)
 * @param quarantined records sent to quarantine
 * @param duplicates exact duplicates beyond the first, dropped
 */
public record InputCounts(long read, long setAside, long skipped, long used, long quarantined, long duplicates) {

    /** Records this run examined: read minus set aside. */
    public long examined() {
        return read - setAside;
    }

    /** Whether examined = used + quarantined + duplicates + skipped. */
    public boolean accounted() {
        return examined() == used + quarantined + duplicates + skipped;
    }
}
