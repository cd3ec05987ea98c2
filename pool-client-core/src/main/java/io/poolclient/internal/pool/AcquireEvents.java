package io.poolclient.internal.pool;

import io.poolclient.HostPoolView;
import io.poolclient.PoolListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a {@link HostPool}'s listener about acquisitions, connects, lease ends and retries, shielding the pool from the listener: a
 * listener that throws is logged at WARN (under the host pool's logger) and the caller goes on.
 *
 * <p><b>Concurrency contract.</b> Immutable; any thread, never with the pool's lock held.
 */
final class AcquireEvents {

    private static final Logger log = LoggerFactory.getLogger(HostPool.class);

    private final HostPoolView view;
    private final PoolListener listener;

    AcquireEvents(HostPoolView view, PoolListener listener) {
        this.view = view;
        this.listener = listener;
    }

    /** A caller got a connection after waiting {@code waitNanos} (0 when one was idle). */
    void acquired(long waitNanos) {
        try {
            listener.connectionAcquired(view, waitNanos);
        }
        catch (RuntimeException e) {
            log.warn("Pool listener failed on acquire for {}", view.hostPort(), e);
        }
    }

    /** A caller gave up after waiting {@code waitedNanos} for a connection. */
    void timedOut(long waitedNanos) {
        try {
            listener.acquireTimedOut(view, waitedNanos);
        }
        catch (RuntimeException e) {
            log.warn("Pool listener failed on pool timeout for {}", view.hostPort(), e);
        }
    }

    /** Opening a connection ended after {@code nanos}, {@code succeeded} or not. */
    void connectFinished(long nanos, boolean succeeded) {
        try {
            listener.connectFinished(view, nanos, succeeded);
        }
        catch (RuntimeException e) {
            log.warn("Pool listener failed on connect for {}", view.hostPort(), e);
        }
    }

    /** A lease ended after the connection was held {@code heldNanos}. */
    void leaseEnded(long heldNanos) {
        try {
            listener.leaseEnded(view, heldNanos);
        }
        catch (RuntimeException e) {
            log.warn("Pool listener failed on lease end for {}", view.hostPort(), e);
        }
    }

    /** A failed try of {@code kind} is retried ({@code made}) or not, the retry budget being exhausted. */
    void retryDecided(String kind, boolean made) {
        try {
            listener.retryDecided(view, kind, made);
        }
        catch (RuntimeException e) {
            log.warn("Pool listener failed on retry for {}", view.hostPort(), e);
        }
    }
}
