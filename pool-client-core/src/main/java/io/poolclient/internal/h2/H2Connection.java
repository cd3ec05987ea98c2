package io.poolclient.internal.h2;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.apache.hc.core5.http2.hpack.HPackException;

/**
 * One HTTP/2 connection of a client: the preface and SETTINGS exchange, a reader thread that
 * dispatches frames to streams, stream ids, flow control both ways, PING and GOAWAY.
 *
 * <p>Threads and guarantees:
 * <ul>
 *   <li>Exactly one reader thread per connection, made by the {@link ThreadFactory} given to
 *       {@link #start}; it ends when the connection closes. No thread per stream: callers do their
 *       own writing and waiting. Waits use {@link ReentrantLock}/{@link Condition} (no
 *       {@code synchronized}), so virtual threads park instead of pinning.</li>
 *   <li>All connection and stream state is guarded by one lock, held only briefly and never across
 *       socket I/O. Frames are written under a separate write lock, which also keeps stream ids in
 *       the order they were given; a writer waits for it at most the write timeout. A writer that
 *       sees another queued for the write lock leaves its frames buffered for that one to send with
 *       its own (one socket write for writers arriving together); the last one flushes, and a queued
 *       writer that gives up waiting flushes what was left to it.</li>
 *   <li>{@link #reserve()} never blocks: it either counts a new stream against the current limit
 *       ({@link #maxConcurrentStreams()}) or returns {@code null}. Any thread may call the query
 *       methods, {@link #ping} and {@link #close()}; {@link #isAcceptingStreams()} and
 *       {@link #maxConcurrentStreams()} take no lock (they read what the last holder of the lock
 *       published), so a pool may ask them under its own lock without waiting for this one.</li>
 *   <li>The {@link H2ConnectionListener} is called with no lock held.</li>
 *   <li>Memory is bounded: each stream buffers at most its receive window
 *       ({@link H2Settings#streamWindow()}), the request body at most 16 KiB per stream.</li>
 * </ul>
 *
 * <p>GOAWAY: the connection takes no new streams; streams above the peer's last-stream-id fail with
 * {@link H2UnprocessedStreamException} (safe to retry elsewhere), the others complete, then the
 * connection closes. The peer closing the socket once those are done is the normal end too. A GOAWAY
 * with an error code, a protocol violation by the peer or an I/O error fails every open stream with
 * {@link H2ConnectionException} (streams above a GOAWAY's last-stream-id with
 * {@link H2UnprocessedStreamException}) and closes the connection.
 *
 * <p>Write stalls: a wait for flow-control window ends after the write timeout; a socket write blocked
 * longer than the write timeout (a peer that stopped reading) fails the connection, noticed by the
 * reader thread when its read next times out.
 */
