package io.poolclient.internal.h2;

import io.poolclient.Header;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import org.apache.hc.core5.http.MessageConstraintException;

/**
 * One request/response exchange on an {@link H2Connection}: obtained from
 * {@link H2Connection#reserve()} (which counts it against the stream limit at once), then
 * {@link #open opened} with the request head, optionally fed a body through {@link #requestBody()},
 * and read through {@link #awaitResponse()} and {@link #responseBody()}.
 *
 * <p>Threads: one caller thread at a time uses a stream (the thread that reserved it, or one it hands
 * the stream to); the connection's reader thread delivers headers, data, resets and failures to it.
 * All state below is guarded by the connection's lock. Every wait is bounded: the read timeout for
 * the response, the write timeout for the peer's flow-control window.
 *
 * <p>Ending: the stream stops counting against the limit once both sides ended it, once it failed,
 * or when the caller {@link #cancel() cancels} it, which resets it ({@code RST_STREAM CANCEL}) if it
 * was still open; the connection stays usable. Closing the response body before its end cancels.
 * Buffered response bytes are bounded by the stream's receive window.
 */
public final class H2Stream {

    private static final int BODY_BUFFER = 16384;

    private final H2Connection connection;
    final Condition signal;

    // guarded by the connection's lock
    int id;
    boolean localEnded;
    boolean remoteEnded;
    boolean released;
    boolean stoppedByPeer;
    long sendWindow;
    int recvWindow;
    int consumed;
    H2Response response;
    IOException failure;
    final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    int headOffset;

    private RequestBody requestBody;
    private ResponseBody responseBody;

    H2Stream(H2Connection connection) {
        this.connection = connection;
        this.signal = connection.newCondition();
    }

    /** The stream id; {@code 0} until {@link #open} sent the request head. */
    public int id() {
        return connection.streamId(this);
    }

    /** The connection this stream belongs to. */
    public H2Connection connection() {
        return connection;
    }

    /**
     * Sends the request head ({@code HEADERS}): {@code :method :scheme :authority :path} and the
     * given fields with lower-case names, connection-specific fields left out.
     *
     * @param endStream true when the request has no body (then {@link #requestBody()} must not be used)
     * @throws IllegalArgumentException if a header holds CR, LF or NUL (nothing sent; the reservation is released)
     * @throws H2UnprocessedStreamException if the connection stopped taking streams (safe to retry elsewhere)
     * @throws IOException if writing failed (the connection failed)
     */
    public void open(String method, String path, List<Header> headers, boolean endStream) throws IOException {
        List<org.apache.hc.core5.http.Header> fields;
        try {
            fields = RequestHeaders.build(method, connection.scheme(), connection.authority(), path, headers);
        } catch (IllegalArgumentException e) {
            cancel();
            throw e;
        }
        try {
            connection.open(this, fields, endStream);
        } catch (IOException | RuntimeException e) {
            cancel();
            throw e;
        }
    }

    /**
     * The request body. Bytes are sent as DATA frames as the peer's flow-control windows allow
     * (a write blocks at most the write timeout for a window to open); {@link OutputStream#close()}
     * ends the stream. Buffers at most 16 KiB; {@link OutputStream#flush()} sends what is buffered.
     * Once the peer has sent its whole response and reset the stream with {@code NO_ERROR} (it needs
     * no more of the request, RFC 9113 §8.1), further bytes are dropped without error and the response
     * stays readable.
     */
    public OutputStream requestBody() {
        if (requestBody == null) {
            requestBody = new RequestBody();
        }
        return requestBody;
    }

    /**
     * Waits (at most the read timeout) for the final response head; informational (1xx) heads are
     * skipped.
     *
     * @throws H2StreamResetException if the peer reset the stream
     * @throws H2UnprocessedStreamException if the peer did not process it (safe to retry elsewhere)
     * @throws H2TimeoutException if nothing arrived within the read timeout
     * @throws MessageConstraintException if the head broke the header count or line limit
     */
    public H2Response awaitResponse() throws IOException {
        return connection.awaitResponse(this);
    }

    /**
     * The response body. Reading hands the peer back flow-control credit (WINDOW_UPDATE) as bytes are
     * consumed; closing before the end resets the stream. Each read waits at most the read timeout.
     */
    public InputStream responseBody() {
        if (responseBody == null) {
            responseBody = new ResponseBody();
        }
        return responseBody;
    }

    /**
     * Ends the stream from our side: resets it ({@code RST_STREAM CANCEL}) if it is still open, drops
     * buffered response bytes and releases its place in the stream limit. Idempotent; never throws.
     */
    public void cancel() {
        connection.cancel(this);
    }

    /** Whether the stream no longer counts against the connection's stream limit. */
    public boolean isReleased() {
        return connection.isReleased(this);
    }

    // --- called by the connection under its lock ---

    boolean done() {
        return failure != null || (localEnded && remoteEnded);
    }

