package io.poolclient.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.opentest4j.TestAbortedException;

/**
 * A private nginx instance for integration tests: a real HTTP/1.1 server with real keep-alive
 * behaviour, listening on {@code 127.0.0.1} on a free port.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Everything the instance writes (config, pid file, logs, temp paths, served files) lives in a
 *       fresh temporary directory that {@link #close()} deletes. Nothing under {@code /etc/nginx} or
 *       {@code /var} is read or written.</li>
 *   <li>nginx runs in the foreground as a single process ({@code daemon off; master_process off;}),
 *       a direct child of this JVM, so it never switches user and there are no worker processes
 *       that could outlive it. {@link #close()} stops it with SIGTERM, falls back to SIGKILL after a
 *       bounded wait, and a JVM shutdown hook does the same for servers that were never closed. If
 *       the JVM itself is killed (SIGKILL), a tiny watchdog ({@code /bin/sh} blocked reading a pipe
 *       from this JVM) sees the pipe close and stops nginx.</li>
 *   <li>{@link #start(Config)} returns only once nginx has answered a request; readiness is found by
 *       polling with a deadline, never by sleeping a fixed time.</li>
 *   <li>If nginx is not installed the test is skipped ({@link TestAbortedException}), unless the
 *       environment variable {@code POOLCLIENT_REQUIRE_NGINX=1} is set (CI), in which case an
 *       {@link IllegalStateException} is thrown.</li>
 * </ul>
 *
 * <p>Locations (all bodies are deterministic and available as constants here):
 * <ul>
 *   <li>{@code /small}: 200, {@value #SMALL_BODY} (13 bytes), {@code Content-Length}.</li>
 *   <li>{@code /json}: 200, {@link #JSON_BODY} (exactly 1024 bytes), {@code Content-Length}.</li>
 *   <li>{@code /big}: 200, {@link #bigBody()} (65536 bytes), {@code Content-Length}.</li>
 *   <li>{@code /chunked}: 200, {@link #CHUNKED_BODY}, sent with {@code Transfer-Encoding: chunked}
 *       (an SSI page: the SSI filter removes the length, so nginx must chunk it).</li>
 *   <li>{@code /echo} (and below): any method, request body read and discarded (up to 200 MB),
 *       200 with {@value #ECHO_BODY}.</li>
 *   <li>{@code /status}: nginx {@code stub_status}; see {@link #status()} and {@link #accepts()}.</li>
 *   <li>anything else: 404.</li>
 * </ul>
 *
 * <p>Counting connections: nginx's {@code accepts} counter includes every connection this helper
 * opens itself (the readiness probe and each {@link #status()} call). {@link #selfConnections()}
 * counts those, and {@link #acceptsExcludingSelf()} subtracts them, so "connections opened by the
 * client under test = N" is {@code acceptsExcludingSelf()} after minus before. Because nginx accepts
 * connections in arrival order and the probe connects after the client's connections are
 * established, the probe's answer already includes them.
 */
public final class NginxServer implements AutoCloseable {

    /** Environment variable that turns "nginx missing" from a skipped test into a failure. */
    public static final String REQUIRE_ENV = "POOLCLIENT_REQUIRE_NGINX";
    /** Environment variable that overrides the nginx binary (default {@code /usr/sbin/nginx}). */
    public static final String BINARY_ENV = "POOLCLIENT_NGINX";
    public static final String DEFAULT_BINARY = "/usr/sbin/nginx";

    public static final String SMALL_BODY = "Hello, world!";
    public static final String ECHO_BODY = "echo: request body discarded\n";
    public static final String JSON_BODY = buildJson(1024);
    public static final String CHUNKED_PART = buildLines("part", 64, 40);
    public static final String CHUNKED_BODY = "<p>chunked: before include</p>\n" + CHUNKED_PART
            + "\n<p>chunked: after include</p>\n";
    public static final int BIG_SIZE = 65536;