public final class H2Connection implements Closeable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_TABLE_SIZE = 4096;
    private static final int NO_ERROR = 0x0;
    private static final int PROTOCOL_ERROR = 0x1;
    private static final int FLOW_CONTROL_ERROR = 0x3;
    private static final int FRAME_SIZE_ERROR = 0x6;
    private static final int REFUSED_STREAM = 0x7;
    private static final int CANCEL = 0x8;
    private static final int COMPRESSION_ERROR = 0x9;

    private final Socket socket;
    private final String authority;
    private final String scheme;
    private final String peer;
    private final H2Settings settings;
    private final H2ConnectionListener listener;
    private final FrameWriter writer;
    private final FrameReader reader;
    private final HPackDecoder decoder = new HPackDecoder(HEADER_TABLE_SIZE, StandardCharsets.UTF_8);
    private final int maxHeaderBlock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final List<Runnable> events = new ArrayList<>();

    // guarded by lock
    private final Map<Integer, H2Stream> streams = new HashMap<>();
    private final Set<Long> pendingPings = new HashSet<>();
    private int active;
    private int nextStreamId = 1;
    private long peerMaxStreams = Integer.MAX_VALUE;
    private int peerInitialWindow = H2Settings.DEFAULT_WINDOW;
    private int peerMaxFrameSize = Frame.DEFAULT_MAX_FRAME_SIZE;
    private long sendWindow = H2Settings.DEFAULT_WINDOW;
    private boolean peerSettingsSeen;
    private boolean goAway;
    private int goAwayLastStreamId = Integer.MAX_VALUE;
    private H2Exception failure;
    private long nextPing;
    private long streamsOpened;

    // reader thread only
    private long recvWindow;
    private long recvUnacked;
    private boolean peerErrorGoAway;

    /**
     * What {@link #isAcceptingStreams()} and {@link #maxConcurrentStreams()} answer, republished from
     * the state above each time the lock is released, so that the pool can ask without taking it.
     */
    private volatile boolean acceptingNow = true;
    private volatile int limitNow;

    /** {@link System#nanoTime()} when the current holder of the write lock started writing, 0 when none. */
    private volatile long writeSince;
    private volatile boolean writeStalled;
    /** True while frames sit in the writer's buffer, left by a writer for the one queued behind it to flush. */
    private volatile boolean flushPending;
    private volatile boolean terminated;
    private volatile long lastActivityNanos;

    private H2Connection(Socket socket, String authority, H2Settings settings, H2ConnectionListener listener)
            throws IOException {
        this.socket = socket;
        this.authority = authority;
        this.scheme = socket instanceof SSLSocket ? "https" : "http";
        this.peer = authority;
        this.settings = settings;
        this.listener = listener;
        this.writer = new FrameWriter(new BufferedOutputStream(socket.getOutputStream(), 32 * 1024));
        this.reader = new FrameReader(new BufferedInputStream(socket.getInputStream(), 32 * 1024), this::readerIdle);
        this.maxHeaderBlock = (int) Math.min(Integer.MAX_VALUE - 8,
                4096L + (long) settings.maxHeaderCount() * (settings.maxHeaderLine() + 32));
        this.recvWindow = settings.connectionWindow();
        this.lastActivityNanos = System.nanoTime();
        this.limitNow = limit();
    }

    /**
     * Starts HTTP/2 on a connected socket (plain for h2c with prior knowledge, or TLS whose ALPN chose
     * {@code h2}): sends the preface, our SETTINGS and the connection window, starts the reader thread
     * and waits (at most the read timeout) for the peer's SETTINGS, so that the stream limit is known
     * when this returns. On failure the socket is closed.
     *
     * @param authority {@code host:port} as sent in {@code :authority} and named in messages
     * @param threadFactory makes the one reader thread (a virtual-thread factory is fine)
     */
    public static H2Connection start(Socket socket, String authority, H2Settings settings, ThreadFactory threadFactory,
            H2ConnectionListener listener) throws IOException {
        H2Connection c;
        try {
            // bounds socket writes where the socket supports it; the reader repeats timed-out reads
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.writeTimeout().toMillis())));
            c = new H2Connection(socket, authority, settings, listener);
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
        try {
            c.sendPreface();
            Thread thread = threadFactory.newThread(c::readLoop);
            if (thread == null) {
                throw new IOException("the thread factory made no reader thread for " + authority);
            }
            thread.start();
            c.awaitPeerSettings();
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** {@code host:port} of the peer, as in {@code :authority}. */
    public String authority() {
        return authority;
    }

    /** {@code https} over TLS, {@code http} for h2c. */
    public String scheme() {
        return scheme;
    }

    /**
     * Counts a new stream against the limit and returns it, or returns {@code null} at once when the
     * connection is at its limit, received GOAWAY or is closed. Never blocks. The stream must be
     * {@link H2Stream#open opened} or {@link H2Stream#cancel() cancelled}.
     */
    public H2Stream reserve() {
        lock.lock();
        try {
            if (failure != null || goAway || active >= limit() || nextStreamId < 0) {
                return null;
            }
            active++;
            lastActivityNanos = System.nanoTime();
            return new H2Stream(this);
        } finally {
            unlock();
        }
    }

    /** The current stream limit: our cap lowered by the peer's {@code SETTINGS_MAX_CONCURRENT_STREAMS}. */
    public int maxConcurrentStreams() {
        return limitNow;
    }

    /** Streams counted against the limit now (reserved or open). */
    public int openStreams() {
        lock.lock();
        try {
            return active;
        } finally {
            unlock();
        }
    }

    /** Streams opened (HEADERS sent) on this connection so far. */
    public long streamsOpened() {
        lock.lock();
        try {
            return streamsOpened;
        } finally {
            unlock();
        }
    }

    /** Whether {@link #reserve()} may succeed: open and no GOAWAY received (the limit aside). */
    public boolean isAcceptingStreams() {
        return acceptingNow;
    }

    /** Whether the connection is still open (it may have received GOAWAY). */
    public boolean isOpen() {
        return !terminated;
    }

    /** {@link System#nanoTime()} of the last frame received, or stream reserved or released. */
    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    /**
     * Sends a PING and waits for its acknowledgement.
     *
     * @return the round-trip time
     * @throws H2TimeoutException if no acknowledgement came within {@code timeout}
     * @throws H2ConnectionException if the connection is or becomes closed
     */
    public Duration ping(Duration timeout) throws IOException {
        long id;
        lock.lock();
        try {
            if (failure != null) {
                throw rethrown(failure);
            }
            id = ++nextPing;
            pendingPings.add(id);
        } finally {
            unlock();
        }
        byte[] payload = new byte[8];
        Frame.putInt32(payload, 0, (int) (id >>> 32));
        Frame.putInt32(payload, 4, (int) id);
        long start = System.nanoTime();
        write(Frame.PING, 0, 0, payload, 0, 8, true);
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (pendingPings.contains(id)) {
                if (failure != null) {
                    throw rethrown(failure);
                }
                if (left <= 0) {
                    pendingPings.remove(id);
                    throw new H2TimeoutException(peer + " did not answer a PING within " + timeout.toMillis() + " ms");
                }
                left = changed.awaitNanos(left);
            }
            return Duration.ofNanos(System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a PING answer from " + peer);
        } finally {
            unlock();
        }
    }

    /**
     * Closes the connection: sends GOAWAY (best effort), fails open streams with
     * {@link H2ConnectionException}, closes the socket and tells the listener. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            shutdown(new H2ConnectionException("The HTTP/2 connection to " + peer + " was closed", NO_ERROR, null), null,
                    true, NO_ERROR);
        } finally {
            unlock();
        }
    }

    @Override
    public String toString() {
        return "H2Connection[" + peer + "]";
    }

    // --- for H2Stream ---

    Condition newCondition() {
        return lock.newCondition();
    }

    int streamId(H2Stream s) {
        lock.lock();
        try {
            return s.id;
        } finally {
            unlock();
        }
    }

    boolean isReleased(H2Stream s) {
        lock.lock();
        try {
            return s.released;
        } finally {
            unlock();
        }
    }

    void open(H2Stream s, List<org.apache.hc.core5.http.Header> fields, boolean endStream) throws IOException {
        // stateless encoding, done before taking the write lock so that callers do not queue behind it
        byte[] bytes = HeaderBlockEncoder.encode(fields);
        acquireWriteLock();
        try {
            int id;
            int maxFrame;
            lock.lock();
            try {
                if (s.released || s.id != 0) {
                    throw new IllegalStateException("stream already opened or cancelled");
                }
                if (failure != null) {
                    throw new H2UnprocessedStreamException("The HTTP/2 connection to " + peer
                            + " closed before the stream was opened; it was not sent (" + failure.getMessage() + ")");
                }
                if (goAway || nextStreamId < 0) {
                    throw new H2UnprocessedStreamException(peer + " sent GOAWAY before the stream was opened; it was"
                            + " not sent");
                }
                id = nextStreamId;
                nextStreamId += 2;
                s.id = id;
                s.sendWindow = peerInitialWindow;
                s.recvWindow = settings.streamWindow();
                s.localEnded = endStream;
                streams.put(id, s);
                streamsOpened++;
                maxFrame = peerMaxFrameSize;
            } finally {
                unlock();
            }
            int length = bytes.length;
            int off = 0;
            do {
                int n = Math.min(maxFrame, length - off);
                boolean last = off + n == length;
                int flags = (last ? Frame.FLAG_END_HEADERS : 0) | (off == 0 && endStream ? Frame.FLAG_END_STREAM : 0);
                writer.write(off == 0 ? Frame.HEADERS : Frame.CONTINUATION, flags, id, bytes, off, n);
                off += n;
            } while (off < length);
            flushOrLeave();
        } catch (IOException e) {
            throw streamFailure(s, writeFailed(e));
        } finally {
            releaseWriteLock();
        }
    }

    void sendData(H2Stream s, byte[] b, int off, int len, boolean endStream) throws IOException {
        do {
            int n;
            int id;
            boolean last;
            lock.lock();
            try {
                long left = settings.writeTimeout().toNanos();
                if (!checkWritable(s)) {
                    return;
                }
                while (len > 0 && (s.sendWindow <= 0 || sendWindow <= 0)) {
                    if (left <= 0) {
                        throw new H2TimeoutException(peer + " kept the flow-control window of stream " + s.id
                                + " closed for " + settings.writeTimeout().toMillis() + " ms (write timeout)");
                    }
                    left = changed.awaitNanos(left);
                    if (!checkWritable(s)) {
                        return;
                    }
                }
                n = (int) Math.min(Math.min(len, peerMaxFrameSize), Math.min(s.sendWindow, sendWindow));
                s.sendWindow -= n;
                sendWindow -= n;
                last = endStream && n == len;
                id = s.id;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for the flow-control window of " + peer);
            } finally {
                unlock();
            }
            try {
                write(Frame.DATA, last ? Frame.FLAG_END_STREAM : 0, id, b, off, n, true);
            } catch (H2ConnectionException e) {
                throw streamFailure(s, e);
            }
            off += n;
            len -= n;
            if (last) {
                lock.lock();
                try {
                    s.localEnded = true;
                    if (s.done()) {
                        release(s);
                    }
                } finally {
                    unlock();
                }
            }
        } while (len > 0);
    }

    /**
     * Whether request body bytes may be sent on {@code s}: {@code false} when the peer already sent the
     * whole response and then asked us to stop sending ({@code RST_STREAM NO_ERROR}, RFC 9113 §8.1), in
     * which case the rest of the body is dropped without error and the response stays readable.
     */
    private boolean checkWritable(H2Stream s) throws IOException {
        if (s.id == 0) {
            throw new IllegalStateException("stream not opened");
        }
        if (s.stoppedByPeer) {
            return false;
        }
        if (s.failure != null) {
            throw rethrown(s.failure);
        }
        if (s.localEnded) {
            throw new IllegalStateException("stream " + s.id + " already ended its request");
        }
        return true;
    }

    H2Response awaitResponse(H2Stream s) throws IOException {
        lock.lock();
        try {
            long left = settings.readTimeout().toNanos();
            while (s.response == null) {
                if (s.failure != null) {
                    throw rethrown(s.failure);
                }
                if (s.id == 0) {
                    throw new IllegalStateException("stream not opened");
                }
                if (left <= 0) {
                    throw new H2TimeoutException(peer + " sent no response head on stream " + s.id + " within "
                            + settings.readTimeout().toMillis() + " ms (read timeout)");
                }
                left = s.signal.awaitNanos(left);
            }
            return s.response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the response from " + peer);
        } finally {
            unlock();
        }
    }

    int read(H2Stream s, byte[] b, int off, int len) throws IOException {
        int n;
        int credit = 0;
        int id;
        lock.lock();
        try {
            long left = settings.readTimeout().toNanos();
            while (s.chunks.isEmpty()) {
                if (s.remoteEnded) {
                    return -1;
                }
                if (s.failure != null) {
                    throw rethrown(s.failure);
                }
                if (s.response == null) {
                    throw new IllegalStateException("response head not received");
                }
                if (left <= 0) {
                    throw new H2TimeoutException(peer + " sent no body bytes on stream " + s.id + " for "
                            + settings.readTimeout().toMillis() + " ms (read timeout)");
                }
                left = s.signal.awaitNanos(left);
            }
            n = s.take(b, off, len);
            id = s.id;
            if (!s.remoteEnded && !s.released) {
                s.consumed += n;
                if (s.consumed >= settings.streamWindow() / 2) {
                    credit = s.consumed;
                    s.consumed = 0;
                    s.recvWindow += credit;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted reading the response from " + peer);
        } finally {
            unlock();
        }
        if (credit > 0) {
            try {
                write(Frame.WINDOW_UPDATE, 0, id, windowIncrement(credit), 0, 4, true);
            } catch (IOException e) {
                // the connection failed; the bytes read are good, the next read reports the failure
            }
        }
        return n;
    }

    int available(H2Stream s) {
        lock.lock();
        try {
            int total = 0;
            for (byte[] chunk : s.chunks) {
                total += chunk.length;
            }
            return total - s.headOffset;
        } finally {
            unlock();
        }
    }

    void cancel(H2Stream s) {
        boolean reset;
        int id;
        lock.lock();
        try {
            s.chunks.clear();
            s.headOffset = 0;
            if (s.released) {
                return;
            }
            id = s.id;
            reset = id != 0 && !s.done() && failure == null;
            s.fail(new H2Exception("stream " + id + " to " + peer + " was closed"));
            release(s);
        } finally {
            unlock();
        }
        if (reset) {
            try {
                write(Frame.RST_STREAM, 0, id, errorCode(CANCEL), 0, 4, true);
            } catch (IOException e) {
                // the connection failed and has failed its streams; nothing more to do for this one
            }
        }
    }

    // --- reader thread ---

    private void readLoop() {
        try {
            Frame first;
            try {
                first = reader.read(Frame.DEFAULT_MAX_FRAME_SIZE, peer);
            } catch (H2ConnectionException notHttp2) {
                throw protocolError(peer + " did not start with an HTTP/2 SETTINGS frame (is it an HTTP/2 server?): "
                        + notHttp2.getMessage(), PROTOCOL_ERROR);
            }
            if (first.type() != Frame.SETTINGS || first.has(Frame.FLAG_ACK)) {
                throw protocolError(peer + " did not start with SETTINGS but sent " + Frame.typeName(first.type())
                        + " (is it an HTTP/2 server?)", PROTOCOL_ERROR);
            }
            dispatch(first);
            while (true) {
                dispatch(reader.read(Frame.DEFAULT_MAX_FRAME_SIZE, peer));
            }
        } catch (H2ConnectionException e) {
            fail(e, !peerErrorGoAway && e.errorCode() != NO_ERROR, e.errorCode());
        } catch (EOFException e) {
            closedByPeer(e, peer + " closed the HTTP/2 connection (" + e.getMessage() + ")");
        } catch (IOException e) {
            closedByPeer(e, "Reading from " + peer + " failed: " + e);
        } catch (RuntimeException e) {
            fail(new H2ConnectionException("Reading from " + peer + " failed: " + e, NO_ERROR, e), false, NO_ERROR);
        }
    }

    /**
     * The peer closed the socket (or reading failed). After a graceful GOAWAY with none of the streams it promised to
     * process still open, that is the normal end (reported as a close without failure); streams only
     * reserved then fail as unprocessed when opened. Otherwise the open streams fail.
     */
    private void closedByPeer(IOException e, String message) {
        lock.lock();
        try {
            if (goAway && !peerErrorGoAway && streams.isEmpty()) {
                shutdown(new H2ConnectionException(peer + " sent GOAWAY and closed the HTTP/2 connection", NO_ERROR, null),
                        null, false, NO_ERROR);
                return;
            }
        } finally {
            unlock();
        }
        fail(new H2ConnectionException(message, NO_ERROR, e), false, NO_ERROR);
    }

    private void dispatch(Frame f) throws IOException {
        lastActivityNanos = System.nanoTime();
        switch (f.type()) {
            case Frame.DATA -> onData(f);
            case Frame.HEADERS -> onHeaders(f);
            case Frame.PRIORITY -> {
                if (f.streamId() == 0 || f.length() != 5) {
                    throw protocolError(peer + " sent an invalid PRIORITY frame", PROTOCOL_ERROR);
                }
            }
            case Frame.RST_STREAM -> onReset(f);
            case Frame.SETTINGS -> onSettings(f);
            case Frame.PUSH_PROMISE -> throw protocolError(peer + " sent PUSH_PROMISE although push is disabled",
                    PROTOCOL_ERROR);
            case Frame.PING -> onPing(f);
            case Frame.GOAWAY -> onGoAway(f);
            case Frame.WINDOW_UPDATE -> onWindowUpdate(f);
            case Frame.CONTINUATION -> throw protocolError(peer + " sent CONTINUATION without HEADERS", PROTOCOL_ERROR);
            default -> {
                // frames of unknown types are ignored, as HTTP/2 requires
            }
        }
    }

    private void onData(Frame f) throws IOException {
        int id = f.streamId();
        byte[] p = f.payload();
        int off = 0;
        int len = p.length;
        if (id == 0) {
            throw protocolError(peer + " sent DATA on stream 0", PROTOCOL_ERROR);
        }
        if (f.has(Frame.FLAG_PADDED)) {
            int pad = len > 0 ? p[0] & 0xff : -1;
            if (pad < 0 || pad >= len) {
                throw protocolError(peer + " sent DATA with invalid padding", PROTOCOL_ERROR);
            }
            off = 1;
            len = len - 1 - pad;
        }
        if (f.length() > recvWindow) {
            throw protocolError(peer + " sent more DATA than the connection window of " + recvWindow
                    + " bytes allowed", FLOW_CONTROL_ERROR);
        }
        recvWindow -= f.length();
        recvUnacked += f.length();
        long reset = -1;
        lock.lock();
        try {
            H2Stream s = streams.get(id);
            if (s == null) {
                checkKnown(id, "DATA");
            } else {
                reset = s.receiveData(p, off, len, f.length(), f.has(Frame.FLAG_END_STREAM), peer);
                if (s.done()) {
                    release(s);
                }
            }
        } finally {
            unlock();
        }
        if (recvUnacked >= settings.connectionWindow() / 2) {
            int credit = (int) recvUnacked;
            recvUnacked = 0;
            recvWindow += credit;
            write(Frame.WINDOW_UPDATE, 0, 0, windowIncrement(credit), 0, 4, true);
        }
        if (reset >= 0) {
            write(Frame.RST_STREAM, 0, id, errorCode(reset), 0, 4, true);
        }
    }

    private void onHeaders(Frame f) throws IOException {
        int id = f.streamId();
        byte[] p = f.payload();
        int off = 0;
        int end = p.length;
        if (id == 0) {
            throw protocolError(peer + " sent HEADERS on stream 0", PROTOCOL_ERROR);
        }
        if (f.has(Frame.FLAG_PADDED)) {
            int pad = end > 0 ? p[0] & 0xff : end;
            off = 1;
            end -= pad;
        }
        if (f.has(Frame.FLAG_PRIORITY)) {
            off += 5;
        }
        if (off > end) {
            throw protocolError(peer + " sent a HEADERS frame with invalid padding or priority", PROTOCOL_ERROR);
        }
        ByteBuffer whole = null;
        ByteArrayOutputStream block = null;
        boolean endHeaders = f.has(Frame.FLAG_END_HEADERS);
        if (endHeaders) {
            whole = ByteBuffer.wrap(p, off, end - off); // the usual case: one frame, decoded in place
        } else {
            block = new ByteArrayOutputStream(end - off);
            block.write(p, off, end - off);
        }
        while (!endHeaders) {
            Frame c = reader.read(Frame.DEFAULT_MAX_FRAME_SIZE, peer);
            if (c.type() != Frame.CONTINUATION || c.streamId() != id) {
                throw protocolError(peer + " sent " + Frame.typeName(c.type()) + " inside a header block of stream "
                        + id, PROTOCOL_ERROR);
            }
            if (block.size() + c.length() > maxHeaderBlock) {
                throw protocolError(peer + " sent a header block larger than " + maxHeaderBlock + " bytes", 0xb);
            }
            block.write(c.payload(), 0, c.length());
            endHeaders = c.has(Frame.FLAG_END_HEADERS);
        }
        List<org.apache.hc.core5.http.Header> fields;
        try {
            fields = decoder.decodeHeaders(whole != null ? whole : ByteBuffer.wrap(block.toByteArray()));
        } catch (HPackException e) {
            throw protocolError(peer + " sent a header block that cannot be decoded: " + e.getMessage(),
                    COMPRESSION_ERROR);
        }
        long reset = -1;
        lock.lock();
        try {
            H2Stream s = streams.get(id);
            if (s == null) {
                checkKnown(id, "HEADERS");
            } else {
                reset = s.receiveHeaders(fields, f.has(Frame.FLAG_END_STREAM), settings, peer);
                if (s.done()) {
                    release(s);
                }
            }
        } finally {
            unlock();
        }
        if (reset >= 0) {
            write(Frame.RST_STREAM, 0, id, errorCode(reset), 0, 4, true);
        }
    }

    /** Frames for streams we closed are ignored; frames for streams never opened are a protocol error. */
    private void checkKnown(int id, String type) throws H2ConnectionException {
        if ((id & 1) == 0 || id >= nextStreamId) {
            throw protocolError(peer + " sent " + type + " on stream " + id + ", which was never opened",
                    PROTOCOL_ERROR);
        }
    }

    private void onReset(Frame f) throws IOException {
        if (f.streamId() == 0) {
            throw protocolError(peer + " sent RST_STREAM on stream 0", PROTOCOL_ERROR);
        }
        if (f.length() != 4) {
            throw protocolError(peer + " sent RST_STREAM of " + f.length() + " bytes", FRAME_SIZE_ERROR);
        }
        long code = Frame.int32(f.payload(), 0) & 0xffffffffL;
        lock.lock();
        try {
            H2Stream s = streams.get(f.streamId());
            if (s == null) {
                checkKnown(f.streamId(), "RST_STREAM");
                return;
            }
            if (code == NO_ERROR && s.remoteEnded) {
                // the whole response arrived: keep its buffered body for the caller, drop the rest of the request
                s.stoppedByPeer = true;
                s.localEnded = true;
            } else if (code == REFUSED_STREAM) {
                s.fail(new H2UnprocessedStreamException(peer + " refused stream " + s.id
                        + " (RST_STREAM REFUSED_STREAM); it was not processed"));
                s.chunks.clear();
            } else {
                s.fail(new H2StreamResetException(peer + " reset stream " + s.id + " (RST_STREAM "
                        + H2ConnectionException.errorName(code) + ")", code));
                s.chunks.clear();
            }
            changed.signalAll();
            release(s);
        } finally {
            unlock();
        }
    }

    private void onSettings(Frame f) throws IOException {
        if (f.streamId() != 0) {
            throw protocolError(peer + " sent SETTINGS on stream " + f.streamId(), PROTOCOL_ERROR);
        }
        if (f.has(Frame.FLAG_ACK)) {
            if (f.length() != 0) {
                throw protocolError(peer + " sent a SETTINGS acknowledgement with a payload", FRAME_SIZE_ERROR);
            }
            return;
        }
        if (f.length() % 6 != 0) {
            throw protocolError(peer + " sent SETTINGS of " + f.length() + " bytes", FRAME_SIZE_ERROR);
        }
        byte[] p = f.payload();
        lock.lock();
        try {
            for (int at = 0; at < p.length; at += 6) {
                int key = ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff);
                long value = Frame.int32(p, at + 2) & 0xffffffffL;
                switch (key) {
                    case Frame.SETTINGS_ENABLE_PUSH -> {
                        if (value > 1) {
                            throw protocolError(peer + " sent SETTINGS_ENABLE_PUSH " + value, PROTOCOL_ERROR);
                        }
                    }
                    case Frame.SETTINGS_MAX_CONCURRENT_STREAMS -> peerMaxStreams = value;
                    case Frame.SETTINGS_INITIAL_WINDOW_SIZE -> {
                        if (value > H2Settings.MAX_WINDOW) {
                            throw protocolError(peer + " sent SETTINGS_INITIAL_WINDOW_SIZE " + value,
                                    FLOW_CONTROL_ERROR);
                        }
                        long delta = value - peerInitialWindow;
                        for (H2Stream s : streams.values()) {
                            s.sendWindow += delta;
                            if (s.sendWindow > H2Settings.MAX_WINDOW) {
                                throw protocolError(peer + " overflowed the window of stream " + s.id,
                                        FLOW_CONTROL_ERROR);
                            }
                        }
                        peerInitialWindow = (int) value;
                    }
                    case Frame.SETTINGS_MAX_FRAME_SIZE -> {
                        if (value < Frame.DEFAULT_MAX_FRAME_SIZE || value > Frame.MAX_MAX_FRAME_SIZE) {
                            throw protocolError(peer + " sent SETTINGS_MAX_FRAME_SIZE " + value, PROTOCOL_ERROR);
                        }
                        peerMaxFrameSize = (int) value;
                    }
                    default -> {
                        // header table size: our encoder never indexes; header list size and unknown keys: ignored
                    }
                }
            }
            peerSettingsSeen = true;
            changed.signalAll();
            events.add(() -> listener.settingsChanged(this));
        } finally {
            unlock();
        }
        write(Frame.SETTINGS, Frame.FLAG_ACK, 0, new byte[0], 0, 0, true);
    }

    private void onPing(Frame f) throws IOException {
        if (f.streamId() != 0 || f.length() != 8) {
            throw protocolError(peer + " sent an invalid PING frame", f.length() != 8 ? FRAME_SIZE_ERROR : PROTOCOL_ERROR);
        }
        if (!f.has(Frame.FLAG_ACK)) {
            write(Frame.PING, Frame.FLAG_ACK, 0, f.payload(), 0, 8, true);
            return;
        }
        long id = ((long) Frame.int32(f.payload(), 0) << 32) | (Frame.int32(f.payload(), 4) & 0xffffffffL);
        lock.lock();
        try {
            if (pendingPings.remove(id)) {
                changed.signalAll();
            }
        } finally {
            unlock();
        }
    }

    private void onGoAway(Frame f) throws IOException {
        if (f.streamId() != 0 || f.length() < 8) {
            throw protocolError(peer + " sent an invalid GOAWAY frame", PROTOCOL_ERROR);
        }
        byte[] p = f.payload();
        int last = Frame.int32(p, 0) & 0x7fffffff;
        long code = Frame.int32(p, 4) & 0xffffffffL;
        String debug = new String(p, 8, Math.min(p.length - 8, 200), StandardCharsets.UTF_8).strip();
        lock.lock();
        try {
            goAway = true;
            goAwayLastStreamId = Math.min(goAwayLastStreamId, last);
            for (H2Stream s : new ArrayList<>(streams.values())) {
                if (s.id > goAwayLastStreamId) {
                    s.fail(unprocessed(s.id, code));
                    s.chunks.clear();
                    release(s);
                }
            }
            changed.signalAll();
            events.add(() -> listener.goAway(this, last, code));
            if (code == NO_ERROR) {
                closeIfDrained();
            }
        } finally {
            unlock();
        }
        if (code != NO_ERROR) {
            peerErrorGoAway = true;
            throw new H2ConnectionException(peer + " sent GOAWAY with error " + H2ConnectionException.errorName(code)
                    + (debug.isEmpty() ? "" : " (" + debug + ")") + "; the HTTP/2 connection failed", code, null);
        }
    }

    private void onWindowUpdate(Frame f) throws IOException {
        if (f.length() != 4) {
            throw protocolError(peer + " sent WINDOW_UPDATE of " + f.length() + " bytes", FRAME_SIZE_ERROR);
        }
        int increment = Frame.int32(f.payload(), 0) & 0x7fffffff;
        int id = f.streamId();
        long reset = -1;
        lock.lock();
        try {
            if (id == 0) {
                if (increment == 0) {
                    throw protocolError(peer + " sent a WINDOW_UPDATE of 0 for the connection", PROTOCOL_ERROR);
                }
                sendWindow += increment;
                if (sendWindow > H2Settings.MAX_WINDOW) {
                    throw protocolError(peer + " overflowed the connection window", FLOW_CONTROL_ERROR);
                }
            } else {
                H2Stream s = streams.get(id);
                if (s == null) {
                    checkKnown(id, "WINDOW_UPDATE");
                } else if (increment == 0 || s.sendWindow + increment > H2Settings.MAX_WINDOW) {
                    s.fail(new H2Exception(peer + " sent an invalid WINDOW_UPDATE for stream " + id));
                    reset = increment == 0 ? PROTOCOL_ERROR : FLOW_CONTROL_ERROR;
                    release(s);
                } else {
                    s.sendWindow += increment;
                }
            }
            changed.signalAll();
        } finally {
            unlock();
        }
        if (reset >= 0) {
            write(Frame.RST_STREAM, 0, id, errorCode(reset), 0, 4, true);
        }
    }

    // --- state changes, under lock ---

    private int limit() {
        return (int) Math.min(settings.maxConcurrentStreams(), peerMaxStreams);
    }

    private H2UnprocessedStreamException unprocessed(int id, long code) {
        return new H2UnprocessedStreamException(peer + " sent GOAWAY (" + H2ConnectionException.errorName(code)
                + ", last stream " + goAwayLastStreamId + "): stream " + id + " was not processed; safe to retry");
    }

    /** Stops counting a stream against the limit; a drained connection after GOAWAY closes. */
    private void release(H2Stream s) {
        if (s.released) {
            return;
        }
        s.released = true;
        if (s.id != 0) {
            streams.remove(s.id);
        }
        active--;
        lastActivityNanos = System.nanoTime();
        s.signal.signalAll();
        changed.signalAll();
        events.add(() -> listener.streamClosed(this));
        closeIfDrained();
    }

    private void closeIfDrained() {
        if (goAway && active == 0 && failure == null) {
            shutdown(new H2ConnectionException(peer + " sent GOAWAY; the HTTP/2 connection is closed", NO_ERROR, null),
                    null, false, NO_ERROR);
        }
    }

    /** Fails the connection from any thread; the first failure wins. */
    private void fail(H2ConnectionException cause, boolean sendGoAway, long code) {
        lock.lock();
        try {
            shutdown(cause, cause, sendGoAway, code);
        } finally {
            unlock();
        }
    }

    private void shutdown(H2ConnectionException cause, H2Exception reported, boolean sendGoAway, long code) {
        if (failure != null) {
            return;
        }
        failure = cause;
        terminated = true;
        for (H2Stream s : new ArrayList<>(streams.values())) {
            s.fail(s.id > goAwayLastStreamId ? unprocessed(s.id, code) : cause);
            release(s);
        }
        pendingPings.clear();
        changed.signalAll();
        int lastPeerStream = 0;
        events.add(() -> {
            if (sendGoAway) {
                sendGoAwayQuietly(lastPeerStream, code);
            }
            closeQuietly(socket);
            try {
                listener.closed(this, reported);
            } catch (RuntimeException ignored) {
                // a listener must not throw; the connection is closed either way
            }
        });
    }

    private void sendGoAwayQuietly(int lastStreamId, long code) {
        byte[] payload = new byte[8];
        Frame.putInt32(payload, 0, lastStreamId);
        Frame.putInt32(payload, 4, (int) code);
        try {
            if (writeLock.tryLock(100, TimeUnit.MILLISECONDS)) {
                writeSince = startedNow();
                try {
                    writer.write(Frame.GOAWAY, 0, 0, payload);
                    writer.flush();
                } finally {
                    releaseWriteLock();
                }
            }
        } catch (IOException | InterruptedException e) {
            // best effort: the socket is closed next anyway
        }
    }

    /** Releases the lock, then runs the listener calls and socket closes queued under it. */
    private void unlock() {
        publishQueries();
        List<Runnable> run = null;
        if (!events.isEmpty() && lock.getHoldCount() == 1) {
            run = new ArrayList<>(events);
            events.clear();
        }
        lock.unlock();
        if (run != null) {
            for (Runnable r : run) {
                try {
                    r.run();
                } catch (RuntimeException ignored) {
                    // a listener must not throw; keep the connection's own work going
                }
            }
        }
    }

    /** Lock held: republishes the lock-free answers when the state behind them changed. */
    private void publishQueries() {
        boolean accepting = failure == null && !goAway && nextStreamId > 0;
        if (accepting != acceptingNow) {
            acceptingNow = accepting;
        }
        int limit = limit();
        if (limit != limitNow) {
            limitNow = limit;
        }
    }

    // --- writing ---

    private void sendPreface() throws IOException {
        byte[] ours = new byte[3 * 6];
        putSetting(ours, 0, Frame.SETTINGS_ENABLE_PUSH, 0);
        putSetting(ours, 6, Frame.SETTINGS_INITIAL_WINDOW_SIZE, settings.streamWindow());
        putSetting(ours, 12, Frame.SETTINGS_MAX_HEADER_LIST_SIZE, maxHeaderBlock);
        writeLock.lock();
        writeSince = startedNow();
        try {
            writer.writeRaw(PREFACE);
            writer.write(Frame.SETTINGS, 0, 0, ours);
            int extra = settings.connectionWindow() - H2Settings.DEFAULT_WINDOW;
            if (extra > 0) {
                writer.write(Frame.WINDOW_UPDATE, 0, 0, windowIncrement(extra));
            }
            writer.flush();
        } finally {
            releaseWriteLock();
        }
    }

    private void awaitPeerSettings() throws IOException {
        lock.lock();
        try {
            long left = settings.readTimeout().toNanos();
            while (!peerSettingsSeen) {
                if (failure != null) {
                    throw rethrown(failure);
                }
                if (left <= 0) {
                    throw new H2TimeoutException(peer + " sent no SETTINGS within " + settings.readTimeout().toMillis()
                            + " ms (read timeout)");
                }
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the SETTINGS of " + peer);
        } finally {
            unlock();
        }
    }

    private void write(int type, int flags, int id, byte[] payload, int off, int len, boolean flush)
            throws IOException {
        acquireWriteLock();
        try {
            if (terminated) {
                lock.lock();
                try {
                    throw rethrown(failure);
                } finally {
                    unlock();
                }
            }
            writer.write(type, flags, id, payload, off, len);
            if (flush) {
                flushOrLeave();
            }
        } catch (IOException e) {
            throw writeFailed(e);
        } finally {
            releaseWriteLock();
        }
    }

    private void acquireWriteLock() throws IOException {
        try {
            if (!writeLock.tryLock(settings.writeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                flushLeftover();
                throw new H2TimeoutException("Could not write to " + peer + " for "
                        + settings.writeTimeout().toMillis() + " ms (write timeout): another write is stalled");
            }
            writeSince = startedNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            flushLeftover(); // a writer before us may have left its frames for us to flush
            throw new InterruptedIOException("interrupted waiting to write to " + peer);
        }
    }

    /**
     * What a caller writing on {@code s} is told when the connection failed under it: the stream's own
     * failure if that says it was not processed (it was above a GOAWAY's last-stream-id, safe to retry),
     * else {@code e}.
     */
    private IOException streamFailure(H2Stream s, IOException e) {
        lock.lock();
        try {
            return s.failure instanceof H2UnprocessedStreamException ? rethrown(s.failure) : e;
        } finally {
            unlock();
        }
    }

    private void releaseWriteLock() {
        writeSince = 0;
        writeLock.unlock();
        if (flushPending && !writeLock.hasQueuedThreads()) {
            flushLeftover(); // the writer we left the flush to gave up waiting
        }
    }

    /**
     * Write lock held: sends the buffered frames, or, when another writer is queued for the lock,
     * leaves them to it, so that writers arriving together share one socket write. Every path that
     * ends holding or waiting for the lock makes sure a left flush happens: the next holder flushes
     * (or leaves it again), and a writer that gives up waiting, or releases the lock after leaving a
     * flush to a writer that since gave up, flushes through {@link #flushLeftover()}.
     */
    private void flushOrLeave() throws IOException {
        if (writeLock.hasQueuedThreads()) {
            flushPending = true;
        } else {
            flushPending = false;
            writer.flush();
        }
    }

    /**
     * No write lock held: flushes frames a writer left for a queued one, if the lock is free now; if
     * it is not, its holder flushes them when it ends. Never throws: a failed flush fails the connection.
     */
    private void flushLeftover() {
        if (!flushPending || !writeLock.tryLock()) {
            return;
        }
        IOException failed = null;
        writeSince = startedNow();
        try {
            if (flushPending) {
                flushPending = false;
                writer.flush();
            }
        } catch (IOException e) {
            failed = e;
        } finally {
            writeSince = 0;
            writeLock.unlock();
        }
        if (failed != null) {
            writeFailed(failed);
        }
    }

    /** A non-zero {@link System#nanoTime()} for {@link #writeSince}. */
    private static long startedNow() {
        long now = System.nanoTime();
        return now == 0 ? 1 : now;
    }

    /**
     * Called by the reader thread each time a read timed out (every write timeout while nothing
     * arrives); says whether to stop reading. A blocking socket write cannot time out by itself, so a
     * peer that stops reading would hold a writer forever: here a write blocked for longer than the
     * write timeout fails the connection, whose socket is then closed, which ends that write.
     */
    private boolean readerIdle() {
        long since = writeSince;
        if (!terminated && since != 0 && System.nanoTime() - since > settings.writeTimeout().toNanos()) {
            writeStalled = true;
            try {
                // closing a TLS socket otherwise waits for the stalled write to send close_notify; with
                // SO_LINGER 0 it shuts the output down instead, and the close resets the connection
                socket.setSoLinger(true, 0);
            } catch (IOException | RuntimeException ignored) {
                // the socket is being closed anyway
            }
            fail(new H2ConnectionException(peer + " stopped reading: a write to it was blocked for more than "
                    + settings.writeTimeout().toMillis() + " ms (write timeout); the HTTP/2 connection is closed",
                    NO_ERROR, null), false, NO_ERROR);
        }
        return terminated;
    }

    /**
     * A failed socket write breaks the connection; HTTP/2 failures and timeouts pass through. When the
     * connection had already failed (e.g. closed because this very write was stalled), the caller gets
     * that reason; a stalled write ends in an {@link H2TimeoutException}.
     */
    private IOException writeFailed(IOException e) {
        if (e instanceof H2Exception || e instanceof H2TimeoutException || e instanceof InterruptedIOException) {
            return e;
        }
        H2ConnectionException failed = new H2ConnectionException("Writing to " + peer + " failed: " + e, NO_ERROR, e);
        fail(failed, false, NO_ERROR);
        lock.lock();
        try {
            if (writeStalled) {
                H2TimeoutException timeout = new H2TimeoutException(failure.getMessage());
                timeout.initCause(e);
                return timeout;
            }
            return rethrown(failure);
        } finally {
            unlock();
        }
    }

    private H2ConnectionException protocolError(String message, long code) {
        return new H2ConnectionException(message + " (" + H2ConnectionException.errorName(code) + ")", code, null);
    }

    /**
     * A fresh exception of the same type and message as a stored failure, with the stored one as its
     * cause: a failure is reported to every call that meets it, and throwing one instance twice breaks
     * try-with-resources ("self-suppression"), e.g. a request body whose write and close both fail.
     */
    static IOException rethrown(IOException stored) {
        IOException copy;
        if (stored instanceof H2UnprocessedStreamException) {
            copy = new H2UnprocessedStreamException(stored.getMessage());
        } else if (stored instanceof H2StreamResetException r) {
            copy = new H2StreamResetException(r.getMessage(), r.errorCode());
        } else if (stored instanceof H2ConnectionException c) {
            return new H2ConnectionException(c.getMessage(), c.errorCode(), c);
        } else if (stored instanceof H2TimeoutException) {
            copy = new H2TimeoutException(stored.getMessage());
        } else if (stored instanceof MessageConstraintException) {
            copy = new MessageConstraintException(stored.getMessage());
        } else if (stored.getClass() == H2Exception.class) {
            return new H2Exception(stored.getMessage(), stored);
        } else {
            return stored;
        }
        copy.initCause(stored);
        return copy;
    }

    private static byte[] windowIncrement(int increment) {
        byte[] b = new byte[4];
        Frame.putInt32(b, 0, increment);
        return b;
    }

    private static byte[] errorCode(long code) {
        byte[] b = new byte[4];
        Frame.putInt32(b, 0, (int) code);
        return b;
    }

    private static void putSetting(byte[] b, int at, int key, int value) {
        b[at] = (byte) (key >>> 8);
        b[at + 1] = (byte) key;
        Frame.putInt32(b, at + 2, value);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
