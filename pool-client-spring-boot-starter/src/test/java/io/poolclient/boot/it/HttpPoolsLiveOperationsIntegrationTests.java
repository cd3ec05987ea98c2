package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.boot.Upstream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The live operations of {@code /actuator/httppools} over real HTTP, with
 * {@code access=unrestricted}: {@code GET ?url=} (route, nothing opened, user-info stripped, 400s),
 * {@code POST /{name}} (resize a running mount; 400 naming an unknown key or invalid value; 404) and
 * {@code DELETE} of every mount's pools. Each test uses a mount of its own.
 */
@SpringBootTest(classes = PoolClientTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=httppools",
                "management.endpoint.httppools.access=unrestricted",
                "spring.http.serviceclient.upstream.base-url=http://127.0.0.1:9/" })
class HttpPoolsLiveOperationsIntegrationTests {

    static final Upstream UPSTREAM = new Upstream();

    @DynamicPropertySource
    static void mounts(DynamicPropertyRegistry registry) {
        registry.add("pool-client.mounts.route.prefix", () -> UPSTREAM.url("/route/"));
        registry.add("pool-client.mounts.route.pool-maxsize", () -> "3");
        registry.add("pool-client.mounts.resize.prefix", () -> UPSTREAM.url("/resize/"));
        registry.add("pool-client.mounts.drop.prefix", () -> UPSTREAM.url("/drop/"));
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    RestClient.Builder restClientBuilder;

    private Actuator actuator() {
        return new Actuator(port);
    }

    private static String query(String url) {
        return "/httppools?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8);
    }

    private void call(String path) {
        restClientBuilder.build().get().uri(UPSTREAM.url(path)).retrieve().body(String.class);
    }

    @Test
    void routeNamesMountPrefixSettingsAndPoolWithoutOpeningAnything() {
        int before = UPSTREAM.requestCount();
        Actuator.Reply reply = actuator().call("GET",
                query("http://alice:s3cret@127.0.0.1:" + UPSTREAM.port() + "/route/items?id=1"));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).doesNotContain("s3cret").doesNotContain("alice");
        JsonNode route = reply.json();
        assertThat(route.path("url").asString()).isEqualTo(UPSTREAM.url("/route/items?id=1"));
        assertThat(route.path("mount").asString()).isEqualTo("route");
        assertThat(route.path("prefix").asString()).isEqualTo(UPSTREAM.url("/route/"));
        assertThat(route.path("settings").path("poolMaxsize").asInt()).isEqualTo(3);
        assertThat(route.has("proxy")).isTrue();
        assertThat(route.path("proxy").isNull()).isTrue();
        assertThat(route.has("pool")).isTrue();
        assertThat(route.path("pool").isNull()).as("no pool open yet").isTrue();
        assertThat(actuator().get("/httppools/route").path("pools").size()).as("asking created none").isZero();

        call("/route/a");
        JsonNode pool = actuator().get(query(UPSTREAM.url("/route/b"))).path("pool");
        assertThat(pool.path("port").asInt()).isEqualTo(UPSTREAM.port());
        assertThat(pool.path("opened").asLong()).isEqualTo(1);
        assertThat(pool.path("idle").asInt()).isEqualTo(1);
        assertThat(UPSTREAM.requestCount() - before).as("only the one real call reached the upstream").isEqualTo(1);

        JsonNode implicit = actuator().get(query("https://example.invalid/x"));
        assertThat(implicit.path("mount").asString()).isEqualTo("https");
        assertThat(implicit.path("prefix").asString()).isEqualTo("https://");
    }

    @Test
    void routeAnswers400ForWhatIsNotAnAbsoluteHttpUrl() {
        for (String bad : new String[] { "/relative/path", "ftp://bob:s3cret@127.0.0.1/x", "not a url", "mailto:bob@example.org" }) {
            Actuator.Reply reply = actuator().call("GET", query(bad));
            assertThat(reply.status()).as(bad).isEqualTo(400);
            assertThat(reply.json().path("message").asString()).as(bad).startsWith("url");
            assertThat(reply.body()).doesNotContain("s3cret");
        }
    }

