package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.dante.PrivateDante;
import io.poolclient.testing.squid.PrivateSquid;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 through proxies: inside a {@code CONNECT} tunnel (squid) ALPN picks h2 with the origin, a
 * SOCKS5 connection (dante) speaks h2c with prior knowledge, and a plain {@code http://} request sent
 * to an HTTP proxy in absolute-form stays HTTP/1.1 whatever the mount's protocols.
 */
class H2ProxyTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private final MockWebServer origin = new MockWebServer();
    private PoolClient client;
    private AutoCloseable proxy;

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, origin, proxy);
    }

    @Test
    void h2InsideAConnectTunnel(@TempDir Path keys) throws Exception {
        PrivateSquid squid = PrivateSquid.startOrSkip(null);
        proxy = squid::close;
        TestCertificates certs = TestCertificates.generate(keys);
        origin.useHttps(certs.serverContext(certs.server()).getSocketFactory());
        origin.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
        String base = "https://localhost:" + origin.getPort();
        client = PoolClient.builder().mount("secure", base + "/", MountSettings.builder()
                .proxy(ProxyAddress.of(squid.url())).tls(TlsConfig.of("test-ca", certs.clientContext(null)))
                .protocols(Protocols.of("h2", "http/1.1")).build()).build();
        origin.enqueue(new MockResponse.Builder().body("tunnelled 0").build());
        origin.enqueue(new MockResponse.Builder().body("tunnelled 1").build());

        assertThat(get(base + "/t0")).isEqualTo("tunnelled 0");
        assertThat(get(base + "/t1")).isEqualTo("tunnelled 1");

        RecordedRequest first = origin.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        RecordedRequest second = origin.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(first.getVersion()).isEqualTo("HTTP/2");
        assertThat(second.getConnectionIndex()).isZero();
        PoolSnapshot pool = PoolAssertions.onlyPool(client, "secure");
        assertThat(pool.protocol()).isEqualTo("h2");
        assertThat(pool.proxy()).isEqualTo(squid.url());
    }

    @Test
    void h2cThroughSocks5() throws Exception {
        PrivateDante dante = PrivateDante.startOrSkip();
        proxy = dante::close;
        origin.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
        origin.enqueue(new MockResponse.Builder().body("socks h2c").build());
        String base = "http://127.0.0.1:" + origin.getPort();
        client = PoolClient.builder().mount("socks", base + "/", MountSettings.builder()
                .proxy(ProxyAddress.of(dante.url("socks5"))).protocols(Protocols.of("h2c")).build()).build();

        assertThat(get(base + "/s")).isEqualTo("socks h2c");

        assertThat(origin.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getVersion()).isEqualTo("HTTP/2");
        assertThat(PoolAssertions.onlyPool(client, "socks").protocol()).isEqualTo("h2");
    }

    @Test
    void plainHttpThroughAnHttpProxyStaysHttp11() throws Exception {
        PrivateSquid squid = PrivateSquid.startOrSkip(null);
        proxy = squid::close;
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
        origin.enqueue(new MockResponse.Builder().body("absolute form").build());
        String base = "http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort();
        client = PoolClient.builder().mount("plain", base + "/", MountSettings.builder()
                .proxy(ProxyAddress.of(squid.url())).protocols(Protocols.of("h2c")).build()).build();

        assertThat(get(base + "/p")).isEqualTo("absolute form");

        assertThat(origin.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getVersion()).isEqualTo("HTTP/1.1");
        assertThat(PoolAssertions.onlyPool(client, "plain").protocol()).isEqualTo("http/1.1");
    }

    private String get(String url) throws Exception {
        try (Response r = client.execute(Request.get(URI.create(url)))) {
            assertThat(r.status()).isEqualTo(200);
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
