package io.poolclient.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;

/**
 * A deliberately misbehaving HTTP/1.1 server on loopback, written on raw {@link ServerSocket}s so
 * that every byte, close and reset is under the test's control.
 *
 * <p>For each request it reads (head and body, {@code Content-Length} or chunked) it asks its
 * {@link Plan} what to do: commit one of the ready-made {@link Fault}s, or write a scripted
 * {@link Reply} byte for byte (any status, any headers, HTTP/1.0, anything at all) and then keep
 * the connection open or close it. The plan sees which connection (in accept order) and which
 * exchange on that connection a request is, so a test can script a whole conversation, for example
 * "the first connection answers once, then drops the next request without a byte".
 * {@link Fault#NONE} answers properly:
 * <ul>
 *   <li>{@code /bytes/N}: {@code N} bytes of {@link #patternByte(long) the pattern}, with
 *       {@code Content-Length}, or chunked when the target has the query {@code ?chunked};</li>
 *   <li>{@code /upload...}: {@code received=<bytes> crc=<crc32 hex>} of the request body;</li>
 *   <li>{@code /headers/N}: {@value #OK_BODY} with exactly {@code N} header lines;</li>
 *   <li>{@code /line/N}: {@value #OK_BODY} with a header line ({@code X-Long}) of exactly {@code N} bytes
 *       before its CRLF;</li>
 *   <li>anything else: {@value #OK_BODY}.</li>
 * </ul>
 *
 * <p><b>Bounds.</b> At most {@code maxConnections} connections are served at once, each by one
 * daemon thread of a fixed pool; further connections wait in the listen backlog until a handler is
 * free. Every read has a socket timeout (the idle-close time between requests), request heads are
 * capped at 64 KiB, a connection serves at most 100,000 requests, and {@link #close()} closes the
 * listener and every live socket and interrupts every handler (a slow or trickling answer stops at
 * once). Only the first {@value #MAX_RECORDED} requests are kept as {@link Received} records;
 * counters count all.
 *
 * <p><b>Counting connections.</b> {@link #accepted()}, {@link #openConnections()},
 * {@link #closedByServer()} and {@link #finishedConnections()} count real TCP connections on the
 * server side. One thread per connection means the open count follows a client's close only once
 * that connection's thread has read the end of stream; a test that needs the exact number of
 * connections open at the same moment under load uses {@link FlakyServer}, whose single thread
 * makes that count exact.
 *
 * <p>Thread safety: every method may be called from any thread; the plan is called on the
 * connection threads, concurrently.
 */
public final class FaultServer implements AutoCloseable {

    public static final String OK_BODY = "ok";
    static final int MAX_RECORDED = 1000;
    static final int KEPT_BODY_BYTES = 4096;
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_EXCHANGES = 100_000;

    /** What the server does with one request: a ready-made {@link Fault} or a scripted {@link Reply}. */
    public sealed interface Action permits Fault, Reply {
    }

    /** A ready-made way to answer one request, properly or not. */
    public enum Fault implements Action {
        /** Answers properly and keeps the connection open. */
        NONE,
        /** Reads the request, then closes the connection without sending a byte. */
        CLOSE_WITHOUT_ANSWER,
        /** Sends the head and 100 of 1000 promised body bytes, then resets the connection (SO_LINGER 0, close). */
        RESET_MID_RESPONSE,
        /** Sends {@code Content-Length: 1000} and 100 body bytes, then closes normally (FIN). */
        TRUNCATED_BODY,
        /** Sends a chunked body whose second chunk-size line is not hexadecimal, then closes. */
        BROKEN_CHUNKED,
        /** Answers with a line that is not an HTTP status line, then closes. */
        GARBAGE_STATUS,
        /** Answers 200 with {@value #MANY_HEADER_LINES} header lines. */
        MANY_HEADERS,
        /** Answers 200 with one header line of 100 KiB. */
        HUGE_HEADER,
        /** Waits {@code slowAnswer} before answering properly. */
        SLOW_ANSWER,
        /** Sends the head at once, then the {@code trickleBytes}-byte body one byte every {@code trickleInterval}. */
        TRICKLE,
        /** Answers properly (advertising keep-alive), then closes the connection silently. */
        CLOSE_AFTER_RESPONSE
    }

