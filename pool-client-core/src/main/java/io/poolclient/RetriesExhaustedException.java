package io.poolclient;

/**
 * The retry policy ran out: the cause is the last attempt's failure, or this is raised for a
 * status in the forcelist when {@code retry.raise-on-status} is on.
 */
public class RetriesExhaustedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    public RetriesExhaustedException(String message, String mount, String host, int attempts, Throwable cause) {
        super(message, mount, host, cause);
        this.attempts = attempts;
    }

    /** How many attempts were made in all. */
    public int attempts() {
        return attempts;
    }
}
