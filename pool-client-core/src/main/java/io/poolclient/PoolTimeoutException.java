package io.poolclient;

import java.time.Duration;

/**
 * A caller of a blocking pool ({@code pool-block: true}) waited {@code pool-timeout} and no
 * connection came free. The message names the mount, host, maxsize and the time waited.
 */
public class PoolTimeoutException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    private final int maxsize;
    private final Duration waited;

    public PoolTimeoutException(String mount, String host, int maxsize, Duration waited) {
        super("Timed out after " + waited.toMillis() + " ms waiting for a connection to " + host + " from mount '" + mount
                + "': all " + maxsize + " connections (pool-maxsize) are in use and pool-block is on", mount, host, null);
        this.maxsize = maxsize;
        this.waited = waited;
    }

    public int maxsize() {
        return maxsize;
    }

    public Duration waited() {
        return waited;
    }
}
