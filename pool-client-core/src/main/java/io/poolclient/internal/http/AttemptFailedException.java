package io.poolclient.internal.http;

import io.poolclient.PoolClientException;
import java.io.IOException;

/**
 * One attempt of an exchange failed after a connection was leased; the connection has already been
 * closed. Carries what the retry logic needs to know: whether any response byte had arrived and
 * whether the request body had started to go out. Never reaches the caller: the executor rethrows
 * {@link #failure()}.
 */
public final class AttemptFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final PoolClientException failure;
    private final boolean noResponse;
    private final boolean bodyStarted;
    private final boolean timedOut;

    AttemptFailedException(PoolClientException failure, boolean noResponse, boolean bodyStarted, boolean timedOut) {
        super(failure.getMessage(), failure);
        this.failure = failure;
        this.noResponse = noResponse;
        this.bodyStarted = bodyStarted;
        this.timedOut = timedOut;
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

    /** True when the attempt ended in a read timeout. */
    public boolean timedOut() {
        return timedOut;
    }
}