    public static final int MANY_HEADER_LINES = 200;
    public static final int HUGE_HEADER_BYTES = 100 * 1024;

    /**
     * A reply written exactly as given, after which the server keeps the connection open for the
     * next request or closes it (a normal close: FIN). With {@code bytes} null the server writes
     * nothing. The array is shared, not copied: a plan may hand the same reply to every request,
     * and nobody may change it afterwards.
     */
    public record Reply(byte[] bytes, boolean close) implements Action {

        /** {@code text} written as it is (ISO-8859-1), keeping the connection open. */
        public static Reply raw(String text) {
            return new Reply(ascii(text), false);
        }

        /** A 200 response with {@code Content-Length} and the given extra header lines ({@code "Name: value"}). */
        public static Reply ok(String body, String... headers) {
            return status(200, "OK", body, headers);
        }

        /** An HTTP/1.1 response with {@code Content-Length} and the given extra header lines ({@code "Name: value"}). */
        public static Reply status(int status, String reason, String body, String... headers) {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n")
                    .append("Content-Length: ").append(content.length).append("\r\n");
            for (String h : headers) {
                head.append(h).append("\r\n");
            }
            byte[] h = ascii(head.append("\r\n").toString());
            byte[] all = Arrays.copyOf(h, h.length + content.length);
            System.arraycopy(content, 0, all, h.length, content.length);
            return new Reply(all, false);
        }

        /** The same bytes, after which the server closes the connection without saying so. */
        public Reply thenClose() {
            return new Reply(bytes, true);
        }
    }

    /**
     * Chooses what to do with each request; called on the connection threads, concurrently, so it
     * must be thread-safe.
     */
    @FunctionalInterface
    public interface Plan {
        Action actionFor(Received request);

        static Plan always(Action action) {
            return request -> action;
        }
    }

    /**
     * A request as the server read it.
     *
     * @param connection index of the connection, from 0 in accept order
     * @param exchange index of the request on its connection, from 0
     * @param method the method
     * @param target the request-target
     * @param head the raw request head (request line and headers), for checks on what was sent
     * @param headers header names in lower case, the first value of each
     * @param bodyBytes body bytes received
     * @param bodyCrc CRC-32 of the body
     * @param bodyText the first {@value FaultServer#KEPT_BODY_BYTES} bytes of the body (all of a
     *        small one) decoded as UTF-8; empty without a body
     * @param chunked whether the body came chunked
     */
    public record Received(int connection, int exchange, String method, String target, String head,
            Map<String, String> headers, long bodyBytes, long bodyCrc, String bodyText, boolean chunked) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket listener;
    private final Plan plan;
    private final Duration idleClose;
    private final Duration slowAnswer;
    private final Duration trickleInterval;
    private final int trickleBytes;
    private final Semaphore permits;
    private final ExecutorService handlers;
    private final Thread acceptor;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final List<Received> recorded = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong faults = new AtomicLong();
    private final AtomicInteger idleClosed = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile boolean closed;

