package io.poolclient;


/**
 * Hears about host pools appearing, going and handing out connections; metrics bind to it.
 * Registered with {@code PoolClient.Builder.listener} or, at any time, {@code PoolClient.addListener}.
 * Called outside every pool lock: {@link #connectionAcquired}, {@link #acquireTimedOut},
 * {@link #connectFinished} and {@link #retryDecided} on the requesting thread, {@link #leaseEnded} on
 * the thread that ends the lease (the one closing the response body, or the leak reclaimer), {@link #poolAdded} and {@link #poolRemoved} one at a time, in the order the
 * pools came and went, on a thread that is creating or dropping pools (see {@link PoolClient#addListener}).
 * Implementations must be fast and must not throw (an exception is logged and ignored).
 */
public interface PoolListener {

    PoolListener NONE = new PoolListener() {
    };

    /** A listener's place among a client's listeners: closing it removes the listener. */
    interface Registration extends AutoCloseable {

        /** Removes the listener; idempotent. */
        @Override
        void close();
    }

    /** A host pool was created in a mount. */
    default void poolAdded(HostPoolView pool) {
    }

    /**
     * A host pool left its mount: evicted by the LRU ({@code evicted} true), or dropped through the
     * endpoint or at shutdown.
     */
    default void poolRemoved(HostPoolView pool, boolean evicted) {
    }

    /** A caller got a connection after waiting {@code waitNanos} (0 when one was free). */
    default void connectionAcquired(HostPoolView pool, long waitNanos) {
    }

    /** A caller of a blocking pool gave up after waiting {@code waitedNanos} ({@code pool-timeout}). */
    default void acquireTimedOut(HostPoolView pool, long waitedNanos) {
    }

    /**
     * Opening a new connection for the pool ended after {@code nanos}: DNS lookup, TCP connect, proxy
     * tunnel and TLS handshake together; {@code succeeded} false when it failed (the caller then gets a
     * connect failure, which the retry policy may retry).
     */
    default void connectFinished(HostPoolView pool, long nanos, boolean succeeded) {
    }

    /**
     * A lease of one of the pool's connections ended (returned for reuse or closed) after the caller
     * held it {@code heldNanos}: from hand-out to the end of the exchange's response body.
     */
    default void leaseEnded(HostPoolView pool, long heldNanos) {
    }

    /**
     * A failed try of a request to the pool's host is to be retried ({@code made} true), or is not
     * retried only because the mount's retry budget is exhausted ({@code made} false). {@code kind} is
     * {@code connect}, {@code read}, {@code status}, {@code stale} (the transparent retry after a reused
     * connection turned out closed; outside the budget) or {@code goaway}. A retry the policy itself
     * does not allow (method, limits) is not reported.
     */
    default void retryDecided(HostPoolView pool, String kind, boolean made) {
    }
}
