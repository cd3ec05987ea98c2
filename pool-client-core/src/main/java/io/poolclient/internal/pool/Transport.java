package io.poolclient.internal.pool;

/**
 * The open socket behind a {@link PooledConnection}, as far as the pool needs to know it.
 * Called by the thread that currently owns the connection (or by the pool for an idle one).
 */
public interface Transport {

    /**
     * Whether the peer has closed the connection or sent unexpected bytes while it was idle.
     * Must not block.
     */
    boolean isStale();

    /** Closes the socket; never throws. */
    void close();
}
