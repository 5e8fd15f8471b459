package io.assetcost.run;

/**
 * How the records of one input were accounted for in a run (docs/DESIGN.md, "Invariants", accounting).
 * Every record read is exactly one of: set aside (not this run's: created or decided after the run date,
 * or on a cohort an earlier night froze), used (priced, or a decision used), quarantined, or an exact
 * duplicate dropped.
 *
 * @param read records read (physical records of the input files the run read)
 * @param setAside records read that are not this run's
 * @param used records priced (usage) or decisions used (acceptance)
 * @param quarantined records sent to quarantine
 * @param duplicates exact duplicates beyond the first, dropped
 */
public record InputCounts(long read, long setAside, long used, long quarantined, long duplicates) {

    /** Records this run examined: read minus set aside. */
    public long examined() {
        return read - setAside;
    }

    /** Whether examined = used + quarantined + duplicates. */
    public boolean accounted() {
        return examined() == used + quarantined + duplicates;
    }

    /** The same counts with another quarantined figure (counted after the first pass). */
    public InputCounts withQuarantined(long q) {
        return new InputCounts(read, setAside, used, q, duplicates);
    }
}
