package io.assetcost.run;

/**
 * Another live run holds the output directory's lock. The job exits with code 4; the message names the
 * holder (host, pid, run id, start time) and where the lock file is.
 */
public class LockedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the holder
     */
    public LockedException(String message) {
        super(message);
    }
}
