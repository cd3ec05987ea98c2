package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.ProxyConnectException;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.squid.PrivateSquid;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP proxy building blocks against a real squid on loopback: CONNECT tunnels to a plain and a TLS
 * origin, basic authentication (right, wrong and missing credentials) and the Proxy-Authorization header of a
 * plain proxied request. Connections are counted on the servers' side (origin accepts, squid's access log).
 */
class SquidProxyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration LOG_WAIT = Duration.ofSeconds(10);
    private static final String USER = "alice";
    private static final String PASSWORD = "open-sesame-42";

    private static PrivateSquid open;
    private static PrivateSquid guarded;
    private static EchoOrigin origin;

    @BeforeAll
    static void start() {
        origin = new EchoOrigin();
        open = PrivateSquid.startOrSkip(null);
        guarded = PrivateSquid.startOrSkip(new PrivateSquid.BasicAuth(USER, PASSWORD));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {open, guarded, origin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    private static Socket tunnel(PrivateSquid squid, ProxyUrl proxy, String host, int port) throws IOException {
        Socket socket = ProxySockets.connect(proxy, TIMEOUT, host + ":" + port, "corp");
        try {
            HttpConnectHandshake.open(socket, proxy, host, port, TIMEOUT, "corp");
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Test
    void connectTunnelCarriesBytesBothWays() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(open.url(), "proxy");
        int acceptedBefore = origin.accepted();

        try (Socket socket = tunnel(open, proxy, "127.0.0.1", origin.port())) {
            TunnelAssertions.assertEchoes(socket, "through squid");
        }

        assertThat(origin.accepted() - acceptedBefore).as("connections the origin accepted").isEqualTo(1);
        String connect = "CONNECT 127.0.0.1:" + origin.port();
        assertThat(open.awaitAccessLog(line -> line.contains(connect), 1, LOG_WAIT))
                .singleElement().asString().contains("TCP_TUNNEL/200");
    }

    @Test
    void theProxyResolvesTheTargetName() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(open.url(), "proxy");

        try (Socket socket = tunnel(open, proxy, "localhost", origin.port())) {
            TunnelAssertions.assertEchoes(socket, "named target");
        }

        String connect = "CONNECT localhost:" + origin.port();
        assertThat(open.awaitAccessLog(line -> line.contains(connect), 1, LOG_WAIT)).hasSize(1);
    }

    @Test
    void tlsToTheOriginInsideTheTunnelWithSniAndHostnameVerification(@TempDir Path keys) throws Exception {
        TestCertificates certs = TestCertificates.generate(keys);
        try (MockWebServer server = new MockWebServer()) {
            server.useHttps(certs.serverContext(certs.server()).getSocketFactory());
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            server.enqueue(new MockResponse.Builder().body("secret over tls").build());
            ProxyUrl proxy = ProxyUrl.parse(guarded.url(USER, PASSWORD), "proxy");

            try (Socket tunnel = tunnel(guarded, proxy, "localhost", server.getPort());
                    SSLSocket tls = (SSLSocket) certs.clientContext(null).getSocketFactory()
                            .createSocket(tunnel, "localhost", server.getPort(), true)) {
                SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                params.setServerNames(List.of(new SNIHostName("localhost"))); // as the engine's connector does
                tls.setSSLParameters(params);
                tls.setSoTimeout((int) TIMEOUT.toMillis());
                tls.startHandshake();
                tls.getOutputStream().write(("GET /inside HTTP/1.1\r\nHost: localhost:" + server.getPort()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();

                String response = readResponse(tls.getInputStream());
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("secret over tls");
            }
            RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(recorded).isNotNull();
            assertThat(recorded.getHandshakeServerNames()).containsExactly("localhost");
            assertThat(recorded.getHeaders().get("Proxy-Authorization")).as("credentials never reach the origin").isNull();
        }
    }

    @Test
    void rightCredentialsOpenTheTunnel() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(guarded.url(USER, PASSWORD), "proxy");

        try (Socket socket = tunnel(guarded, proxy, "127.0.0.1", origin.port())) {
            TunnelAssertions.assertEchoes(socket, "authenticated");
        }

        String connect = "CONNECT 127.0.0.1:" + origin.port();
        assertThat(guarded.awaitAccessLog(line -> line.contains(connect) && line.contains(" " + USER + " "), 1, LOG_WAIT))
                .as("squid logged the tunnel for the authenticated user").isNotEmpty();
    }

    @Test
    void wrongPasswordIs407WithoutThePassword() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(guarded.url(USER, "not-the-password"), "proxy");
        int acceptedBefore = origin.accepted();

        assertThatThrownBy(() -> tunnel(guarded, proxy, "127.0.0.1", origin.port()).close())
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> {
                    assertThat(e.proxyStatus()).isEqualTo("407 Proxy Authentication Required");
                    assertThat(e.proxy()).isEqualTo(guarded.url());
                    assertThat(e.host()).isEqualTo("127.0.0.1:" + origin.port());
                })
                .hasMessage("Proxy " + guarded.url() + " refused CONNECT to 127.0.0.1:" + origin.port()
                        + " through mount 'corp': 407 Proxy Authentication Required")
                .message().doesNotContain("not-the-password").doesNotContain(USER);
        assertThat(origin.accepted()).as("the origin was never contacted").isEqualTo(acceptedBefore);
    }

    @Test
    void missingCredentialsAre407Too() {
        ProxyUrl proxy = ProxyUrl.parse(guarded.url(), "proxy");

        assertThatThrownBy(() -> tunnel(guarded, proxy, "127.0.0.1", origin.port()).close())
                .isInstanceOf(ProxyConnectException.class)
                .hasMessageEndingWith(": 407 Proxy Authentication Required");
    }

    @Test
    void plainProxiedRequestWithPreemptiveProxyAuthorization() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            server.enqueue(new MockResponse.Builder().body("plain via proxy").build());
            ProxyUrl proxy = ProxyUrl.parse(guarded.url(USER, PASSWORD), "proxy");
            String target = "http://127.0.0.1:" + server.getPort() + "/plain";

            try (Socket socket = ProxySockets.connect(proxy, TIMEOUT, "127.0.0.1:" + server.getPort(), "corp")) {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.getPort()
                        + "\r\n" + ProxyAuthorization.HEADER + ": " + ProxyAuthorization.basic(proxy).orElseThrow()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();

                assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200").endsWith("plain via proxy");
            }
            RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(recorded).isNotNull();
            assertThat(recorded.getTarget()).isEqualTo("/plain");
            assertThat(recorded.getHeaders().get("Proxy-Authorization")).as("squid keeps the credentials").isNull();
        }
    }

    @Test
    void proxyDownIsAProxyConnectException() throws Exception {
        int unused;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            unused = probe.getLocalPort();
        }
        ProxyUrl proxy = ProxyUrl.parse("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + unused, "proxy");

        assertThatThrownBy(() -> ProxySockets.connect(proxy, TIMEOUT, "api.example.com:443", "corp"))
                .isInstanceOf(ProxyConnectException.class)
                .hasMessageStartingWith("Cannot connect to proxy http://127.0.0.1:" + unused
                        + " for api.example.com:443 through mount 'corp': ")
                .message().doesNotContain(PASSWORD);
    }

    @Test
    void accessLogCountsEveryTunnel() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(open.url(), "proxy");
        EchoOrigin own = new EchoOrigin();
        try (own) {
            for (int i = 0; i < 3; i++) {
                try (Socket socket = tunnel(open, proxy, "127.0.0.1", own.port())) {
                    TunnelAssertions.assertEchoes(socket, "tunnel " + i);
                }
            }
            String connect = "CONNECT 127.0.0.1:" + own.port();
            List<String> lines = open.awaitAccessLog(line -> line.contains(connect), 3, LOG_WAIT);
            assertThat(lines).hasSize(3);
            assertThat(own.accepted()).isEqualTo(3);
        }
    }

    /** Status line, headers and a Content-Length body, read without waiting for the connection to close. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder response = new StringBuilder();
        int length = 0;
        String line;
        while (!(line = TunnelAssertions.readLine(in).strip()).isEmpty()) {
            response.append(line).append("\r\n");
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return response.append("\r\n").append(new String(in.readNBytes(length), StandardCharsets.ISO_8859_1)).toString();
    }
}
