package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.testing.FaultServer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PoolClient#route}: which mount, settings and host pool would serve a URL, found without
 * opening a connection or creating a pool, never repeating user-info, and refusing anything that is
 * not an absolute http(s) URL.
 */
class RouteTest {

    private final FaultServer server = FaultServer.start(FaultServer.Fault.NONE);
    private final PoolClient client = PoolClient.builder()
            .mount("api", server.uri("/api/").toString(), MountSettings.builder().poolMaxsize(3)
                    .readTimeout(Duration.ofSeconds(7)).build())
            .build();

    @AfterEach
    void tearDown() throws Exception {
        assertQuietThenClose(client, server);
    }

    @Test
    void findsTheMountAndItsSettingsWithoutOpeningAnything() {
        Route route = client.route(server.uri("/api/items/1?x=1"));

        assertThat(route.mount()).isEqualTo("api");
        assertThat(route.prefix()).isEqualTo(server.uri("/api/").toString());
        assertThat(route.url()).isEqualTo(server.uri("/api/items/1?x=1").toString());
        assertThat(route.settings().poolMaxsize()).isEqualTo(3);
        assertThat(route.settings().readTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(route.proxy()).isNull();
        assertThat(route.pool()).as("no pool open yet").isNull();
        assertThat(client.snapshot("api").orElseThrow().pools()).as("none created by asking").isEmpty();
        assertThat(server.accepted()).isZero();

        Route other = client.route(server.uri("/elsewhere"));
        assertThat(other.mount()).isEqualTo(PoolClient.HTTP);
        assertThat(other.prefix()).isEqualTo("http://");
        assertThat(other.settings().poolMaxsize()).isEqualTo(MountSettings.DEFAULT_POOL_MAXSIZE);
    }

    @Test
    void namesTheProxyWithoutItsCredentialsAndOpensNothing() throws Exception {
        try (PoolClient proxied = PoolClient.builder()
                .mount("egress", "http://origin.example/", MountSettings.builder()
                        .proxy(ProxyAddress.of("http://svc:secret@127.0.0.1:" + server.port())).build())
                .build()) {
            Route route = proxied.route(URI.create("http://origin.example/a"));

            assertThat(route.mount()).isEqualTo("egress");
            assertThat(route.proxy()).isEqualTo("http://127.0.0.1:" + server.port());
            assertThat(route.pool()).isNull();
            assertThat(route.toString()).doesNotContain("secret");
            assertThat(server.accepted()).isZero();
        }
    }

    @Test
    void showsTheHostPoolOnceOneExists() throws Exception {
        try (Response r = client.execute(Request.get(server.uri("/api/a")))) {
            r.body().readAllBytes();
        }
        Route route = client.route(URI.create("HTTP://127.0.0.1:" + server.port() + "/api/b"));

        assertThat(route.mount()).isEqualTo("api");
        assertThat(route.pool()).isNotNull();
        assertThat(route.pool().port()).isEqualTo(server.port());
        assertThat(route.pool().opened()).isEqualTo(1);
        assertThat(route.pool().idle()).isEqualTo(1);
        assertThat(client.route(server.uri("/other")).pool()).as("same host, other mount: its own pool").isNull();
        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void neverRepeatsUserInfo() {
        Route route = client.route(URI.create("http://alice:s3cret@127.0.0.1:" + server.port() + "/api/x?q=1"));

        assertThat(route.url()).isEqualTo("http://127.0.0.1:" + server.port() + "/api/x?q=1");
        assertThat(route.toString()).doesNotContain("s3cret").doesNotContain("alice");
        assertThat(route.mount()).isEqualTo("api");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/relative", "ftp://alice:s3cret@127.0.0.1/x", "mailto:alice:s3cret@example.org",
            "http:///no-host", "localhost:8080/x" })
    void refusesWhatIsNotAnAbsoluteHttpUrlWithoutEchoingIt(String url) {
        assertThatThrownBy(() -> client.route(URI.create(url))).isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("s3cret").doesNotContain(url);
        assertThat(server.accepted()).isZero();
    }
}