    void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        signal.signalAll();
    }

    int take(byte[] b, int off, int len) {
        byte[] head = chunks.peekFirst();
        int n = Math.min(len, head.length - headOffset);
        System.arraycopy(head, headOffset, b, off, n);
        headOffset += n;
        if (headOffset == head.length) {
            chunks.removeFirst();
            headOffset = 0;
        }
        return n;
    }

    /**
     * Takes one decoded header block. Returns an error code to reset the stream with (after this
     * stream has been failed), or {@code -1}.
     */
    long receiveHeaders(List<org.apache.hc.core5.http.Header> fields, boolean endStream, H2Settings limits,
            String peer) {
        if (remoteEnded) {
            fail(new H2Exception(peer + " sent HEADERS on stream " + id + " after ending it (STREAM_CLOSED)"));
            return 0x5;
        }
        if (response == null) {
            String status = null;
            List<Header> regular = new ArrayList<>(fields.size());
            for (org.apache.hc.core5.http.Header f : fields) {
                String name = f.getName();
                String value = f.getValue() == null ? "" : f.getValue();
                if (name.startsWith(":")) {
                    if (!name.equals(":status") || status != null || !regular.isEmpty()) {
                        return malformed(peer, "unexpected pseudo-header '" + name + "'");
                    }
                    status = value;
                    continue;
                }
                if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                    return malformed(peer, "header name '" + name + "' is not lower-case");
                }
                if (regular.size() + 1 > limits.maxHeaderCount()) {
                    fail(new MessageConstraintException("Maximum header count exceeded: more than "
                            + limits.maxHeaderCount() + " header fields on stream " + id + " from " + peer));
                    return 0x8;
                }
                if (name.length() + 2 + value.length() > limits.maxHeaderLine()) {
                    fail(new MessageConstraintException("Maximum line length limit exceeded: header '" + name
                            + "' of " + (name.length() + 2 + value.length()) + " bytes on stream " + id + " from "
                            + peer));
                    return 0x8;
                }
                regular.add(new Header(name, value));
            }
            int code;
            try {
                code = status == null || status.length() != 3 ? -1 : Integer.parseInt(status);
            } catch (NumberFormatException e) {
                code = -1;
            }
            if (code < 100) {
                return malformed(peer, status == null ? "no :status" : "invalid :status '" + status + "'");
            }
            if (code < 200) {
                if (endStream) {
                    return malformed(peer, "an informational response ended the stream");
                }
                return -1;
            }
            response = new H2Response(code, regular);
        } else if (!endStream) {
            return malformed(peer, "a second header block that does not end the stream");
        }
        if (endStream) {
            remoteEnded = true;
        }
        signal.signalAll();
        return -1;
    }

    private long malformed(String peer, String what) {
        fail(new H2Exception("Malformed response from " + peer + " on stream " + id + ": " + what));
        return 0x1;
    }

    /**
     * Takes one DATA frame's payload, which the stream may keep (the reader made it for this frame);
     * {@code frameLength} includes padding. Returns an error code or -1.
     */
    long receiveData(byte[] payload, int off, int len, int frameLength, boolean endStream, String peer) {
        if (remoteEnded) {
            fail(new H2Exception(peer + " sent DATA on stream " + id + " after ending it (STREAM_CLOSED)"));
            return 0x5;
        }
        if (frameLength > recvWindow) {
            fail(new H2Exception(peer + " sent more DATA on stream " + id + " than its window of " + recvWindow
                    + " bytes allowed (FLOW_CONTROL_ERROR)"));
            return 0x3;
        }
        if (response == null) {
            return malformed(peer, "DATA before the response head");
        }
        recvWindow -= frameLength;
        consumed += frameLength - len;
        if (len > 0) {
            if (off == 0 && len == payload.length) {
                chunks.addLast(payload); // the reader made this array for this frame alone: kept as it is
            } else {
                byte[] copy = new byte[len];
                System.arraycopy(payload, off, copy, 0, len);
                chunks.addLast(copy);
            }
        }
        if (endStream) {
            remoteEnded = true;
        }
        signal.signalAll();
        return -1;
    }

    /** Request body writer; see {@link #requestBody()}. */
    private final class RequestBody extends OutputStream {

        private final byte[] buffer = new byte[BODY_BUFFER];
        private int count;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            if (count == buffer.length) {
                flushBuffer();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len >= buffer.length) {
                flushBuffer();
                connection.sendData(H2Stream.this, b, off, len, false);
                return;
            }
            if (len > buffer.length - count) {
                flushBuffer();
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
            flushBuffer();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            int n = count;
            count = 0;
            connection.sendData(H2Stream.this, buffer, 0, n, true);
        }

        private void flushBuffer() throws IOException {
            if (count > 0) {
                int n = count;
                count = 0;
                connection.sendData(H2Stream.this, buffer, 0, n, false);
            }
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("request body of stream " + id() + " already closed");
            }
        }
    }

    /** Response body reader; see {@link #responseBody()}. */
    private final class ResponseBody extends InputStream {

        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return connection.read(H2Stream.this, b, off, len);
        }

        @Override
        public int available() {
            return connection.available(H2Stream.this);
        }

        @Override
        public void close() {
            cancel();
        }
    }
}