    private FaultServer(Builder b) throws IOException {
        this.listener = new ServerSocket(0, 256, b.address);
        this.plan = b.plan;
        this.idleClose = b.idleClose;
        this.slowAnswer = b.slowAnswer;
        this.trickleInterval = b.trickleInterval;
        this.trickleBytes = b.trickleBytes;
        this.permits = new Semaphore(b.maxConnections);
        this.handlers = Executors.newFixedThreadPool(b.maxConnections, r -> {
            Thread t = new Thread(r, "fault-server-" + listener.getLocalPort());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "fault-server-accept-" + listener.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A server doing the same on every request. */
    public static FaultServer start(Action action) {
        return builder().plan(Plan.always(action)).start();
    }

    /** A port on 127.0.0.1 that nothing listens on (bound, then closed: connecting is refused). */
    public static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings of a {@link FaultServer}; every one has a default. */
    public static final class Builder {
        private Plan plan = Plan.always(Fault.NONE);
        private Duration idleClose = Duration.ofSeconds(30);
        private Duration slowAnswer = Duration.ofSeconds(5);
        private Duration trickleInterval = Duration.ofSeconds(1);
        private int trickleBytes = 4;
        private int maxConnections = 32;
        private InetAddress address = InetAddress.getLoopbackAddress();

        private Builder() {
        }

        public Builder plan(Plan plan) {
            this.plan = Objects.requireNonNull(plan);
            return this;
        }

        /** Idle keep-alive connections (and clients that send nothing) are closed after this. */
        public Builder idleClose(Duration d) {
            this.idleClose = d;
            return this;
        }

        /** How long {@link Fault#SLOW_ANSWER} waits before answering. */
        public Builder slowAnswer(Duration d) {
            this.slowAnswer = d;
            return this;
        }

        /** The pause after each body byte of {@link Fault#TRICKLE}. */
        public Builder trickle(int bytes, Duration interval) {
            this.trickleBytes = bytes;
            this.trickleInterval = interval;
            return this;
        }

        /** Connections served at once (one thread each). */
        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        /** A loopback address to listen on (default 127.0.0.1). */
        public Builder address(InetAddress address) {
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("fault servers listen on loopback only, not " + address);
            }
            this.address = address;
            return this;
        }

        public FaultServer start() {
            try {
                FaultServer s = new FaultServer(this);
                s.acceptor.start();
                return s;
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot start the fault server", e);
            }
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code host:port} as the client names it in messages. */
    public String hostPort() {
        return listener.getInetAddress().getHostAddress() + ":" + port();
    }

    public URI uri(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Requests read so far (every attempt the client made that reached the server). */
    public long requests() {
        return requests.get();
    }

    /** Requests the plan answered with anything but {@link Fault#NONE} (a scripted {@link Reply} included). */
    public long faults() {
        return faults.get();
    }

    /** Connections the server closed because they sat idle for {@code idleClose}. */
    public int idleClosed() {
        return idleClosed.get();
    }

    /**
     * Connections the server closed itself (after a fault, a closing {@link Reply} or an idle
     * timeout), counted once the socket is closed.
     */
    public int closedByServer() {
        return closedByServer.get();
    }

    /** Connections open on the server side now. */
    public int openConnections() {
        return live.size();
    }

    /** Connections whose handler has finished (closed by either side). */
    public int finishedConnections() {
        return finished.get();
    }

    /** The first {@value #MAX_RECORDED} requests, in arrival order. */
    public List<Received> received() {
        return new ArrayList<>(recorded);
    }

    /** Waits (polling, bounded by {@code timeout}) until {@code condition} holds; false if it never did. */
    public static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    // ---- the pattern ---------------------------------------------------------------------

    /** The byte at {@code offset} of every generated body: {@code offset mod 251}. */
    public static byte patternByte(long offset) {
        return (byte) (offset % 251);
    }

    /** 251 × 256 bytes of the pattern: any run of it starting at a multiple of its length is the same. */
    private static final byte[] PATTERN_BLOCK = new byte[251 * 256];

    static {
        for (int i = 0; i < PATTERN_BLOCK.length; i++) {
            PATTERN_BLOCK[i] = patternByte(i);
        }
    }

    /** Writes {@code n} bytes of the pattern from offset 0, in {@code block}-sized pieces at most. */
    public static void writePattern(OutputStream out, long n) throws IOException {
        for (long done = 0; done < n;) {
            int len = (int) Math.min(PATTERN_BLOCK.length, n - done);
            out.write(PATTERN_BLOCK, 0, len);
            done += len;
        }
    }

    /** The CRC-32 of {@code n} pattern bytes from offset 0. */
    public static long patternCrc(long n) {
        CRC32 crc = new CRC32();
        for (long done = 0; done < n;) {
            int len = (int) Math.min(PATTERN_BLOCK.length, n - done);
            crc.update(PATTERN_BLOCK, 0, len);
            done += len;
        }
        return crc.getValue();
    }

    // ---- serving ---------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            try {
                permits.acquire();
            }
            catch (InterruptedException e) {
                return;
            }
            Socket s;
            try {
                s = listener.accept();
            }
            catch (IOException e) {
                permits.release();
                return; // the listener was closed
            }
            int index = accepted.getAndIncrement();
            live.add(s);
            try {
                handlers.execute(() -> {
                    try {
                        serve(s, index);
                    }
                    finally {
                        live.remove(s);
                        finished.incrementAndGet();
                        permits.release();
                    }
                });
            }
            catch (RuntimeException rejected) {
                closeQuietly(s);
                live.remove(s);
                permits.release();
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        boolean serverCloses = false;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.max(1, idleClose.toMillis()));
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = socket.getOutputStream();
            for (int exchange = 0; exchange < MAX_EXCHANGES && !closed; exchange++) {
                Received request;
                try {
                    request = read(in, connection, exchange);
                }
                catch (SocketTimeoutException idle) {
                    idleClosed.incrementAndGet();
                    serverCloses = true;
                    return;
                }
                if (request == null) {
                    return; // the client closed
                }
                requests.incrementAndGet();
                if (recorded.size() < MAX_RECORDED) {
                    recorded.add(request);
                }
                Action action = Objects.requireNonNull(plan.actionFor(request), "the plan's action");
                if (action != Fault.NONE) {
                    faults.incrementAndGet();
                }
                boolean keepOpen = action instanceof Reply reply ? write(out, reply) : answer(socket, out, request, (Fault) action);
                if (!keepOpen) {
                    serverCloses = true;
                    return;
                }
            }
        }
        catch (IOException | InterruptedException e) {
            // the client went away, or the server is closing
        }
        finally {
            closeQuietly(socket);
            if (serverCloses) {
                closedByServer.incrementAndGet();
            }
        }
    }

    /** Writes a scripted reply; false when the connection is to be closed. */
    private static boolean write(OutputStream out, Reply reply) throws IOException {
        if (reply.bytes() != null) {
            out.write(reply.bytes());
            out.flush();
        }
        return !reply.close();
    }

    /** Commits {@code fault}; false when the connection is finished. */
    private boolean answer(Socket socket, OutputStream out, Received request, Fault fault)
            throws IOException, InterruptedException {
        switch (fault) {
            case NONE -> {
                respond(out, request);
                return true;
            }
            case CLOSE_AFTER_RESPONSE -> {
                respond(out, request);
                return false;
            }
            case CLOSE_WITHOUT_ANSWER -> {
                return false;
            }
            case RESET_MID_RESPONSE -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
                out.write(PATTERN_BLOCK, 0, 100);
                out.flush();
                socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
                socket.close();
                return false;
            }
            case TRUNCATED_BODY -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
                out.write(PATTERN_BLOCK, 0, 100);
                out.flush();
                socket.shutdownOutput();
                return false;
            }
            case BROKEN_CHUNKED -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nnot-hex\r\nxyz\r\n"));
                out.flush();
                socket.shutdownOutput();
                return false;
            }
            case GARBAGE_STATUS -> {
                out.write(ascii("SSH-2.0-OpenSSH_9.2 this is not HTTP\r\n\r\n"));
                out.flush();
                socket.shutdownOutput();
                return false;
            }
            case MANY_HEADERS -> {
                StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
                for (int i = 1; i < MANY_HEADER_LINES; i++) {
                    head.append("X-Filler-").append(i).append(": ").append(i).append("\r\n");
                }
                out.write(ascii(head.append("\r\n").append(OK_BODY).toString()));
                out.flush();
                return true;
            }
            case HUGE_HEADER -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Huge: " + "h".repeat(HUGE_HEADER_BYTES)
                        + "\r\n\r\n" + OK_BODY));
                out.flush();
                return true;
            }
            case SLOW_ANSWER -> {
                Thread.sleep(slowAnswer.toMillis()); // the fault itself; interrupted by close()
                respond(out, request);
                return true;
            }
            case TRICKLE -> {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + trickleBytes + "\r\n\r\n"));
                out.flush();
                for (int i = 0; i < trickleBytes; i++) {
                    out.write(patternByte(i));
                    out.flush();
                    if (i + 1 < trickleBytes) {
                        Thread.sleep(trickleInterval.toMillis()); // the fault itself; interrupted by close()
                    }
                }
                return true;
            }
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
    }

    private static void respond(OutputStream out, Received request) throws IOException {
        String path = request.target();
        String query = "";
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        if (path.startsWith("/bytes/")) {
            long n = Long.parseLong(path.substring("/bytes/".length()));
            if (query.contains("chunked")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
                for (long done = 0; done < n;) {
                    int len = (int) Math.min(PATTERN_BLOCK.length, n - done);
                    out.write(ascii(Integer.toHexString(len) + "\r\n"));
                    out.write(PATTERN_BLOCK, 0, len); // every chunk but the last is a whole block
                    out.write(ascii("\r\n"));
                    done += len;
                }
                out.write(ascii("0\r\n\r\n"));
            }
            else {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + n + "\r\n\r\n"));
                writePattern(out, n);
            }
            out.flush();
            return;
        }
        if (path.startsWith("/headers/") || path.startsWith("/line/")) {
            int n = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
            if (path.startsWith("/headers/")) {
                for (int i = 1; i < n; i++) {
                    head.append("X-Filler-").append(i).append(": ").append(i).append("\r\n");
                }
            }
            else {
                head.append("X-Long: ").append("v".repeat(n - "X-Long: ".length())).append("\r\n");
            }
            out.write(ascii(head.append("\r\n").append(OK_BODY).toString()));
            out.flush();
            return;
        }
        String body = path.startsWith("/upload")
                ? "received=" + request.bodyBytes() + " crc=" + Long.toHexString(request.bodyCrc())
                : OK_BODY;
        byte[] content = body.getBytes(StandardCharsets.US_ASCII);
        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nKeep-Alive: timeout=30\r\nContent-Length: "
                + content.length + "\r\n\r\n"));
        out.write(content);
        out.flush();
    }

    /** Reads one request; {@code null} on a clean end of stream before its first byte. */
    private static Received read(InputStream in, int connection, int exchange) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        while (matched < 4) {
            int b;
            try {
                b = in.read();
            }
            catch (java.net.SocketException reset) {
                if (head.size() == 0) {
                    return null;
                }
                throw reset;
            }
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("truncated request head");
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new IOException("request head too large");
            }
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length < 3) {
            throw new IOException("bad request line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        CRC32 crc = new CRC32();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long bodyBytes = 0;
        boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        byte[] buf = new byte[64 * 1024];
        if (chunked) {
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers: ignored
                    }
                    break;
                }
                bodyBytes += copy(in, size, buf, crc, kept);
                if (!readLine(in).isEmpty()) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
        }
        else if (headers.containsKey("content-length")) {
            bodyBytes = copy(in, Long.parseLong(headers.get("content-length")), buf, crc, kept);
        }
        return new Received(connection, exchange, requestLine[0], requestLine[1], text, headers, bodyBytes,
                crc.getValue(), kept.toString(StandardCharsets.UTF_8), chunked);
    }

    /** Reads {@code n} body bytes into the CRC, keeping the first {@value #KEPT_BODY_BYTES} in {@code kept}. */
    private static long copy(InputStream in, long n, byte[] buf, CRC32 crc, ByteArrayOutputStream kept) throws IOException {
        long done = 0;
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                throw new EOFException("request body ended after " + done + " of " + n + " bytes");
            }
            crc.update(buf, 0, r);
            kept.write(buf, 0, Math.min(r, Math.max(0, KEPT_BODY_BYTES - kept.size())));
            done += r;
        }
        return done;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("line not terminated");
            }
            if (b == '\n') {
                int len = line.length();
                return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
            }
            if (line.length() > 8192) {
                throw new IOException("line too long");
            }
            line.append((char) b);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        }
        catch (IOException ignored) {
            // best effort
        }
    }

    /** Stops accepting, closes every live connection and stops every handler (bounded wait). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        }
        catch (IOException ignored) {
            // best effort
        }
        acceptor.interrupt();
        live.forEach(FaultServer::closeQuietly);
        handlers.shutdownNow();
        try {
            if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("fault server handlers did not stop within 5 s");
            }
            acceptor.join(5000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
