package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.AddressRefusedException;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import io.poolclient.ProxyAddress;
import io.poolclient.ProxyConnectException;
import io.poolclient.Request;
import io.poolclient.RequestOptions;
import io.poolclient.Response;
import io.poolclient.testing.dante.PrivateDante;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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

/**
 * A {@link PoolClient} mount with a SOCKS5 {@code proxy}: through a real dante ({@code socks5} and
 * {@code socks5h}, no authentication) and through the in-test SOCKS5 server (username/password, and to see
 * whether the name or an address was sent). Connections are counted at the origin and at the proxy. Also a
 * proxy that accepts the connection but never answers: the handshake ends with the connect-timeout.
 */
@Timeout(60)
class SocksProxyClientTest {

    private static PrivateDante dante;

    private final MockWebServer origin = new MockWebServer();
    private PoolClient client;

    @BeforeAll
    static void startDante() {
        dante = PrivateDante.startOrSkip();
    }

    @AfterAll
    static void stopDante() {
        if (dante != null) {
            dante.close();
        }
    }

    @BeforeEach
    void startOrigin() throws IOException {
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            for (PoolSnapshot p : client.snapshot().mounts().stream().flatMap(m -> m.pools().stream()).toList()) {
                assertThat(p.leased()).isZero();
                assertThat(p.opened()).isEqualTo(p.idle() + p.leased() + p.discarded() + p.closed());
            }
            client.close();
        }
        origin.close();
    }

    private PoolClient client(String proxy, int maxRetries) {
        return PoolClient.builder().defaults(MountSettings.builder().proxy(ProxyAddress.of(proxy))
                .maxRetries(maxRetries).connectTimeout(Duration.ofSeconds(2)).build()).build();
    }

    private static String get(PoolClient client, String url) throws IOException {
        try (Response r = client.execute(Request.get(URI.create(url)))) {
            return r.status() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void assertOneOriginConnection(int requests) throws InterruptedException {
        for (int i = 0; i < requests; i++) {
            RecordedRequest recorded = origin.takeRequest(5, TimeUnit.SECONDS);
            assertThat(recorded).isNotNull();
            assertThat(recorded.getConnectionIndex()).as("request %d on the first connection", i).isZero();
        }
    }

    private void enqueue(int n) {
        for (int i = 0; i < n; i++) {
            origin.enqueue(new MockResponse.Builder().body("socks " + i).build());
        }
    }

    @Test
    void socks5ThroughDanteIsPooled() throws Exception {
        client = client(dante.url("socks5"), 0);
        enqueue(4);

        for (int i = 0; i < 4; i++) {
            assertThat(get(client, "http://127.0.0.1:" + origin.getPort() + "/s")).isEqualTo("200 socks " + i);
        }

        assertOneOriginConnection(4);
        PoolSnapshot pool = client.snapshot("http").orElseThrow().pools().get(0);
        assertThat(pool.proxy()).isEqualTo(dante.url("socks5"));
        assertThat(pool.opened()).isEqualTo(1);
    }

    @Test
    void socks5hThroughDanteSendsTheNameForTheProxyToResolve() throws Exception {
        client = client(dante.url("socks5h"), 0);
        enqueue(3);

        for (int i = 0; i < 3; i++) {
            assertThat(get(client, "http://localhost:" + origin.getPort() + "/h")).isEqualTo("200 socks " + i);
        }

        assertOneOriginConnection(3);
        assertThat(client.snapshot("http").orElseThrow().pools().get(0).proxy()).isEqualTo(dante.url("socks5h"));
    }

    @Test
    void socks5hWithUsernameAndPasswordSendsTheName() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server("alice", "pa:ss@word", 0)) {
            client = client("socks5h://alice:pa%3Ass%40word@127.0.0.1:" + socks.port(), 0);
            enqueue(3);

            for (int i = 0; i < 3; i++) {
                assertThat(get(client, "http://localhost:" + origin.getPort() + "/auth")).isEqualTo("200 socks " + i);
            }

            assertOneOriginConnection(3);
            assertThat(socks.accepted()).as("connections at the proxy").isEqualTo(1);
            assertThat(socks.requests()).containsExactly(
                    new InTestSocks5Server.Request(3, "localhost", origin.getPort()));
        }
    }

    @Test
    void socks5ResolvesTheNameItselfAndSendsTheAddress() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server("alice", "secret", 0)) {
            client = client("socks5://alice:secret@127.0.0.1:" + socks.port(), 0);
            enqueue(1);

            assertThat(get(client, "http://localhost:" + origin.getPort() + "/addr")).isEqualTo("200 socks 0");

            assertThat(socks.requests()).singleElement().satisfies(r -> {
                assertThat(r.addressType()).isIn(1, 4);
                assertThat(r.port()).isEqualTo(origin.getPort());
            });
        }
    }

    @Test
    void aWrongSocksPasswordIsRefusedAndNotRetried() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server("alice", "secret", 0)) {
            client = client("socks5://alice:not-it@127.0.0.1:" + socks.port(), 2);

            assertThatThrownBy(() -> get(client, "http://127.0.0.1:" + origin.getPort() + "/x"))
                    .isExactlyInstanceOf(ProxyConnectException.class)
                    .hasMessageContaining("socks5://127.0.0.1:" + socks.port())
                    .hasMessageContaining("127.0.0.1:" + origin.getPort())
                    .hasMessageContaining("authentication failed")
                    .message().doesNotContain("not-it").doesNotContain("alice");
            assertThat(socks.accepted()).as("one attempt only").isEqualTo(1);
        }
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void aProxyThatNeverAnswersFailsWithinTheConnectTimeout() throws Exception {
        // the kernel completes the TCP handshake from the backlog; nothing ever reads or answers
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            for (String scheme : List.of("http", "socks5")) {
                try (PoolClient c = PoolClient.builder().defaults(MountSettings.builder()
                        .proxy(ProxyAddress.of(scheme + "://127.0.0.1:" + silent.getLocalPort()))
                        .connectTimeout(Duration.ofMillis(300)).build()).build()) {
                    String url = scheme.equals("http") ? "https://localhost:" + origin.getPort() + "/t"
                            : "http://127.0.0.1:" + origin.getPort() + "/t";
                    assertThatThrownBy(() -> get(c, url))
                            .isExactlyInstanceOf(ProxyConnectException.class)
                            .hasMessageContaining("no answer within")
                            .satisfies(e -> assertThat(((ProxyConnectException) e).proxyStatus()).isNull());
                }
            }
        }
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void theAddressFilterAppliesToTheOriginAddressResolvedForSocks5() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server(null, null, 0)) {
            client = client("socks5://127.0.0.1:" + socks.port(), 0);
            RequestOptions refuseLoopback = new RequestOptions(null, null, null, null, address -> !address.isLoopbackAddress());

            assertThatThrownBy(() -> client.execute(Request.get(URI.create("http://localhost:" + origin.getPort() + "/f")),
                    refuseLoopback).close())
                    .isExactlyInstanceOf(AddressRefusedException.class)
                    .hasMessageContaining("localhost:" + origin.getPort());
            assertThat(socks.requests()).as("nothing asked of the proxy").isEmpty();
        }
        assertThat(origin.getRequestCount()).isZero();
    }
}
