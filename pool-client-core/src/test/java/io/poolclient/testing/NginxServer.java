package io.poolclient.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.poolclient.testing.nginx.NginxSite;
import io.poolclient.testing.nginx.PrivateNginx;
import io.poolclient.testing.nginx.SampleContent;
import io.poolclient.testing.nginx.StubStatus;

import org.opentest4j.TestAbortedException;

/**
 * A private nginx instance for integration tests: a real HTTP/1.1 server with real keep-alive
 * behaviour, listening on {@code 127.0.0.1} on a free port. Starting, stopping, the private
 * directory and connection counting are {@link PrivateNginx}'s (see its guarantees); this class adds
 * the test site, its {@link Config}, and what happens when nginx is missing.
 *
 * <p>If nginx is not installed the test is skipped ({@link TestAbortedException}), unless the
 * environment variable {@code POOLCLIENT_REQUIRE_NGINX=1} is set (CI), in which case an
 * {@link IllegalStateException} is thrown.
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
 * <p>Counting connections: "connections opened by the client under test = N" is
 * {@link #acceptsExcludingSelf()} after minus before (see {@link PrivateNginx}).
 */
public final class NginxServer implements AutoCloseable {

    /** Environment variable that turns "nginx missing" from a skipped test into a failure. */
    public static final String REQUIRE_ENV = "POOLCLIENT_REQUIRE_NGINX";
    /** Environment variable that overrides the nginx binary (default {@code /usr/sbin/nginx}). */
    public static final String BINARY_ENV = ServerBinary.NGINX.env();
    public static final String DEFAULT_BINARY = ServerBinary.NGINX.defaultPath();

    public static final String SMALL_BODY = SampleContent.SMALL;
    public static final String ECHO_BODY = SampleContent.ECHO;
    public static final String JSON_BODY = SampleContent.JSON;
    public static final String CHUNKED_PART = SampleContent.lines("part", 64, 40);
    public static final String CHUNKED_BODY = "<p>chunked: before include</p>\n" + CHUNKED_PART
            + "\n<p>chunked: after include</p>\n";
    public static final int BIG_SIZE = SampleContent.BIG_SIZE;

    private final PrivateNginx nginx;

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

    private NginxServer(PrivateNginx nginx) {
        this.nginx = nginx;
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
        return new NginxServer(PrivateNginx.start(binary(), new TestSite(config)));
    }

    /** The port nginx listens on (on {@code 127.0.0.1}). */
    public int port() {
        return nginx.port();
    }

    /** {@code http://127.0.0.1:<port><path>}; {@code path} must start with {@code /}. */
    public URI uri(String path) {
        return nginx.uri(path);
    }

    /** The temporary directory holding config, logs and served files (deleted on close). */
    public Path directory() {
        return nginx.directory();
    }

    /** The 65536-byte body of {@code /big} (a fresh copy). */
    public static byte[] bigBody() {
        return SampleContent.big();
    }

    /** One {@code /status} reading over a fresh raw socket; see {@link PrivateNginx#status()}. */
    public StubStatus status() {
        return nginx.status();
    }

    /** nginx's total of accepted connections, including all of this helper's own probes. */
    public long accepts() {
        return nginx.accepts();
    }

    /** Accepted connections not opened by this helper; see {@link PrivateNginx#acceptsExcludingSelf()}. */
    public long acceptsExcludingSelf() {
        return nginx.acceptsExcludingSelf();
    }

    /** Connections this helper has opened to nginx so far (readiness probe and status probes). */
    public long selfConnections() {
        return nginx.selfConnections();
    }

    /** The error log and nginx's own stdout/stderr, for diagnostics. */
    public String log() {
        return nginx.log();
    }

    /** Whether the nginx process is still running. */
    public boolean isRunning() {
        return nginx.isRunning();
    }

    /** Stops nginx (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        nginx.close();
    }

    /**
     * The nginx binary for a test.
     *
     * @throws TestAbortedException if nginx is not installed and {@value #REQUIRE_ENV} is not 1
     * @throws IllegalStateException if nginx is required but missing
     */
    public static Path binary() {
        return InstalledOrSkip.path(ServerBinary.NGINX, REQUIRE_ENV);
    }

    /** The tests' site: the sample content plus a chunked page and an echo, keep-alive from {@link Config}. */
    private record TestSite(Config config) implements NginxSite {

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
            return config.accessLog();
        }

        @Override
        public void writeFiles(Path root) throws IOException {
            SampleContent.writeTo(root);
            // the SSI include is a subrequest; the page's length is unknown up front, so nginx chunks it
            Files.writeString(root.resolve("chunked"), "<p>chunked: before include</p>\n"
                    + "<!--# include file=\"/chunked-part\" -->\n<p>chunked: after include</p>\n",
                    StandardCharsets.US_ASCII);
            Files.writeString(root.resolve("chunked-part"), CHUNKED_PART, StandardCharsets.US_ASCII);
        }

        @Override
        public String http(int port) {
            return """
                    keepalive_timeout %1$dms;
                    keepalive_requests %2$d;
                    server_tokens off;
                    default_type application/octet-stream;

                    server {
                        listen %3$s:%4$d;
                        server_name localhost;

                    %5$s
                        location = /chunked { default_type text/html; ssi on; }
                        location = /chunked-part { internal; default_type text/plain; }
                    %6$s
                        location / { return 404; }
                    %7$s
                    }
                    """.formatted(config.keepaliveTimeout().toMillis(), config.keepaliveRequests(),
                    PrivateNginx.HOST, port, SampleContent.LOCATIONS.indent(4).stripTrailing(),
                    SampleContent.echoLocation("200m").indent(4).stripTrailing(), config.extraLocations());
        }
    }
}
