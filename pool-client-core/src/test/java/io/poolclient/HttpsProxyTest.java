package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.squid.PrivateSquid;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code https://} proxy: TLS to the proxy itself (its certificate checked against the mount's TLS
 * material, its name verified), then the usual absolute-form request or {@code CONNECT} tunnel inside.
 * The proxy is the real squid behind a TLS front end made here (Debian's squid may be built without TLS
 * ports); connections are counted at the front end, at squid and at the origin.
 */
@Timeout(120)
class HttpsProxyTest {

    private static PrivateSquid squid;
    private static TestCertificates certs;
    private static TlsFrontEnd frontEnd;

    private PoolClient client;

    @BeforeAll
    static void start(@TempDir Path keys) throws Exception {
        squid = PrivateSquid.startOrSkip(null);
        certs = TestCertificates.generate(keys);
        frontEnd = new TlsFrontEnd(certs.serverContext(certs.server()), squid.port());
    }

    @AfterAll
    static void stopAll() {
        if (frontEnd != null) {
            frontEnd.close();
        }
        if (squid != null) {
            squid.close();
        }
    }

    @AfterEach
    void stop() {
        if (client != null) {
            assertQuiet(client);
            client.close();
        }
    }

    private MountSettings.Builder throughTheTlsProxy() throws Exception {
        return MountSettings.builder().proxy(ProxyAddress.of("https://localhost:" + frontEnd.port()))
                .tls(TlsConfig.of("test-ca", certs.clientContext(null)));
    }

    private static String get(PoolClient client, String url) throws IOException {
        try (Response r = client.execute(Request.get(URI.create(url)))) {
            return r.status() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void plainHttpThroughATlsProxyIsPooled() throws Exception {
        try (MockWebServer origin = new MockWebServer()) {
            origin.start(InetAddress.getByName("127.0.0.1"), 0);
            String base = "http://127.0.0.1:" + origin.getPort();
            client = PoolClient.builder().mount("corp", base + "/", throughTheTlsProxy().build()).build();
            int before = frontEnd.accepted();
            for (int i = 0; i < 3; i++) {
                origin.enqueue(new MockResponse.Builder().body("p" + i).build());
            }

            for (int i = 0; i < 3; i++) {
                assertThat(get(client, base + "/plain/" + i)).isEqualTo("200 p" + i);
            }

            assertThat(frontEnd.accepted() - before).as("TLS connections to the proxy").isEqualTo(1);
            assertThat(squid.awaitAccessLog(line -> line.contains(base + "/plain/"), 3, Duration.ofSeconds(10))).hasSize(3);
            PoolSnapshot pool = onlyPool(client, "corp");
            assertThat(pool.proxy()).isEqualTo("https://localhost:" + frontEnd.port());
            assertThat(pool.opened()).isEqualTo(1);
        }
    }

    @Test
    void httpsOriginThroughATlsProxyIsTlsInsideTls() throws Exception {
        try (MockWebServer origin = new MockWebServer()) {
            origin.useHttps(certs.serverContext(certs.server()).getSocketFactory());
            origin.start(InetAddress.getByName("127.0.0.1"), 0);
            String base = "https://localhost:" + origin.getPort();
            client = PoolClient.builder().mount("secure", base + "/", throughTheTlsProxy().build()).build();
            int before = frontEnd.accepted();
            for (int i = 0; i < 3; i++) {
                origin.enqueue(new MockResponse.Builder().body("t" + i).build());
            }

            for (int i = 0; i < 3; i++) {
                assertThat(get(client, base + "/tunnel/" + i)).isEqualTo("200 t" + i);
            }

            for (int i = 0; i < 3; i++) {
                RecordedRequest recorded = origin.takeRequest(5, TimeUnit.SECONDS);
                assertThat(recorded).isNotNull();
                assertThat(recorded.getConnectionIndex()).isZero();
                assertThat(recorded.getHandshakeServerNames()).containsExactly("localhost");
            }
            assertThat(frontEnd.accepted() - before).isEqualTo(1);
            assertThat(onlyPool(client, "secure").opened()).isEqualTo(1);
        }
    }

    @Test
    void aProxyCertificateTheMountDoesNotTrustFailsTheConnect() throws Exception {
        client = PoolClient.builder().mount("corp", "http://127.0.0.1:9/", MountSettings.builder()
                .proxy(ProxyAddress.of("https://localhost:" + frontEnd.port())).build()).build();

        assertThatThrownBy(() -> get(client, "http://127.0.0.1:9/never"))
                .isExactlyInstanceOf(ProxyConnectException.class)
                .hasMessageContaining("Cannot connect to proxy https://localhost:" + frontEnd.port())
                .hasMessageContaining("TLS handshake with the proxy failed");
    }

    /**
     * Terminates TLS and relays the bytes to squid's plain port. One accept thread and two relay threads
     * per connection, all daemons; {@link #close()} closes the listening socket and every connection,
     * which ends them all.
     */
    private static final class TlsFrontEnd implements AutoCloseable {

        private final ServerSocket server;
        private final int target;
        private final AtomicInteger accepted = new AtomicInteger();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        TlsFrontEnd(SSLContext context, int target) throws IOException {
            this.server = context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            this.target = target;
            Thread acceptor = new Thread(this::acceptLoop, "tls-front-end");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    accepted.incrementAndGet();
                    Socket upstream = new Socket(InetAddress.getByName("127.0.0.1"), target);
                    sockets.add(client);
                    sockets.add(upstream);
                    relay(client, upstream);
                    relay(upstream, client);
                }
                catch (IOException e) {
                    // closed, or one connection failed: the test sees it on the client side
                }
            }
        }

        private static void relay(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
                catch (IOException e) {
                    // the other side closed
                }
                finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "tls-front-end-relay");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            }
            catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            }
            catch (IOException e) {
                // nothing more to do
            }
            sockets.forEach(TlsFrontEnd::closeQuietly);
        }
    }
}
