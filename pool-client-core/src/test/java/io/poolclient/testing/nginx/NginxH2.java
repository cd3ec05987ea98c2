package io.poolclient.testing.nginx;

import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A private nginx speaking HTTP/2: one {@link PrivateNginx} process with four listeners on
 * {@link PrivateNginx#HOST}, each on its own free port ({@link Listener}):
 * <ul>
 *   <li>{@link Listener#PLAIN}: HTTP/1.1 in clear text (also serves the {@code stub_status} readiness probe);</li>
 *   <li>{@link Listener#TLS}: TLS with ALPN offering {@code h2} and {@code http/1.1}: a client offering
 *       {@code h2} gets HTTP/2, one offering only {@code http/1.1} (or nothing) gets HTTP/1.1;</li>
 *   <li>{@link Listener#H2C}: HTTP/2 in clear text with prior knowledge (no {@code Upgrade}; an HTTP/1.1
 *       request there is refused);</li>
 *   <li>{@link Listener#TLS_HTTP11}: TLS speaking HTTP/1.1 only (no {@code h2} in ALPN), for fallback tests.</li>
 * </ul>
 * TLS listeners present the key and certificate chain given to {@link #start}, written as PEM into the
 * instance's directory (outside the document root).
 *
 * <p>Every listener serves the same locations:
 * <ul>
 *   <li>{@code /small}, {@code /json}, {@code /big}, {@code /status}: as in {@link SampleContent};</li>
 *   <li>{@code /large}: 200, {@link Config#largeSize()} zero bytes ({@code application/octet-stream}, a sparse
 *       file made at start, so its size costs no disk);</li>
 *   <li>{@code /echo} (and below): any method, any body size, the body read and discarded, 200 with
 *       {@value #ECHO_BODY}. nginx answers as soon as it has the request headers; on HTTP/2 it then resets a
 *       stream whose body is still arriving with {@code RST_STREAM(NO_ERROR)} (RFC 9113 §8.1), so a large body
 *       sent here may be cut short;</li>
 *   <li>{@code /upload/<name>}: {@code PUT} with any body size, read in full (nginx buffers it to a file
 *       in the instance's directory, then stores it as {@code /upload/<name>}); 201 for a new name, 204 for a
 *       replaced one. The access log's {@code requestLength} proves how many bytes arrived.</li>
 * </ul>
 *
 * <p>Knobs ({@link Config}): {@code http2_max_concurrent_streams}, {@code keepalive_requests} (on HTTP/2
 * nginx sends {@code GOAWAY} after that many streams on one connection and closes it once they are done),
 * {@code keepalive_timeout} (HTTP/2 idle connections included).
 *
 * <p>Counting connections exactly: the access log has one line per request with the listener's port and
 * nginx's connection serial number ({@link AccessLogEntry}); {@link #connections(Listener)} is the set
 * of distinct connections that made requests on a listener. nginx writes a line when it finishes a
 * request, which may be just after the client has read the last byte, so tests read it through
 * {@link #awaitAccessLog} (polling with a deadline). {@link PrivateNginx#acceptsExcludingSelf()} counts
 * connections across all listeners, including those that never made a request.
 *
 * <p>Thread safety: readings (status, access log) may be taken from any thread; {@link #close()} is
 * idempotent.
 */
public final class NginxH2 implements AutoCloseable {

    /** The body of {@code /echo}. */
    public static final String ECHO_BODY = SampleContent.ECHO;
    /** 100 MiB: the default size of {@code /large}. */
    public static final long HUNDRED_MIB = 100L * 1024 * 1024;

    private static final String ACCESS_LOG = "access.log";
    private static final Duration POLL = Duration.ofMillis(10);

    /** The listeners of one instance; the port of each is {@link #port(Listener)}. */
    public enum Listener {
        /** HTTP/1.1 in clear text. */
        PLAIN("http"),
        /** TLS, ALPN {@code h2} or {@code http/1.1} as the client offers. */
        TLS("https"),
        /** HTTP/2 in clear text with prior knowledge. */
        H2C("http"),
        /** TLS, HTTP/1.1 only. */
        TLS_HTTP11("https");

        private final String scheme;

        Listener(String scheme) {
            this.scheme = scheme;
        }

        /** {@code http} or {@code https}. */
        public String scheme() {
            return scheme;
        }
    }

    /**
     * Settings of one instance. Use {@link #defaults()} and the {@code with...} methods.
     *
     * @param maxConcurrentStreams nginx {@code http2_max_concurrent_streams} (nginx's default is 128)
     * @param keepaliveRequests nginx {@code keepalive_requests}: requests (streams) per connection before
     *     nginx closes it (HTTP/2: sends {@code GOAWAY})
     * @param keepaliveTimeout nginx {@code keepalive_timeout}, idle time before nginx closes a connection
     * @param largeSize bytes served at {@code /large}
     */
    public record Config(int maxConcurrentStreams, int keepaliveRequests, Duration keepaliveTimeout, long largeSize) {

        public Config {
            Objects.requireNonNull(keepaliveTimeout, "keepaliveTimeout");
            if (maxConcurrentStreams < 1) {
                throw new IllegalArgumentException("maxConcurrentStreams must be at least 1");
            }
            if (keepaliveRequests < 1) {
                throw new IllegalArgumentException("keepaliveRequests must be at least 1");
            }
            if (keepaliveTimeout.isNegative() || keepaliveTimeout.isZero()) {
                throw new IllegalArgumentException("keepaliveTimeout must be positive");
            }
            if (largeSize < 0) {
                throw new IllegalArgumentException("largeSize must not be negative");
            }
        }

        /** 128 concurrent streams, 1000 requests per connection, 60 s keep-alive, 100 MiB {@code /large}. */
        public static Config defaults() {
            return new Config(128, 1000, Duration.ofSeconds(60), HUNDRED_MIB);
        }

        public Config withMaxConcurrentStreams(int streams) {
            return new Config(streams, keepaliveRequests, keepaliveTimeout, largeSize);
        }

        public Config withKeepaliveRequests(int requests) {
            return new Config(maxConcurrentStreams, requests, keepaliveTimeout, largeSize);
        }

        public Config withKeepaliveTimeout(Duration timeout) {
            return new Config(maxConcurrentStreams, keepaliveRequests, timeout, largeSize);
        }

        public Config withLargeSize(long bytes) {
            return new Config(maxConcurrentStreams, keepaliveRequests, keepaliveTimeout, bytes);
        }
    }

    /**
     * One access log line: a finished request.
     *
     * @param port the listener's port ({@code $server_port})
     * @param connection nginx's connection serial number ({@code $connection}), distinct per connection
     * @param connectionRequests the request's number on its connection ({@code $connection_requests})
     * @param status the response status
     * @param requestLength bytes received for the request: headers and body ({@code $request_length})
     * @param bytesSent bytes sent for the response ({@code $bytes_sent})
     * @param protocol {@code HTTP/2.0}, {@code HTTP/1.1} or {@code HTTP/1.0}
     * @param method the request method
     * @param uri the request target as sent
     */
    public record AccessLogEntry(int port, long connection, long connectionRequests, int status, long requestLength,
            long bytesSent, String protocol, String method, String uri) {

        static AccessLogEntry parse(String line) {
            String[] f = line.trim().split(" ");
            if (f.length != 9) {
                throw new IllegalArgumentException("unexpected access log line: " + line);
            }
            return new AccessLogEntry(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Integer.parseInt(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), f[6], f[7], f[8]);
        }
    }

    private final PrivateNginx nginx;
    private final Config config;

    private NginxH2(PrivateNginx nginx, Config config) {
        this.nginx = nginx;
        this.config = config;
    }

    /**
     * Starts {@code binary} with {@code config}, presenting the private key and chain of the key entry in
     * {@code identity} on the TLS listeners, and waits until it answers.
     *
     * @param password the password of that key entry
     * @throws IllegalStateException if nginx fails to start (the message holds its output)
     * @throws UncheckedIOException if the directory cannot be prepared or the process not started
     */
    public static NginxH2 start(Path binary, Config config, KeyStore identity, char[] password) {
        Objects.requireNonNull(config, "config");
        String[] pem = pem(identity, password);
        return new NginxH2(PrivateNginx.start(binary, new H2Site(config, pem[0], pem[1])), config);
    }

    /**
     * Starts the tests' nginx ({@link NginxServer#binary()}: the calling test is skipped when nginx is
     * missing, unless it is required) with {@code config}, presenting the server identity of {@code certs}
     * on the TLS listeners, and waits until it answers.
     */
    public static NginxH2 start(Config config, TestCertificates certs) {
        return start(NginxServer.binary(), config, certs.server(), TestCertificates.password());
    }

    /** The settings this instance was started with. */
    public Config config() {
        return config;
    }

    /** The port of {@code listener} on {@link PrivateNginx#HOST}. */
    public int port(Listener listener) {
        return listener == Listener.PLAIN ? nginx.port() : nginx.extraPorts().get(listener.ordinal() - 1);
    }

    /** {@code <scheme>://127.0.0.1:<port><path>} for {@code listener}; {@code path} must start with {@code /}. */
    public URI uri(Listener listener, String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return URI.create(listener.scheme() + "://" + PrivateNginx.HOST + ":" + port(listener) + path);
    }

    /** The process underneath: {@code stub_status} readings, accept counts, the log. */
    public PrivateNginx nginx() {
        return nginx;
    }

    /** The temporary directory holding config, logs, served and uploaded files (deleted on close). */
    public Path directory() {
        return nginx.directory();
    }

    /** The access log so far: one entry per finished request, in order, the status probes' included. */
    public List<AccessLogEntry> accessLog() {
        Path file = nginx.directory().resolve(ACCESS_LOG);
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<AccessLogEntry> entries = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (!line.isBlank() && line.endsWith(";")) { // a line still being written lacks its end
                    entries.add(AccessLogEntry.parse(line.substring(0, line.length() - 1)));
                }
            }
            return Collections.unmodifiableList(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The access log entries of requests made on {@code listener}. */
    public List<AccessLogEntry> accessLog(Listener listener) {
        int port = port(listener);
        return accessLog().stream().filter(e -> e.port() == port).toList();
    }

    /**
     * Polls the access log until {@code condition} holds for it (returning it) or {@code timeout} passes
     * (returning the last reading, for the caller's assertion to show).
     */
    public List<AccessLogEntry> awaitAccessLog(Predicate<List<AccessLogEntry>> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<AccessLogEntry> log = accessLog();
            if (condition.test(log) || System.nanoTime() >= deadline) {
                return log;
            }
            try {
                Thread.sleep(POLL.toMillis()); // polling a file nginx appends to: there is nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return log;
            }
        }
    }

    /**
     * Polls until the access log holds at least {@code count} entries for {@code listener} or
     * {@code timeout} passes; returns that listener's entries.
     */
    public List<AccessLogEntry> awaitRequests(Listener listener, int count, Duration timeout) {
        int port = port(listener);
        awaitAccessLog(log -> log.stream().filter(e -> e.port() == port).count() >= count, timeout);
        return accessLog(listener);
    }

    /** The distinct connections (nginx serial numbers) that made at least one logged request on {@code listener}. */
    public Set<Long> connections(Listener listener) {
        Set<Long> connections = new TreeSet<>();
        for (AccessLogEntry entry : accessLog(listener)) {
            connections.add(entry.connection());
        }
        return connections;
    }

    /** The error log and nginx's own output, for diagnostics. */
    public String log() {
        return nginx.log();
    }

    /** Stops nginx and deletes its directory. */
    @Override
    public void close() {
        nginx.close();
    }

    /** The chain and the private key of {@code identity}'s key entry, as PEM text. */
    private static String[] pem(KeyStore identity, char[] password) {
        try {
            for (String alias : Collections.list(identity.aliases())) {
                if (!identity.isKeyEntry(alias)) {
                    continue;
                }
                Key key = identity.getKey(alias, password);
                if (!(key instanceof PrivateKey)) {
                    continue;
                }
                StringBuilder chain = new StringBuilder();
                for (Certificate certificate : identity.getCertificateChain(alias)) {
                    chain.append(TestCertificates.pem("CERTIFICATE", certificate.getEncoded()));
                }
                return new String[] {chain.toString(), TestCertificates.pem("PRIVATE KEY", key.getEncoded())};
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the key entry of the identity", e);
        }
        throw new IllegalArgumentException("the identity holds no private key entry");
    }

    /** The four listeners, the locations above, the access log format and the TLS files. */
    private record H2Site(Config config, String chainPem, String keyPem) implements NginxSite {

        @Override
        public String errorLogLevel() {
            return "notice";
        }

        @Override
        public int workerConnections() {
            return 1024;
        }

        @Override
        public boolean accessLog() {
            return false; // each server declares its own log in its own format
        }

        @Override
        public void writeFiles(Path root) throws IOException {
            SampleContent.writeTo(root);
            try (RandomAccessFile large = new RandomAccessFile(root.resolve("large").toFile(), "rw")) {
                large.setLength(config.largeSize()); // sparse: zeros that take no disk
            }
            Files.createDirectories(root.resolve("upload"));
            Path tls = Files.createDirectories(tlsDirectory(root));
            Files.writeString(tls.resolve("chain.pem"), chainPem, StandardCharsets.US_ASCII);
            Files.writeString(tls.resolve("key.pem"), keyPem, StandardCharsets.US_ASCII);
        }

        @Override
        public String http(int port) {
            throw new UnsupportedOperationException("this site listens on " + (1 + extraPorts()) + " ports");
        }

        @Override
        public int extraPorts() {
            return Listener.values().length - 1;
        }

        @Override
        public String http(int port, List<Integer> extraPorts) {
            // relative paths resolve against the instance's directory (nginx's prefix and configuration directory)
            return """
                    log_format h2 '$server_port $connection $connection_requests $status $request_length '
                                  '$bytes_sent $server_protocol $request_method $request_uri;';
                    keepalive_timeout %1$dms;
                    keepalive_requests %2$d;
                    http2_max_concurrent_streams %3$d;
                    server_tokens off;
                    default_type application/octet-stream;
                    ssl_certificate tls/chain.pem;
                    ssl_certificate_key tls/key.pem;
                    ssl_protocols TLSv1.2 TLSv1.3;

                    server {
                        listen %4$s:%5$d;
                    %9$s
                    }
                    server {
                        listen %4$s:%6$d ssl http2;
                    %9$s
                    }
                    server {
                        listen %4$s:%7$d http2;
                    %9$s
                    }
                    server {
                        listen %4$s:%8$d ssl;
                    %9$s
                    }
                    """.formatted(config.keepaliveTimeout().toMillis(),
                    config.keepaliveRequests(), config.maxConcurrentStreams(), PrivateNginx.HOST, port,
                    extraPorts.get(Listener.TLS.ordinal() - 1), extraPorts.get(Listener.H2C.ordinal() - 1),
                    extraPorts.get(Listener.TLS_HTTP11.ordinal() - 1), locations().indent(4).stripTrailing());
        }

        private String locations() {
            return "access_log " + ACCESS_LOG + " h2;\n" + SampleContent.LOCATIONS + """
                    location = /large { default_type application/octet-stream; }
                    %s
                    location /upload/ {
                        client_max_body_size 0;
                        client_body_buffer_size 1m;
                        dav_methods PUT;
                        dav_access user:rw;
                    }
                    location / { return 404; }
                    """.formatted(SampleContent.echoLocation("0").stripTrailing());
        }

        private static Path tlsDirectory(Path root) {
            return root.resolveSibling("tls");
        }
    }
}