    private static final byte[] BIG_BODY = buildLines("big", 64, BIG_SIZE / 64)
            .getBytes(StandardCharsets.US_ASCII);
    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final int BIND_ATTEMPTS = 5;
    private static final Pattern STATUS = Pattern.compile(
            "Active connections:\\s*(\\d+)\\s+server accepts handled requests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)"
                    + "\\s+Reading:\\s*(\\d+)\\s+Writing:\\s*(\\d+)\\s+Waiting:\\s*(\\d+)");

    private final Path dir;
    private final int port;
    private final Process process;
    private final Process watchdog;
    private final Thread shutdownHook;
    private final AtomicLong selfConnections = new AtomicLong();
    private volatile boolean closed;

    /**
     * Settings of one instance. Use {@link #defaults()} and the {@code with...} methods.
     *
     * @param keepaliveTimeout nginx {@code keepalive_timeout} (0 disables keep-alive)
     * @param keepaliveRequests nginx {@code keepalive_requests}: requests served per connection
     * @param accessLog whether to write {@code access.log} in the temp directory
     * @param extraLocations raw nginx config inserted into the {@code server} block (may be empty)
     */
    public record Config(Duration keepaliveTimeout, int keepaliveRequests, boolean accessLog,
            String extraLocations) {

        public Config {
            Objects.requireNonNull(keepaliveTimeout, "keepaliveTimeout");
            Objects.requireNonNull(extraLocations, "extraLocations");
            if (keepaliveTimeout.isNegative()) {
                throw new IllegalArgumentException("keepaliveTimeout must not be negative");
            }
            if (keepaliveRequests < 1) {
                throw new IllegalArgumentException("keepaliveRequests must be at least 1");
            }
        }

        /** keepalive_timeout 60s, keepalive_requests 1000, access log on, no extra locations. */
        public static Config defaults() {
            return new Config(Duration.ofSeconds(60), 1000, true, "");
        }

        public Config withKeepaliveTimeout(Duration timeout) {
            return new Config(timeout, keepaliveRequests, accessLog, extraLocations);
        }

        public Config withKeepaliveRequests(int requests) {
            return new Config(keepaliveTimeout, requests, accessLog, extraLocations);
        }

        public Config withAccessLog(boolean enabled) {
            return new Config(keepaliveTimeout, keepaliveRequests, enabled, extraLocations);
        }

        public Config withExtraLocations(String nginxConfig) {
            return new Config(keepaliveTimeout, keepaliveRequests, accessLog, nginxConfig);
        }
    }

    /** One reading of {@code /status}; every number includes the probe connection itself. */
    public record Status(long active, long accepts, long handled, long requests, long reading,
            long writing, long waiting) {
    }

    /** Starts an instance with {@link Config#defaults()}. */
    public static NginxServer start() {
        return start(Config.defaults());
    }

    /**
     * Starts an instance and waits until it serves requests.
     *
     * @throws TestAbortedException if nginx is not installed and {@value #REQUIRE_ENV} is not 1
     * @throws IllegalStateException if nginx is required but missing, or fails to start
     */
    public static NginxServer start(Config config) {
        Path binary = findBinary();
        Path dir;
        try {
            dir = Files.createTempDirectory("poolclient-nginx-");
            writeContent(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare nginx directory", e);
        }
        String lastFailure = "";
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int port = freePort();
            NginxServer server = null;
            try {
                Files.writeString(dir.resolve("nginx.conf"), nginxConf(dir, port, config));
                server = new NginxServer(dir, port, launch(binary, dir));
                if (server.awaitReady()) {
                    return server;
                }
                lastFailure = server.log();
                server.abandon();
                if (!lastFailure.contains("Address already in use")) {
                    break; // not a port race: retrying will not help
                }
            } catch (IOException | RuntimeException e) {
                if (server != null) {
                    server.abandon();
                }
                deleteTree(dir);
                throw e instanceof RuntimeException re ? re
                        : new UncheckedIOException("cannot start nginx", (IOException) e);
            }
        }
        deleteTree(dir);
        throw new IllegalStateException("nginx did not start (" + binary + "); its output:\n" + lastFailure);
    }

