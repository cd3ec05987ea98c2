package io.poolclient.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A minimal HTTP/1.1 server on loopback, one selector thread. It answers every GET with a
 * {@code Content-Length} body whose bytes derive from a sequence number (so a client that reads
 * the wrong response notices) and, at random, says {@code Connection: close} and closes
 * ({@code announceClose}), closes right after a keep-alive response without saying so (the
 * client's stale check finds those), or closes when the next request on that connection arrives,
 * without answering it (the client must retry that request transparently); each silent kind with
 * probability {@code silentClose}.
 *
 * <p><b>Counting open connections exactly.</b> A connection counts from its accept until the
 * server sees the client's end of stream or closes it itself. One thread does everything, and
 * after accepting it first reads every end of stream already queued before it records the
 * maximum: a client that closes a connection before it opens another has sent that FIN before
 * the new handshake, so the old connection is uncounted before the new one is compared. A
 * server-side close needs no such care: the client cannot react to it before it happens. (This is
 * why it is not a {@link FaultServer}: with a thread per connection, a client's close is seen only
 * when that connection's thread gets round to reading it.)
 *
 * <p>Bounds: one thread; a request head over 16 KiB, or anything but an HTTP/1.1 {@code GET},
 * closes its connection unanswered; {@link #close()} waits at most 10 s for the thread, then closes
 * every socket.
 *
 * <p>Thread safety: the counters may be read from any thread at any time; everything else runs on
 * the server's own thread.
 */
public final class FlakyServer implements AutoCloseable {

    private final double announceClose;
    private final double silentClose;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread loop;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<Throwable> crash = new AtomicReference<>();
    private volatile boolean stopped;
    private int open;

    private final AtomicInteger maxOpen = new AtomicInteger();
    /** {@code open} as other threads may read it. */
    private final AtomicInteger openNow = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong announcedCloses = new AtomicLong();
    private final AtomicLong silentCloses = new AtomicLong();
    private final AtomicLong droppedRequests = new AtomicLong();

    /** One client connection's state; touched only by the selector thread. */
    private static final class Conn {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        ByteBuffer out;
        boolean closeAfterWrite;
        boolean dropNext;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private FlakyServer(double announceClose, double silentClose) throws IOException {
        this.announceClose = announceClose;
        this.silentClose = silentClose;
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 512);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = new Thread(this::run, "flaky-server");
        loop.setDaemon(true);
    }

    /**
     * Starts a server on 127.0.0.1 that, after each response, announces a close with probability
     * {@code announceClose} and commits each of the two silent closes with probability
     * {@code silentClose}.
     */
    public static FlakyServer start(double announceClose, double silentClose) {
        try {
            FlakyServer s = new FlakyServer(announceClose, silentClose);
            s.loop.start();
            return s;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start the flaky server", e);
        }
    }

    public int port() {
        return listener.socket().getLocalPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** The server thread's failure, if it died (it should not). */
    public Throwable crash() {
        return crash.get();
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** The most connections that were open at the same moment, counted exactly (see the class comment). */
    public int maxOpenConnections() {
        return maxOpen.get();
    }

    /**
     * Starts {@link #maxOpenConnections()} over from the connections open now, so that it tells the
     * most open at once from this moment on (a test's second phase).
     */
    public void restartMaxOpenConnections() {
        maxOpen.set(0);
        maxOpen.accumulateAndGet(openNow.get(), Math::max);
    }

    /** Requests answered (each counted before its response is written). */
    public long served() {
        return served.get();
    }

    /** Responses that said {@code Connection: close}, after which the server closed. */
    public long announcedCloses() {
        return announcedCloses.get();
    }

    /** Keep-alive responses after which the server closed without saying so. */
    public long silentCloses() {
        return silentCloses.get();
    }

    /** Requests that arrived on a connection the server then closed without answering them. */
    public long droppedRequests() {
        return droppedRequests.get();
    }

    private void run() {
        try {
            while (!stopped) {
                selector.select(1000); // the timeout only bounds how long a missed wakeup could go unseen
                boolean acceptable = false;
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.channel() == listener) {
                        acceptable = true;
                    }
                    else {
                        handle(key);
                    }
                }
                selector.selectedKeys().clear();
                if (acceptable) {
                    for (SocketChannel ch; (ch = listener.accept()) != null;) {
                        ch.configureBlocking(false);
                        ch.socket().setTcpNoDelay(true);
                        ch.register(selector, SelectionKey.OP_READ, new Conn(ch));
                        accepted.incrementAndGet();
                        open++;
                        openNow.incrementAndGet();
                    }
                    // ends of stream queued before those handshakes are read before the maximum is taken
                    selector.selectNow();
                    for (SelectionKey key : selector.selectedKeys()) {
                        if (key.channel() != listener) {
                            handle(key);
                        }
                    }
                    selector.selectedKeys().clear();
                    maxOpen.accumulateAndGet(open, Math::max);
                }
            }
        }
        catch (IOException | RuntimeException | Error e) {
            crash.set(e);
        }
    }

    private void handle(SelectionKey key) {
        Conn conn = (Conn) key.attachment();
        if (!key.isValid()) {
            return;
        }
        try {
            if (key.isWritable()) {
                flush(key, conn);
            }
            if (key.isValid() && key.isReadable() && conn.out == null) {
                int n = conn.channel.read(conn.in);
                if (n < 0) {
                    close(key); // the client closed it
                    return;
                }
                serveBuffered(key, conn);
            }
        }
        catch (IOException e) {
            close(key); // reset by the client
        }
    }

    /** Answers every complete request head in the buffer (the client never pipelines, but may). */
    private void serveBuffered(SelectionKey key, Conn conn) throws IOException {
        while (key.isValid() && conn.out == null) {
            int end = headEnd(conn.in);
            if (end < 0) {
                if (!conn.in.hasRemaining()) {
                    throw new IOException("request head too large");
                }
                return;
            }
            String head = new String(conn.in.array(), 0, end, StandardCharsets.US_ASCII);
            conn.in.flip().position(end + 4);
            conn.in.compact();
            String requestLine = head.split("\r\n", 2)[0];
            if (!requestLine.startsWith("GET ") || !requestLine.endsWith(" HTTP/1.1")) {
                throw new IOException("unexpected request: " + head);
            }
            if (conn.dropNext) {
                droppedRequests.incrementAndGet();
                close(key); // as if a keep-alive timer fired while the request was on its way
                return;
            }
            double dice = ThreadLocalRandom.current().nextDouble();
            boolean announce = dice < announceClose;
            boolean silent = !announce && dice < announceClose + silentClose;
            conn.dropNext = !announce && !silent && dice < announceClose + 2 * silentClose;
            conn.closeAfterWrite = announce || silent;
            if (announce) {
                announcedCloses.incrementAndGet();
            }
            else if (silent) {
                silentCloses.incrementAndGet();
            }
            served.incrementAndGet(); // before the write: the client may be done before this thread goes on
            conn.out = ByteBuffer.wrap(response(announce));
            flush(key, conn);
        }
    }

    private void flush(SelectionKey key, Conn conn) throws IOException {
        conn.channel.write(conn.out);
        if (conn.out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        conn.out = null;
        if (conn.closeAfterWrite) {
            close(key);
            return;
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private void close(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        key.cancel();
        open--;
        openNow.decrementAndGet();
        try {
            ((Conn) key.attachment()).channel.close();
        }
        catch (IOException ignored) {
            // closed either way
        }
    }

    private static int headEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 0; i + 3 < in.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private byte[] response(boolean close) {
        long seq = sequence.incrementAndGet();
        int length = ThreadLocalRandom.current().nextInt(1, 2048);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + length
                + "\r\nX-Seq: " + seq + "\r\nX-Len: " + length + "\r\n" + (close ? "Connection: close\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + length];
        System.arraycopy(head, 0, all, 0, head.length);
        for (int i = 0; i < length; i++) {
            all[head.length + i] = expected(seq, i);
        }
        return all;
    }

    private static byte expected(long seq, int i) {
        return (byte) ('a' + (seq + i) % 26);
    }

    /** Checks that a body is the one the server wrote for that sequence number. */
    public static void verify(String seqHeader, String lengthHeader, byte[] body) {
        assertThat(seqHeader).isNotNull();
        long seq = Long.parseLong(seqHeader);
        assertThat(body).hasSize(Integer.parseInt(lengthHeader));
        for (int i = 0; i < body.length; i++) {
            if (body[i] != expected(seq, i)) {
                throw new AssertionError("body of response " + seq + " differs at byte " + i);
            }
        }
    }

    @Override
    public void close() throws IOException {
        stopped = true;
        selector.wakeup();
        try {
            loop.join(10_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }
}
