package io.poolclient.internal.http;

import io.poolclient.internal.pool.CloseReason;
import io.poolclient.internal.pool.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Arrays;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response body as it arrives on a leased connection. Ends the lease exactly once: reusable
 * when read to the end of a keep-alive response (for a body of known length, as soon as its last
 * byte is read, so that {@link #readAllBytes()} and {@link #readNBytes(int)} return the connection
 * without a close); on {@link #close()} before the end it drains at
 * most {@link #DRAIN_LIMIT} bytes (with a short timeout) and otherwise closes the connection; on a
 * read failure it closes the connection. If the stream becomes unreachable without either, a
 * {@link Cleaner} reclaims the connection and logs a leak WARN. Use from one thread.
 *
 * <p>Supports {@link #mark}/{@link #reset}, so that Spring can peek at the first byte without
 * wrapping the stream; and when the body's length is known, {@link #readNBytes(int)} and
 * {@link #readAllBytes()} read it straight into one array of that length instead of collecting
 * chunks and copying them together.
 */
final class ResponseBodyStream extends ArrayReadInputStream {

    /** Bytes a premature close reads to save the connection. */
    static final int DRAIN_LIMIT = 64 * 1024;

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "pool-client-leak-reclaimer");
        t.setDaemon(true);
        return t;
    });
    private static final Logger log = LoggerFactory.getLogger(ResponseBodyStream.class);

    private final InputStream in;
    private final Lease lease;
    private final boolean keepAlive;
    private final String mount;
    private final Duration readTimeout;
    private final Cleaner.Cleanable cleanable;
    private final long length;
    private long received;
    private boolean done;
    // bytes read since mark(), kept for reset(); null when no mark is in force
    private byte[] marked;
    private int markedCount;
    private int markLimit;
    // where reads are served from marked after reset(), or -1
    private int replay = -1;

    /**
     * @param length the body's length from {@code Content-Length}, or -1 when the end is framed otherwise
     */
    ResponseBodyStream(InputStream in, long length, Lease lease, boolean keepAlive, String mount, Duration readTimeout) {
        this.in = in;
        this.length = length;
        this.lease = lease;
        this.keepAlive = keepAlive;
        this.mount = mount;
        this.readTimeout = readTimeout;
        this.cleanable = CLEANER.register(this, new Reclaim(lease, mount));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (replay >= 0) {
            int n = Math.min(len, markedCount - replay);
            System.arraycopy(marked, replay, b, off, n);
            replay = replay + n == markedCount ? -1 : replay + n;
            return n;
        }
        int n = readWire(b, off, len);
        if (marked != null && n > 0) {
            keepForReset(b, off, n);
        }
        return n;
    }

    private int readWire(byte[] b, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        int n;
        try {
            n = in.read(b, off, len);
        }
        catch (IOException | RuntimeException e) {
            end(false, CloseReason.ERROR);
            throw Failures.map(e, mount, lease.pool().key().hostPort(), readTimeout, "reading the response body",
                    (HttpTransport) lease.connection().transport());
        }
        if (n < 0) {
            end(keepAlive, CloseReason.NOT_REUSABLE);
        }
        else {
            received += n;
            if (received == length) {
                // the whole body is here: a caller reading exactly its length never asks for the end
                end(keepAlive, CloseReason.NOT_REUSABLE);
            }
        }
        return n;
    }

    private void keepForReset(byte[] b, int off, int n) {
        if (markedCount + n > markLimit) {
            marked = null; // read past the limit: the mark is void
            return;
        }
        if (markedCount + n > marked.length) {
            marked = Arrays.copyOf(marked, Math.min(markLimit, Math.max(markedCount + n, marked.length * 2)));
        }
        System.arraycopy(b, off, marked, markedCount, n);
        markedCount += n;
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public void mark(int readlimit) {
        if (replay >= 0) {
            // marked again while replaying: keep the bytes not yet replayed
            marked = Arrays.copyOfRange(marked, replay, Math.max(markedCount, replay + Math.max(1, readlimit)));
            markedCount -= replay;
            replay = markedCount == 0 ? -1 : 0;
        }
        else {
            marked = new byte[Math.max(1, Math.min(readlimit, 8192))];
            markedCount = 0;
        }
        markLimit = Math.max(readlimit, markedCount);
    }

    @Override
    public void reset() throws IOException {
        if (marked == null) {
            throw new IOException("Resetting to an invalid mark");
        }
        replay = markedCount == 0 ? -1 : 0;
    }

    /** Bytes still to come when the length is known (replayed ones included), else -1. */
    private long remaining() {
        if (length < 0) {
            return -1;
        }
        return length - received + (replay >= 0 ? markedCount - replay : 0);
    }

    @Override
    public byte[] readNBytes(int len) throws IOException {
        if (len < 0) {
            throw new IllegalArgumentException("len < 0");
        }
        long left = remaining();
        if (left < 0 || left > len) {
            return super.readNBytes(len);
        }
        byte[] all = new byte[(int) left];
        int n = readNBytes(all, 0, all.length);
        return n == all.length ? all : Arrays.copyOf(all, n);
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        long left = remaining();
        return left < 0 || left > Integer.MAX_VALUE - 8 ? super.readAllBytes() : readNBytes((int) left);
    }

    @Override
    public int available() throws IOException {
        int replayed = replay >= 0 ? markedCount - replay : 0;
        return replayed + (done ? 0 : in.available());
    }

    /** Drains a little to save the connection, else closes it; idempotent. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        if (!keepAlive) {
            end(false, CloseReason.NOT_REUSABLE);
            return;
        }
        try {
            // the exchange that next uses this connection sets its own read timeout again
            HttpTransport t = (HttpTransport) lease.connection().transport();
            t.connection().setSocketTimeout(Timeout.of(DRAIN_TIMEOUT.compareTo(readTimeout) < 0 ? DRAIN_TIMEOUT : readTimeout));
            // the common case: the caller read exactly Content-Length bytes and the end is already
            // known to the codec, so one read sees it without I/O and without a drain buffer
            if (in.read() < 0) {
                end(true, null);
                return;
            }
            byte[] buf = new byte[8192];
            // a body of exactly DRAIN_LIMIT bytes is saved too: the budget allows one more read to see its end
            int budget = DRAIN_LIMIT - 1;
            while (budget >= 0) {
                int n = in.read(buf, 0, Math.min(buf.length, budget + 1));
                if (n < 0) {
                    end(true, null);
                    return;
                }
                budget -= n;
            }
        }
        catch (IOException | RuntimeException e) {
            // fall through: the connection cannot be saved
        }
        end(false, CloseReason.ERROR);
    }

    boolean isDone() {
        return done;
    }

    private void end(boolean reusable, CloseReason reason) {
        done = true;
        if (reusable) {
            lease.release();
        }
        else {
            lease.discard(reason);
        }
        cleanable.clean(); // the lease has ended, so the reclaimer does nothing but unregister
    }

    /** Reclaims a lease whose response was dropped unclosed. Holds no reference to the stream. */
    private record Reclaim(Lease lease, String mount) implements Runnable {
        @Override
        public void run() {
            if (lease.isEnded()) {
                return;
            }
            Throwable site = lease.connection().leaseSite();
            String msg = "Connection leak: a response from " + lease.pool().key().hostPort() + " (mount '" + mount
                    + "') was dropped without being closed or read to the end; its connection was reclaimed";
            if (site != null) {
                log.warn(msg + ". It was leased here:", site);
            }
            else {
                log.warn(msg + " (set leak-detection-threshold on the mount to log where it was leased)");
            }
            lease.discard(CloseReason.LEAKED);
        }
    }
}
