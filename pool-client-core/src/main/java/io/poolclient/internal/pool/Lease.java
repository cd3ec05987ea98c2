package io.poolclient.internal.pool;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hand-out of a {@link PooledConnection} by a {@link HostPool}, made by the pool's
 * {@link HostPool#acquire}: the only way to give the connection back. Whoever holds the lease must
 * end it, with {@link #release()} or {@link #discard}. Ending it twice is harmless (the second call
 * does nothing), so a response body, its close and a leak reclaimer may race to end it safely from
 * any threads.
 */
public final class Lease {

    private final HostPool pool;
    private final PooledConnection connection;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final long leasedAt = System.nanoTime();

    Lease(HostPool pool, PooledConnection connection) {
        this.pool = pool;
        this.connection = connection;
    }

    public HostPool pool() {
        return pool;
    }

    public PooledConnection connection() {
        return connection;
    }

    public boolean isEnded() {
        return ended.get();
    }

    /** Returns the connection for reuse (the pool may still close it if expired or full). */
    public void release() {
        if (ended.compareAndSet(false, true)) {
            pool.returned(connection);
            pool.events().leaseEnded(System.nanoTime() - leasedAt);
        }
    }

    /** Closes the connection and counts it under {@code reason}. */
    public void discard(CloseReason reason) {
        if (ended.compareAndSet(false, true)) {
            pool.discarded(connection, reason);
            pool.events().leaseEnded(System.nanoTime() - leasedAt);
        }
    }
}
