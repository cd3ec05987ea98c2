package io.poolclient.internal.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Reads and writes one handshake on a socket within a deadline. Reads never go past what is asked for
 * (no buffering), so bytes the proxy relays after the handshake stay in the socket for whoever uses the
 * tunnel. The socket's read timeout is set before each read to what is left of the deadline and restored
 * by {@link #close()}.
 *
 * <p>Confined to the one thread performing the handshake.
 */
final class HandshakeIo implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long deadlineNanos;
    private final Duration timeout;
    private final int originalSoTimeout;

    HandshakeIo(Socket socket, Duration timeout) throws IOException {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive: " + timeout);
        }
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.originalSoTimeout = socket.getSoTimeout();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One byte, or {@code -1} at end of stream. */
    int read() throws IOException {
        armTimeout();
        return in.read();
    }

    void readFully(byte[] buffer) throws IOException {
        int done = 0;
        while (done < buffer.length) {
            armTimeout();
            int n = in.read(buffer, done, buffer.length - done);
            if (n < 0) {
                throw new EOFException("the proxy closed the connection");
            }
            done += n;
        }
    }

    int readByte() throws IOException {
        int b = read();
        if (b < 0) {
            throw new EOFException("the proxy closed the connection");
        }
        return b;
    }

    Duration timeout() {
        return timeout;
    }

    private void armTimeout() throws IOException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no answer within " + timeout.toMillis() + " ms");
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis())));
    }

    /** Restores the socket's read timeout; leaves the socket open. */
    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                socket.setSoTimeout(originalSoTimeout);
            }
        } catch (IOException ignored) {
            // the socket is broken; whoever owns it will find out and close it
        }
    }
}
