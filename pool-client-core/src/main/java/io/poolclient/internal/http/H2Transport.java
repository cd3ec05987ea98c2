package io.poolclient.internal.http;

import io.poolclient.internal.h2.H2Connection;
import io.poolclient.internal.h2.H2ConnectionListener;
import io.poolclient.internal.h2.H2Exception;
import io.poolclient.internal.pool.CloseReason;
import io.poolclient.internal.pool.Multiplexed;

/**
 * An HTTP/2 connection as its host pool sees it: a {@link Multiplexed} transport over an
 * {@link H2Connection}, and the connection's listener, which passes its events on to the pool.
 *
 * <p>Threads: any thread may call it. Events come from the connection's reader thread or from a
 * caller's thread, with no lock held; before the pool {@link #listen listens} they are dropped.
 */
public final class H2Transport implements Multiplexed, H2ConnectionListener {

    private final ChannelSocket plain;
    private volatile H2Connection connection;
    private volatile Events events;
    private volatile boolean goAway;
    private final int maxHeaderCount;
    private final int maxHeaderLine;

    H2Transport(ChannelSocket plain, int maxHeaderCount, int maxHeaderLine) {
        this.plain = plain;
        this.maxHeaderCount = maxHeaderCount;
        this.maxHeaderLine = maxHeaderLine;
    }

    /** The {@code max-header-count} this connection enforces. */
    int maxHeaderCount() {
        return maxHeaderCount;
    }

    /** The {@code max-header-line} (bytes) this connection enforces. */
    int maxHeaderLine() {
        return maxHeaderLine;
    }

    /** Set once, right after the connection started (before the pool sees this transport). */
    void bind(H2Connection connection) {
        this.connection = connection;
    }

    /** The HTTP/2 connection that streams are opened on. */
    public H2Connection connection() {
        return connection;
    }

    @Override
    public int streamLimit() {
        return connection.maxConcurrentStreams();
    }

    @Override
    public boolean acceptsStreams() {
        return connection.isAcceptingStreams();
    }

    @Override
    public void listen(Events events) {
        this.events = events;
        if (!connection.isOpen()) {
            events.closed(goAway ? CloseReason.GOAWAY : CloseReason.ERROR);
        }
    }

    /** Not accepting streams (after {@code GOAWAY}, or closed): never used for a new stream. */
    @Override
    public boolean isStale() {
        return !connection.isAcceptingStreams();
    }

    @Override
    public void close() {
        plain.closing(); // a TLS goodbye is sent if it fits at once, never waited for
        connection.close();
    }

    // --- the connection's events ---

    @Override
    public void settingsChanged(H2Connection c) {
        Events e = events;
        if (e != null) {
            e.limitChanged();
        }
    }

    @Override
    public void goAway(H2Connection c, int lastStreamId, long errorCode) {
        goAway = true;
    }

    @Override
    public void closed(H2Connection c, H2Exception cause) {
        Events e = events;
        if (e != null) {
            e.closed(cause == null || goAway ? CloseReason.GOAWAY : CloseReason.ERROR);
        }
    }
}
