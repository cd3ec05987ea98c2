package io.poolclient;


/**
 * Hears about host pools appearing, going and handing out connections; metrics bind to it.
 * Registered with {@code PoolClient.Builder.listener} or, at any time, {@code PoolClient.addListener}.
 * Called outside every pool lock: {@link #connectionAcquired} and {@link #acquireTimedOut} on the
 * requesting thread, {@link #poolAdded} and {@link #poolRemoved} one at a time, in the order the
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
}
