package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static io.poolclient.PoolAssertions.onlyPool;
import static io.poolclient.PoolAssertions.pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.poolclient.testing.ChildJvm;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.squid.PrivateSquid;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests through a real squid on loopback, configured per mount with {@code proxy}, {@code no-proxy} and
 * {@code trust-env}: plain {@code http://} requests in absolute-form on pooled, kept-alive connections to the
 * proxy; {@code https://} origins through {@code CONNECT} tunnels with TLS to the origin inside; basic
 * authentication sent only to the proxy; refusals and an unreachable proxy as {@link ProxyConnectException};
 * redirects choosing their proxy again; the JVM's properties and the environment. Connections are counted at
 * squid (the client ports in its access log) and at the origin.
 */
@Timeout(120)
class ProxyTest {

    private static final Duration LOG_WAIT = Duration.ofSeconds(10);
    private static final String USER = "proxy-user";
    private static final String PASSWORD = "s3cret-Proxy-pw";

    private static PrivateSquid open;
    private static PrivateSquid guarded;

    private final MockWebServer origin = new MockWebServer();
    private PoolClient client;

    @BeforeAll
    static void startProxies() {
        open = PrivateSquid.startOrSkip(null);
        guarded = PrivateSquid.startOrSkip(new PrivateSquid.BasicAuth(USER, PASSWORD));
    }

    @AfterAll
    static void stopProxies() {
        if (open != null) {
            open.close();
        }
        if (guarded != null) {
            guarded.close();
        }
    }

    @BeforeEach
    void startOrigin() throws IOException {
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (client != null) {
                assertQuiet(client);
            }
        }
        finally {
            if (client != null) {
                client.close();
            }
            origin.close();
        }
    }

    private static MockResponse ok(String body) {
        return new MockResponse.Builder().body(body).build();
    }

    private static String get(PoolClient client, String url) throws IOException {
        try (Response r = client.execute(Request.get(URI.create(url)))) {
            return r.status() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String originUrl(String path) {
        return "http://127.0.0.1:" + origin.getPort() + path;
    }

    @Test
    void plainHttpGoesInAbsoluteFormOverOnePooledConnectionToTheProxy() throws Exception {
        client = PoolClient.builder().mount("corp", originUrl("/"),
                MountSettings.builder().proxy(ProxyAddress.of(open.url())).build()).build();
        int n = 6;
        for (int i = 0; i < n; i++) {
            origin.enqueue(ok("item " + i));
        }

        for (int i = 0; i < n; i++) {
            assertThat(get(client, originUrl("/item/" + i))).isEqualTo("200 item " + i);
        }

        for (int i = 0; i < n; i++) {
            RecordedRequest recorded = origin.takeRequest(5, TimeUnit.SECONDS);
            assertThat(recorded).isNotNull();
            assertThat(recorded.getTarget()).isEqualTo("/item/" + i);
            assertThat(recorded.getHeaders().get("Proxy-Authorization")).isNull();
        }
        String url = "http://127.0.0.1:" + origin.getPort() + "/item/";
        assertThat(open.awaitAccessLog(line -> line.contains(url), n, LOG_WAIT)).as("requests squid served").hasSize(n);
        assertThat(open.clientConnections(line -> line.contains(url))).as("client connections at squid").isEqualTo(1);
        PoolSnapshot pool = onlyPool(client, "corp");
        assertThat(pool.proxy()).isEqualTo(open.url());
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(n - 1);
    }

    @Test
    void httpsOriginThroughAnAuthenticatedConnectTunnelReusedForEveryRequest(@TempDir Path keys) throws Exception {
        TestCertificates certs = TestCertificates.generate(keys);
        origin.close();
        try (MockWebServer tls = new MockWebServer()) {
            tls.useHttps(certs.serverContext(certs.server()).getSocketFactory());
            tls.start(InetAddress.getByName("127.0.0.1"), 0);
            String base = "https://localhost:" + tls.getPort();
            client = PoolClient.builder().mount("secure", base + "/", MountSettings.builder()
                    .proxy(ProxyAddress.of(guarded.url(USER, PASSWORD)))
                    .tls(TlsConfig.of("test-ca", certs.clientContext(null)))
                    .build()).build();
            int n = 4;
            for (int i = 0; i < n; i++) {
                tls.enqueue(ok("secret " + i));
            }

            for (int i = 0; i < n; i++) {
                assertThat(get(client, base + "/s/" + i)).isEqualTo("200 secret " + i);
            }

            for (int i = 0; i < n; i++) {
                RecordedRequest recorded = tls.takeRequest(5, TimeUnit.SECONDS);
                assertThat(recorded).isNotNull();
                assertThat(recorded.getTarget()).isEqualTo("/s/" + i);
                assertThat(recorded.getConnectionIndex()).as("one tunnel, one TLS connection").isZero();
                assertThat(recorded.getHandshakeServerNames()).containsExactly("localhost");
                assertThat(recorded.getHeaders().get("Proxy-Authorization")).as("never sent to the origin").isNull();
            }
            PoolSnapshot pool = onlyPool(client, "secure");
            assertThat(pool.proxy()).isEqualTo(guarded.url());
            assertThat(pool.opened()).isEqualTo(1);
            client.close(); // squid logs a tunnel when it closes
            String connect = "CONNECT localhost:" + tls.getPort();
            assertThat(guarded.awaitAccessLog(line -> line.contains(connect), 1, LOG_WAIT))
                    .singleElement().asString().contains("TCP_TUNNEL/200").contains(" " + USER + " ");
        }
    }

    @Test
    void aWrongPasswordIsAProxyConnectExceptionWithTheStatusLineAndIsNotRetried() throws Exception {
        client = PoolClient.builder().mount("corp", "https://localhost:" + origin.getPort() + "/",
                MountSettings.builder().proxy(ProxyAddress.of(guarded.url(USER, "wrong-Password-9"))).maxRetries(3).build())
                .build();

        try (LogCapture logs = new LogCapture(Level.DEBUG)) {
            assertThatThrownBy(() -> get(client, "https://localhost:" + origin.getPort() + "/x"))
                    .isExactlyInstanceOf(ProxyConnectException.class)
                    .isInstanceOfSatisfying(ProxyConnectException.class, e -> {
                        assertThat(e.proxyStatus()).isEqualTo("407 Proxy Authentication Required");
                        assertThat(e.proxy()).isEqualTo(guarded.url());
                        assertThat(e.host()).isEqualTo("localhost:" + origin.getPort());
                        assertThat(e.mount()).isEqualTo("corp");
                    })
                    .hasMessage("Proxy " + guarded.url() + " refused CONNECT to localhost:" + origin.getPort()
                            + " through mount 'corp': 407 Proxy Authentication Required");
            assertThat(logs.messages(Level.INFO)).as("a refusal is not retried").noneMatch(m -> m.startsWith("Retrying"));
            assertThat(logs.texts()).noneMatch(t -> t.contains("wrong-Password-9") || t.contains(USER));
        }
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void a407ToAPlainProxiedRequestIsAResponse() throws Exception {
        client = PoolClient.builder().mount("corp", originUrl("/"),
                MountSettings.builder().proxy(ProxyAddress.of(guarded.url())).build()).build();

        try (Response r = client.execute(Request.get(URI.create(originUrl("/needs-auth"))))) {
            assertThat(r.status()).isEqualTo(407);
            r.body().readAllBytes();
        }
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void aProxyThatIsDownFollowsConnectRetries() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        String proxy = "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + closedPort;
        client = PoolClient.builder().mount("corp", originUrl("/"),
                MountSettings.builder().proxy(ProxyAddress.of(proxy)).maxRetries(2).build()).build();

        try (LogCapture logs = new LogCapture(Level.INFO)) {
            assertThatThrownBy(() -> get(client, originUrl("/down")))
                    .isInstanceOf(RetriesExhaustedException.class)
                    .hasMessageContaining("Cannot connect to proxy http://127.0.0.1:" + closedPort + " for 127.0.0.1:"
                            + origin.getPort())
                    .satisfies(e -> assertThat(e.getCause()).isInstanceOf(ProxyConnectException.class))
                    .message().doesNotContain(PASSWORD);
            assertThat(logs.messages(Level.INFO)).filteredOn(m -> m.startsWith("Retrying")).hasSize(2);
        }
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void aRedirectToANoProxyHostGoesDirectAndNoProxyCredentialsReachAnyOrigin() throws Exception {
        try (MockWebServer direct = new MockWebServer()) {
            direct.start(InetAddress.getByName("127.0.0.1"), 0);
            client = PoolClient.builder().defaults(MountSettings.builder()
                    .proxy(ProxyAddress.of(guarded.url(USER, PASSWORD)))
                    .noProxy(NoProxyHosts.of("127.0.0.0/8"))
                    .build()).build();
            String landed = "http://127.0.0.1:" + direct.getPort() + "/landed";
            origin.enqueue(new MockResponse.Builder().code(302).setHeader("Location", landed).build());
            direct.enqueue(ok("landed directly"));

            assertThat(get(client, "http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/start"))
                    .isEqualTo("200 landed directly");

            RecordedRequest first = origin.takeRequest(5, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.getHeaders().get("Proxy-Authorization")).isNull();
            RecordedRequest second = direct.takeRequest(5, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(second.getTarget()).as("origin-form: sent directly").isEqualTo("/landed");
            assertThat(second.getHeaders().get("Proxy-Authorization")).isNull();
            assertThat(guarded.awaitAccessLog(line -> line.contains(PrivateSquid.ORIGIN_NAME + ":" + origin.getPort()), 1,
                    LOG_WAIT)).hasSize(1);
            assertThat(guarded.accessLog()).noneMatch(line -> line.contains(":" + direct.getPort() + "/"));
            assertThat(pools(client, "http")).extracting(PoolSnapshot::host, PoolSnapshot::proxy)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(PrivateSquid.ORIGIN_NAME, guarded.url()),
                            org.assertj.core.groups.Tuple.tuple("127.0.0.1", null));
        }
    }

    @Test
    void trustEnvUsesTheJvmProxyPropertiesExceptForLoopback() throws Exception {
        System.setProperty("http.proxyHost", "127.0.0.1");
        System.setProperty("http.proxyPort", Integer.toString(open.port()));
        try {
            client = PoolClient.builder().build();
        }
        finally {
            System.clearProperty("http.proxyHost");
            System.clearProperty("http.proxyPort");
        }
        origin.enqueue(ok("via jvm proxy"));
        origin.enqueue(ok("loopback direct"));

        assertThat(get(client, "http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/jvm"))
                .isEqualTo("200 via jvm proxy");
        assertThat(get(client, originUrl("/loopback"))).isEqualTo("200 loopback direct");

        assertThat(open.awaitAccessLog(line -> line.contains(PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/jvm"), 1,
                LOG_WAIT)).hasSize(1);
        assertThat(pools(client, "http")).extracting(PoolSnapshot::host, PoolSnapshot::proxy)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(PrivateSquid.ORIGIN_NAME, open.url()),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", null));
    }

    @Test
    void trustEnvFalseIgnoresTheJvmProxyProperties() throws Exception {
        System.setProperty("http.proxyHost", "127.0.0.1");
        System.setProperty("http.proxyPort", Integer.toString(open.port()));
        try {
            client = PoolClient.builder().defaults(MountSettings.builder().trustEnv(false).build()).build();
        }
        finally {
            System.clearProperty("http.proxyHost");
            System.clearProperty("http.proxyPort");
        }

        assertThatThrownBy(() -> get(client, "http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/direct"))
                .isInstanceOf(ConnectFailedException.class)
                .isNotInstanceOf(ProxyConnectException.class);
    }

    /** Runs in a child JVM: one GET, then prints the status, the body and the pool's proxy. */
    public static final class EnvironmentProbe {
        public static void main(String[] args) throws Exception {
            try (PoolClient client = PoolClient.builder().build()) {
                System.out.println(get(client, args[0]));
                System.out.println("proxy " + client.snapshot("http").orElseThrow().pools().get(0).proxy());
            }
        }
    }

    @Test
    void trustEnvUsesTheEnvironmentVariablesInAChildJvm() throws Exception {
        origin.enqueue(ok("via env proxy"));
        ChildJvm.Result child = ChildJvm.run(EnvironmentProbe.class, List.of(),
                List.of("http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/env"),
                Map.of("HTTP_PROXY", "127.0.0.1:" + open.port(), "NO_PROXY", "internal.example"));
        String output = child.output();

        assertThat(child.exited()).as("child JVM exited; output: %s", output).isTrue();
        assertThat(output.lines().filter(l -> l.startsWith("200") || l.startsWith("proxy")))
                .as(output).containsExactly("200 via env proxy", "proxy " + open.url());
        assertThat(open.awaitAccessLog(line -> line.contains(PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/env"), 1,
                LOG_WAIT)).hasSize(1);
    }

    @Test
    void credentialsAppearInNoLogMessageSnapshotOrSettings() throws Exception {
        MountSettings settings = MountSettings.builder().proxy(ProxyAddress.of(guarded.url(USER, PASSWORD))).build();
        try (LogCapture logs = new LogCapture(Level.TRACE)) {
            client = PoolClient.builder().mount("corp", originUrl("/"), settings).build();
            origin.enqueue(ok("fine"));
            assertThat(get(client, originUrl("/fine"))).isEqualTo("200 fine");
            client.close();
            assertThat(logs.texts()).isNotEmpty().noneMatch(t -> t.contains(PASSWORD) || t.contains(USER));
        }
        assertThat(settings.toString()).contains("proxy=" + guarded.url()).doesNotContain(PASSWORD).doesNotContain(USER);
        assertThat(client.snapshot().toString()).contains(guarded.url()).doesNotContain(PASSWORD).doesNotContain(USER);
        assertThatThrownBy(() -> ProxyAddress.parse("http://" + USER + ":" + PASSWORD + "@proxy.test:99999", "p.proxy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("p.proxy: ")
                .message().doesNotContain(PASSWORD).doesNotContain(USER);
    }

    @Test
    void thirtyTwoThreadsThroughSquidWithPoolBlockEndQuietWithCountsAddingUp() throws Exception {
        int threads = 32;
        int perThread = 10;
        int maxsize = 4;
        client = PoolClient.builder().mount("corp", originUrl("/"), MountSettings.builder()
                .proxy(ProxyAddress.of(open.url())).poolBlock(true).poolMaxsize(maxsize)
                .poolTimeout(Duration.ofSeconds(30)).build()).build();
        for (int i = 0; i < threads * perThread; i++) {
            origin.enqueue(ok("r"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < perThread; i++) {
                        if (get(client, originUrl("/stress")).equals("200 r")) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : results) {
                ok += f.get(90, TimeUnit.SECONDS);
            }
            assertThat(ok).isEqualTo(threads * perThread);
        }
        finally {
            pool.shutdownNow();
        }

        PoolSnapshot snapshot = onlyPool(client, "corp");
        assertThat(snapshot.leased()).isZero();
        assertThat(snapshot.opened()).isEqualTo(snapshot.idle() + snapshot.leased() + snapshot.discarded() + snapshot.closed());
        assertThat(snapshot.opened()).as("pool-block caps the connections").isLessThanOrEqualTo(maxsize);
        assertThat(snapshot.requests()).isEqualTo(threads * perThread);
        assertThat(origin.getRequestCount()).isEqualTo(threads * perThread);
        String url = "http://127.0.0.1:" + origin.getPort() + "/stress";
        assertThat(open.awaitAccessLog(line -> line.contains(url), threads * perThread, LOG_WAIT)).hasSize(threads * perThread);
        long atSquid = open.clientConnections(line -> line.contains(url));
        assertThat(atSquid).as("client connections at squid").isEqualTo(snapshot.opened());
        System.out.printf("proxy stress: %d requests by %d threads, %d connections opened, %d client connections at squid%n",
                snapshot.requests(), threads, snapshot.opened(), atSquid);
    }
}
