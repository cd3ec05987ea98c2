package io.poolclient.internal.http;

import io.poolclient.PoolClientException;
import java.io.IOException;

/**
 * One attempt of an exchange failed after a connection was leased; the connection has already been
 * closed. Carries what the retry logic needs to know: whether any response byte had arrived,
 * whether the request body had started to go out, and whether the connection had served earlier
 * requests. Never reaches the caller: the executor rethrows {@link #failure()}.
 */
public final class AttemptFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final PoolClientException failure;
    private final boolean noResponse;
    private final boolean bodyStarted;
    private final boolean reusedConnection;
    private final boolean unprocessed;

    AttemptFailedException(PoolClientException failure, boolean noResponse, boolean bodyStarted, boolean reusedConnection) {
        this(failure, noResponse, bodyStarted, reusedConnection, false);
    }

    AttemptFailedException(PoolClientException failure, boolean noResponse, boolean bodyStarted, boolean reusedConnection,
            boolean unprocessed) {
        super(failure.getMessage(), failure);
        this.failure = failure;
        this.noResponse = noResponse;
        this.bodyStarted = bodyStarted;
        this.reusedConnection = reusedConnection;
        this.unprocessed = unprocessed;
    }

    /** The failure as the caller should see it. */
    public PoolClientException failure() {
        return failure;
    }

    /** True when the connection broke before a single response byte arrived (the stale keep-alive signature). */
    public boolean noResponse() {
        return noResponse;
    }

    /** True when the request body had started to be written (a one-shot body cannot be resent). */
    public boolean bodyStarted() {
        return bodyStarted;
    }

    /** True when the connection was an idle one taken from the pool rather than opened for this attempt. */
    public boolean reusedConnection() {
        return reusedConnection;
    }

    /**
     * True when the server is known not to have processed the request (an HTTP/2 stream above the
     * last-stream-id of its {@code GOAWAY}, or refused): safe to send again whatever the method.
     */
    public boolean unprocessed() {
        return unprocessed;
    }
}
