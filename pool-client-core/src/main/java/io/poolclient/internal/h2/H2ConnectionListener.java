package io.poolclient.internal.h2;

/**
 * What an {@link H2Connection} tells its owner (a host pool). Called without any lock of the
 * connection held, from the connection's reader thread or from a caller's thread, so an
 * implementation may call back into the connection (for example {@link H2Connection#reserve()}).
 * Implementations must be quick and must not throw.
 */
public interface H2ConnectionListener {

    /** A listener that ignores every event. */
    H2ConnectionListener NONE = new H2ConnectionListener() {
    };

    /** A stream (or an unused reservation) ended and no longer counts against the stream limit. */
    default void streamClosed(H2Connection connection) {
    }

    /** The peer changed its settings; {@link H2Connection#maxConcurrentStreams()} may have changed. */
    default void settingsChanged(H2Connection connection) {
    }

    /**
     * The peer sent GOAWAY: the connection takes no new streams. Streams above
     * {@code lastStreamId} have failed with {@link H2UnprocessedStreamException}.
     */
    default void goAway(H2Connection connection, int lastStreamId, long errorCode) {
    }

    /**
     * The connection is closed: by its owner ({@code cause} is {@code null}), after a graceful GOAWAY
     * once its last stream ended ({@code null}), or because it failed ({@code cause} says why).
     * Called once.
     */
    default void closed(H2Connection connection, H2Exception cause) {
    }
}