    private NginxServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.watchdog = startWatchdog(process.pid());
        this.shutdownHook = new Thread(() -> {
            stopProcess();
            deleteTree(dir);
        }, "nginx-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The port nginx listens on (on {@code 127.0.0.1}). */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port><path>}; {@code path} must start with {@code /}. */
    public URI uri(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return URI.create("http://" + LOOPBACK + ":" + port + path);
    }

    /** The temporary directory holding config, logs and served files (deleted on close). */
    public Path directory() {
        return dir;
    }

    /** The 65536-byte body of {@code /big} (a fresh copy). */
    public static byte[] bigBody() {
        return BIG_BODY.clone();
    }

    /**
     * Reads {@code /status} over a fresh raw HTTP/1.0 socket (never through the library under
     * test). The probe is itself an accepted, active, writing connection and is counted in the
     * result and in {@link #selfConnections()}.
     */
    public Status status() {
        try {
            return parseStatus(fetchStatus());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read nginx /status on port " + port, e);
        }
    }

    /** nginx's total of accepted connections, including all of this helper's own probes. */
    public long accepts() {
        return status().accepts();
    }

    /**
     * Accepted connections not opened by this helper: {@code accepts - selfConnections}, measured
     * with one probe (which is subtracted too). The difference of two calls is the number of
     * connections other clients opened in between.
     */
    public long acceptsExcludingSelf() {
        long accepts = status().accepts();
        return accepts - selfConnections.get();
    }

    /** Connections this helper has opened to nginx so far (readiness probe and status probes). */
    public long selfConnections() {
        return selfConnections.get();
    }

    /** The error log and nginx's own stdout/stderr, for diagnostics. */
    public String log() {
        StringBuilder out = new StringBuilder();
        for (String name : new String[] {"error.log", "nginx.out"}) {
            Path file = dir.resolve(name);
            try {
                if (Files.exists(file)) {
                    out.append("--- ").append(name).append('\n').append(Files.readString(file));
                }
            } catch (IOException e) {
                out.append("--- ").append(name).append(": unreadable: ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    /** Whether the nginx process is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops nginx (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        abandon();
        deleteTree(dir);
    }

    /** Stops the process and unregisters the shutdown hook, keeping the directory. */
    private void abandon() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to run; it finds nothing left to do
        }
    }

    private void stopProcess() {
        if (watchdog != null) {
            watchdog.destroy(); // SIGTERM ends its read loop without it sending anything
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code /status} until it answers (true), nginx exits or the deadline passes (false). */
    private boolean awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                parseStatus(fetchStatus());
                return true;
            } catch (IOException notYet) {
                // not listening yet: wait a little, but wake at once if nginx exits
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private String fetchStatus() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), (int) PROBE_TIMEOUT.toMillis());
            selfConnections.incrementAndGet();
            socket.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /status HTTP/1.0\r\nHost: " + LOOPBACK + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response); // HTTP/1.0 without keep-alive: nginx closes after the response
            return response.toString(StandardCharsets.US_ASCII);
        }
    }

    private static Status parseStatus(String response) throws IOException {
        if (!response.startsWith("HTTP/1.1 200") && !response.startsWith("HTTP/1.0 200")) {
            throw new IOException("unexpected /status response: " + firstLine(response));
        }
        Matcher m = STATUS.matcher(response);
        if (!m.find()) {
            throw new IOException("cannot parse /status response: " + response);
        }
        return new Status(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                Long.parseLong(m.group(7)));
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }

    private static Path findBinary() {
        String configured = System.getenv(BINARY_ENV);
        Path binary = Path.of(configured == null || configured.isBlank() ? DEFAULT_BINARY : configured);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        String message = "nginx not found at " + binary + " (install it: apt-get install nginx; or set "
                + BINARY_ENV + ")";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            throw new IllegalStateException(message + "; it is required because " + REQUIRE_ENV + "=1");
        }
        throw new TestAbortedException(message + "; skipping (set " + REQUIRE_ENV + "=1 to fail instead)");
    }

    private static Process launch(Path binary, Path dir) throws IOException {
        return new ProcessBuilder(binary.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /**
     * Covers the one case a shutdown hook cannot: the JVM being killed with SIGKILL. The watchdog
     * blocks reading a pipe whose only writer is this JVM; when the JVM dies the pipe reaches EOF
     * and the watchdog sends SIGTERM to nginx. Best effort: without {@code /bin/sh}, no watchdog.
     */
    private static Process startWatchdog(long nginxPid) {
        try {
            return new ProcessBuilder("/bin/sh", "-c",
                    "while read -r _; do :; done; kill -TERM \"$1\" 2>/dev/null",
                    "poolclient-nginx-watchdog", Long.toString(nginxPid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private static void writeContent(Path dir) throws IOException {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("json"), JSON_BODY, StandardCharsets.US_ASCII);
        Files.write(www.resolve("big"), BIG_BODY);
        // the SSI include is a subrequest; the page's length is unknown up front, so nginx chunks it
        Files.writeString(www.resolve("chunked"), "<p>chunked: before include</p>\n"
                + "<!--# include file=\"/chunked-part\" -->\n<p>chunked: after include</p>\n",
                StandardCharsets.US_ASCII);
        Files.writeString(www.resolve("chunked-part"), CHUNKED_PART, StandardCharsets.US_ASCII);
        for (String temp : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
            Files.createDirectories(dir.resolve("temp").resolve(temp));
        }
    }

    private static String nginxConf(Path dir, int port, Config config) {
        String d = dir.toString();
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                lock_file %1$s/nginx.lock;
                error_log %1$s/error.log notice;

                events {
                    worker_connections 1024;
                }

                http {
                    %2$s
                    client_body_temp_path %1$s/temp/client_body;
                    proxy_temp_path %1$s/temp/proxy;
                    fastcgi_temp_path %1$s/temp/fastcgi;
                    uwsgi_temp_path %1$s/temp/uwsgi;
                    scgi_temp_path %1$s/temp/scgi;
                    keepalive_timeout %3$dms;
                    keepalive_requests %4$d;
                    server_tokens off;
                    default_type application/octet-stream;

                    server {
                        listen 127.0.0.1:%5$d;
                        server_name localhost;
                        root %1$s/www;

                        location = /small { default_type text/plain; return 200 "%6$s"; }
                        location = /json { default_type application/json; }
                        location = /big { default_type application/octet-stream; }
                        location = /chunked { default_type text/html; ssi on; }
                        location = /chunked-part { internal; default_type text/plain; }
                        location = /status { stub_status; }
                        location /echo {
                            client_max_body_size 200m;
                            default_type text/plain;
                            return 200 "%7$s";
                        }
                        location / { return 404; }
                %8$s
                    }
                }
                """.formatted(d,
                config.accessLog() ? "access_log " + d + "/access.log;" : "access_log off;",
                config.keepaliveTimeout().toMillis(), config.keepaliveRequests(), port,
                SMALL_BODY, ECHO_BODY.replace("\n", "\\n"), config.extraLocations());
    }

    /** Deterministic JSON of exactly {@code size} bytes. */
    private static String buildJson(int size) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; items.length() < size - 200; i++) {
            if (i > 0) {
                items.append(',');
            }
            items.append("{\"id\":").append(i).append(",\"name\":\"item-").append(i)
                    .append("\",\"active\":").append(i % 2 == 0).append('}');
        }
        String head = "{\"items\":[" + items + "],\"padding\":\"";
        String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    /** {@code count} lines of exactly {@code width} bytes, each naming its own byte offset. */
    private static String buildLines(String label, int width, int count) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder out = new StringBuilder(width * count);
        for (int line = 0; line < count; line++) {
            StringBuilder text = new StringBuilder(label).append(' ')
                    .append(String.format("%08x", line * width)).append(' ');
            for (int i = 0; text.length() < width - 1; i++) {
                text.append(alphabet.charAt((line + i) % alphabet.length()));
            }
            out.append(text).append('\n');
        }
        return out.toString();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp directory is harmless
        }
    }
}
