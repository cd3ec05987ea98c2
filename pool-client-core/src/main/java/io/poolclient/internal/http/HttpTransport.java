package io.poolclient.internal.http;

import io.poolclient.internal.pool.Transport;
import java.io.IOException;
import java.net.Socket;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;

/**
 * A TCP connection (optionally with TLS on top) bound to an httpcore5 HTTP/1.1 codec. Used by one
 * thread at a time: the lease holder, or the pool while it is idle.
 *
 * <p>The TCP socket is a {@link ChannelSocket}, so that {@link #isStale()} can probe it without
 * blocking: a non-blocking read that finds end-of-stream or stray bytes means the server closed the
 * connection (or broke protocol) while it sat idle.
 */
public final class HttpTransport implements Transport {

    private final ChannelSocket plain;
    private final Socket socket;
    private final DefaultBHttpClientConnection connection;
    private final int maxHeaderCount;
    private final int maxHeaderLine;

    HttpTransport(ChannelSocket plain, Socket socket, DefaultBHttpClientConnection connection, int maxHeaderCount,
            int maxHeaderLine) {
        this.plain = plain;
        this.socket = socket;
        this.connection = connection;
        this.maxHeaderCount = maxHeaderCount;
        this.maxHeaderLine = maxHeaderLine;
    }

    /** The {@code max-header-count} this connection's codec enforces. */
    public int maxHeaderCount() {
        return maxHeaderCount;
    }

    /** The {@code max-header-line} (bytes) this connection's codec enforces. */
    public int maxHeaderLine() {
        return maxHeaderLine;
    }

    public DefaultBHttpClientConnection connection() {
        return connection;
    }

    /** True once a request write failed because the server did not read for the read-timeout. */
    public boolean writeTimedOut() {
        return plain.writeTimedOut();
    }

    @Override
    public boolean isStale() {
        return !connection.isOpen() || plain.probe();
    }

    @Override
    public void close() {
        plain.closing(); // a TLS goodbye is sent if it fits at once, never waited for
        try {
            socket.close();
        }
        catch (IOException | RuntimeException ignored) {
            // closing is best effort
        }
        try {
            plain.close();
        }
        catch (IOException | RuntimeException ignored) {
            // closing is best effort
        }
    }
}
