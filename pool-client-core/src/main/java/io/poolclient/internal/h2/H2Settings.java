package io.poolclient.internal.h2;

import java.time.Duration;
import java.util.Objects;

/**
 * Our side of one HTTP/2 connection.
 *
 * @param maxConcurrentStreams our cap on streams open at once; the peer's
 *     {@code SETTINGS_MAX_CONCURRENT_STREAMS} lowers it
 * @param streamWindow the receive window of each stream in bytes ({@code SETTINGS_INITIAL_WINDOW_SIZE}):
 *     the most a stream buffers when its reader falls behind (at least 65535)
 * @param connectionWindow the receive window of the whole connection in bytes (at least 65535)
 * @param maxHeaderCount the most header fields a response head may have
 * @param maxHeaderLine the most bytes of one header field, counted as {@code name: value}
 * @param readTimeout the longest wait for response headers or for the next body bytes
 * @param writeTimeout the longest wait for the peer's flow-control window to open, or for another
 *     writer to finish
 */
public record H2Settings(int maxConcurrentStreams, int streamWindow, int connectionWindow, int maxHeaderCount,
        int maxHeaderLine, Duration readTimeout, Duration writeTimeout) {

    /** The largest flow-control window HTTP/2 allows. */
    static final int MAX_WINDOW = Integer.MAX_VALUE;
    static final int DEFAULT_WINDOW = 65535;

    public H2Settings {
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams must be at least 1: " + maxConcurrentStreams);
        }
        if (streamWindow < DEFAULT_WINDOW || connectionWindow < DEFAULT_WINDOW) {
            throw new IllegalArgumentException("windows must be at least " + DEFAULT_WINDOW + ": " + streamWindow + ", "
                    + connectionWindow);
        }
        if (maxHeaderCount < 1 || maxHeaderLine < 1) {
            throw new IllegalArgumentException("header limits must be positive");
        }
        if (readTimeout.isNegative() || readTimeout.isZero() || writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive (finite): " + readTimeout + ", " + writeTimeout);
        }
    }

    /** 100 streams, 256 KiB per stream, 16 MiB per connection, 100 headers of 8192 bytes, 30 s timeouts. */
    public static H2Settings defaults() {
        return new H2Settings(100, 256 * 1024, 16 * 1024 * 1024, 100, 8192, Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    public H2Settings withMaxConcurrentStreams(int streams) {
        return new H2Settings(streams, streamWindow, connectionWindow, maxHeaderCount, maxHeaderLine, readTimeout,
                writeTimeout);
    }

    public H2Settings withStreamWindow(int bytes) {
        return new H2Settings(maxConcurrentStreams, bytes, connectionWindow, maxHeaderCount, maxHeaderLine, readTimeout,
                writeTimeout);
    }

    public H2Settings withHeaderLimits(int count, int line) {
        return new H2Settings(maxConcurrentStreams, streamWindow, connectionWindow, count, line, readTimeout,
                writeTimeout);
    }

    public H2Settings withTimeouts(Duration read, Duration write) {
        return new H2Settings(maxConcurrentStreams, streamWindow, connectionWindow, maxHeaderCount, maxHeaderLine, read,
                write);
    }
}
