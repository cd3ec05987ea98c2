package io.poolclient.http;

import io.poolclient.pool.Transport;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;

/**
 * A TCP connection (optionally with TLS on top) bound to an httpcore5 HTTP/1.1 codec. Used by one
 * thread at a time: the lease holder, or the pool while it is idle.
 *
 * <p>The socket comes from a {@link SocketChannel} so that {@link #isStale()} can probe it without
 * blocking: a non-blocking read that finds end-of-stream or stray bytes means the server closed the
 * connection (or broke protocol) while it sat idle.
 */
public final class HttpTransport implements Transport {

    private final SocketChannel channel;
    private final Socket socket;
    private final DefaultBHttpClientConnection connection;
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private final int maxHeaderCount;
    private final int maxHeaderLine;

    HttpTransport(SocketChannel channel, Socket socket, DefaultBHttpClientConnection connection, int maxHeaderCount,
            int maxHeaderLine) {
        this.channel = channel;
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

    public Socket socket() {
        return socket;
    }

    @Override
    public boolean isStale() {
        if (!connection.isOpen() || !channel.isOpen()) {
            return true;
        }
        try {
            channel.configureBlocking(false);
            try {
                probe.clear();
                return channel.read(probe) != 0;
            }
            finally {
                channel.configureBlocking(true);
            }
        }
        catch (IOException | RuntimeException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        }
        catch (IOException | RuntimeException ignored) {
            // closing is best effort
        }
        try {
            channel.close();
        }
        catch (IOException | RuntimeException ignored) {
            // closing is best effort
        }
    }
}
