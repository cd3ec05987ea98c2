package io.poolclient.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private nginx for benchmarks: one process ({@code master_process off}, {@code worker_processes 1}),
 * listening on {@code 127.0.0.1} only, everything it writes in a temporary directory that
 * {@link #close()} deletes.
 *
 * <p>Keep-alive is set so that no server-side limit ever closes a connection during a run: a long
 * {@code keepalive_timeout} that is also announced ({@code Keep-Alive: timeout=120}, so clients with
 * a short default idle time such as {@code HttpURLConnection} keep their connections), and
 * {@code keepalive_requests} far above any run's request count. Access logging is off so that the
 * server's disk work is not part of what is measured.
 *
 * <p>Locations: {@code /small} (13 bytes, {@code return}), {@code /json} (exactly 1024 bytes of JSON,
 * a static file), {@code /big} (65536 bytes, a static file), {@code /status} ({@code stub_status}).
 *
 * <p>Connections are counted with {@code stub_status}'s {@code accepts}; {@link #acceptsByOthers()}
 * subtracts the probes this class opens itself, so the difference of two calls is what the client under
 * test opened in between.
 *
 * <p>Stopping: {@link #close()}, a JVM shutdown hook, and, should the JVM be killed outright, a small
 * shell watchdog that sees its stdin pipe from this JVM close and sends nginx SIGTERM.
 */
public final class Nginx implements AutoCloseable {

    public static final String SMALL = "Hello, world!";
    public static final String JSON = jsonOf(1024);
    public static final int BIG_SIZE = 64 * 1024;

    private static final String HOST = "127.0.0.1";
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final Pattern STATUS = Pattern.compile(
            "Active connections:\\s*(\\d+)\\s+server accepts handled requests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");

    private final Path dir;
    private final int port;
    private final Process process;
    private final Process watchdog;
    private final Thread hook;
    private final AtomicLong probes = new AtomicLong();
    private volatile boolean closed;

    /** One {@code stub_status} reading (each includes the probe connection itself). */
    public record Status(long active, long accepts, long handled, long requests) {
    }

    private Nginx(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.watchdog = watchdog(process.pid());
        this.hook = new Thread(this::stop, "bench-nginx-stop-" + port);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts nginx from {@code $POOLCLIENT_NGINX} or {@code /usr/sbin/nginx}; returns once it answers. */
    public static Nginx start() {
        String configured = System.getenv("POOLCLIENT_NGINX");
        Path binary = Path.of(configured == null || configured.isBlank() ? "/usr/sbin/nginx" : configured);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("nginx not found at " + binary + " (apt-get install nginx, or set POOLCLIENT_NGINX)");
        }
        String failure = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            Path dir;
            try {
                dir = Files.createTempDirectory("poolclient-bench-nginx-");
                writeSite(dir);
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the nginx directory", e);
            }
            int port = freePort();
            Nginx nginx = null;
            try {
                Files.writeString(dir.resolve("nginx.conf"), config(dir, port));
                Process p = new ProcessBuilder(binary.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
                        "-e", dir.resolve("error.log").toString())
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("nginx.out").toFile())
                        .start();
                nginx = new Nginx(dir, port, p);
                if (nginx.awaitReady()) {
                    return nginx;
                }
                failure = nginx.log();
            }
            catch (IOException e) {
                failure = e.toString();
            }
            if (nginx != null) {
                nginx.close();
            }
            else {
                delete(dir);
            }
            if (!failure.contains("Address already in use")) {
                break;
            }
        }
        throw new IllegalStateException("nginx did not start: " + failure);
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://" + HOST + ":" + port + path);
    }

    /** The {@code Host} header value clients send for {@link #uri}. */
    public String hostHeader() {
        return HOST + ":" + port;
    }

    /** Accepted connections minus this class's own probes (including the one made now). */
    public long acceptsByOthers() {
        return status().accepts() - probes.get();
    }

    /** Reads {@code stub_status} over a fresh HTTP/1.0 socket. */
    public Status status() {
        try {
            return parse(fetchStatus());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read nginx status on port " + port, e);
        }
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** nginx's error log and output, for diagnostics. */
    public String log() {
        StringBuilder out = new StringBuilder();
        for (String name : new String[] {"error.log", "nginx.out"}) {
            try {
                Path f = dir.resolve(name);
                if (Files.exists(f)) {
                    out.append(name).append(":\n").append(Files.readString(f));
                }
            }
            catch (IOException e) {
                out.append(name).append(": ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException shuttingDown) {
            // the hook runs anyway and finds nothing to do
        }
    }

    private void stop() {
        if (watchdog != null) {
            watchdog.destroy();
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        delete(dir);
    }

    private boolean awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                parse(fetchStatus());
                return true;
            }
            catch (IOException notYet) {
                // not listening yet
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private String fetchStatus() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 5000);
            probes.incrementAndGet();
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /status HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            in.transferTo(body);
            return body.toString(StandardCharsets.US_ASCII);
        }
    }

    private static Status parse(String response) throws IOException {
        Matcher m = STATUS.matcher(response);
        if (!response.startsWith("HTTP/1.1 200") || !m.find()) {
            throw new IOException("unexpected status response: " + response);
        }
        return new Status(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)));
    }

    private static String config(Path dir, int port) {
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                lock_file %1$s/nginx.lock;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp-body;
                    proxy_temp_path %1$s/tmp-proxy;
                    fastcgi_temp_path %1$s/tmp-fastcgi;
                    uwsgi_temp_path %1$s/tmp-uwsgi;
                    scgi_temp_path %1$s/tmp-scgi;
                    keepalive_timeout 120s 120s;
                    keepalive_requests 1000000000;
                    server_tokens off;
                    etag off;
                    server {
                        listen %2$s:%3$d backlog=1024;
                        root %1$s/www;
                        location = /small { default_type text/plain; return 200 "%4$s"; }
                        location = /json { default_type application/json; }
                        location = /big { default_type application/octet-stream; }
                        location = /status { stub_status; }
                        location / { return 404; }
                    }
                }
                """.formatted(dir, HOST, port, SMALL);
    }

    private static void writeSite(Path dir) throws IOException {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("json"), JSON, StandardCharsets.US_ASCII);
        byte[] big = new byte[BIG_SIZE];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        Files.write(www.resolve("big"), big);
    }

    /** JSON text of exactly {@code size} bytes. */
    static String jsonOf(int size) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; items.length() < size - 120; i++) {
            items.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"item-").append(i)
                    .append("\",\"active\":").append(i % 2 == 0).append('}');
        }
        String head = "{\"items\":[" + items + "],\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static Process watchdog(long pid) {
        try {
            return new ProcessBuilder("/bin/sh", "-c", "while read -r _; do :; done; kill -TERM \"$1\" 2>/dev/null",
                    "bench-nginx-watchdog", Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        }
        catch (IOException e) {
            return null;
        }
    }

    private static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