    @Test
    void postResizesARunningMountAndAnswersTheMountObject() {
        call("/resize/a");
        Actuator.Reply reply = actuator().call("POST", "/httppools/resize",
                "{\"poolMaxsize\": 2, \"poolBlock\": true, \"poolTimeout\": \"5s\", \"poolConnections\": 4,"
                        + " \"connectTimeout\": \"2s\", \"readTimeout\": 1500, \"maxConcurrentStreams\": 20}");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode mount = reply.json();
        assertThat(mount.path("name").asString()).isEqualTo("resize");
        JsonNode settings = mount.path("settings");
        assertThat(settings.path("poolMaxsize").asInt()).isEqualTo(2);
        assertThat(settings.path("poolBlock").asBoolean()).isTrue();
        assertThat(settings.path("poolTimeout").asString()).isEqualTo("5s");
        assertThat(settings.path("poolConnections").asInt()).isEqualTo(4);
        assertThat(settings.path("connectTimeout").asString()).isEqualTo("2s");
        assertThat(settings.path("readTimeout").asString()).isEqualTo("1500ms");
        assertThat(settings.path("maxConcurrentStreams").asInt()).isEqualTo(20);
        assertThat(mount.path("pools").path(0).path("maxsize").asInt()).as("the open pool follows").isEqualTo(2);
        assertThat(mount.path("pools").path(0).path("block").asBoolean()).isTrue();
        assertThat(actuator().get("/httppools/resize").path("settings").path("poolMaxsize").asInt()).isEqualTo(2);
    }

    @Test
    void postAnswers400NamingAnUnknownKeyOrAnInvalidValueAndChangesNothing() {
        Actuator.Reply unknown = actuator().call("POST", "/httppools/route", "{\"poolMaxsize\": 2, \"poolMaxSize\": 5}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("message").asString()).contains("poolMaxSize");

        Actuator.Reply invalid = actuator().call("POST", "/httppools/route", "{\"poolMaxsize\": 0}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("message").asString()).contains("pool-maxsize").contains("must be >= 1");

        Actuator.Reply wrongType = actuator().call("POST", "/httppools/route", "{\"readTimeout\": \"soon\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().path("message").asString()).contains("readTimeout");

        Actuator.Reply streams = actuator().call("POST", "/httppools/route", "{\"maxConcurrentStreams\": 0}");
        assertThat(streams.status()).isEqualTo(400);
        assertThat(streams.json().path("message").asString()).contains("maxConcurrentStreams").contains("must be >= 1");

        Actuator.Reply notChangeable = actuator().call("POST", "/httppools/route", "{\"idleTimeout\": \"5s\"}");
        assertThat(notChangeable.status()).isEqualTo(400);
        assertThat(notChangeable.json().path("message").asString()).contains("idleTimeout");

        JsonNode unchanged = actuator().get("/httppools/route").path("settings");
        assertThat(unchanged.path("poolMaxsize").asInt()).isEqualTo(3);
        assertThat(unchanged.path("maxConcurrentStreams").asInt()).isEqualTo(100);
        assertThat(actuator().call("POST", "/httppools/nope", "{\"poolMaxsize\": 2}").status()).isEqualTo(404);
    }

    @Test
    void deleteDropsEveryMountsPools() {
        call("/drop/a");
        call("/other");
        assertThat(actuator().get("/httppools/drop").path("pools").size()).isEqualTo(1);
        assertThat(actuator().get("/httppools/http").path("pools").size()).isEqualTo(1);

        assertThat(actuator().call("DELETE", "/httppools").status()).isEqualTo(204);

        actuator().get("/httppools").path("mounts").forEach(m -> {
            assertThat(m.path("pools").size()).as(m.path("name").asString()).isZero();
            assertThat(m.path("poolsEvicted").asLong()).isZero();
        });
    }
}
