package io.poolclient.internal.pool;

/**
 * A {@link Transport} that carries several exchanges at once, one per stream: an HTTP/2 connection.
 * Its {@link HostPool} leases one stream of it per exchange rather than the whole connection. Any
 * thread may call these methods; none of them blocks.
 */
public interface Multiplexed extends Transport {

    /** The streams it carries at once now: its own cap lowered by the server's current limit. */
    int streamLimit();

    /** Whether it takes new streams: still open and no {@code GOAWAY} received. */
    boolean acceptsStreams();

    /**
     * Sets where this connection's events go; called once by the pool right after the connection
     * was opened. Events before that are dropped (the pool checks the state when it adopts it).
     */
    void listen(Events events);

    /** What a multiplexed connection tells its pool; called with no lock held, from any thread. */
    interface Events {

        /** The stream limit may have changed (the server sent new settings). */
        void limitChanged();

        /** The connection closed: after {@code GOAWAY} once drained, or because it failed. Called once. */
        void closed(CloseReason reason);
    }
}
