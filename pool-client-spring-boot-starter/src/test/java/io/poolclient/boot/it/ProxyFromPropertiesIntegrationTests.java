package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.squid.PrivateSquid;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code pool-client.mounts.<name>.proxy}, {@code no-proxy} and {@code trust-env} bound from properties: the
 * auto-configured {@code RestClient} reaches an origin through a real squid with basic authentication, the
 * origin never sees the proxy's credentials, and {@code /actuator/httppools} shows the proxy without them, in
 * the mount's settings and on its pool; a direct pool shows {@code "proxy": null}. The credentials are in no
 * meter and not in the health details.
 */
@SpringBootTest(classes = PoolClientTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=httppools,health",
                "management.endpoint.health.show-details=always",
                "spring.http.serviceclient.upstream.base-url=http://127.0.0.1:9/" })
class ProxyFromPropertiesIntegrationTests {

    private static final String USER = "boot-user";
    private static final String PASSWORD = "boot-Proxy-s3cret";

    private static PrivateSquid squid;
    private static MockWebServer origin;

    @LocalServerPort
    int port;

    @Autowired
    RestClient.Builder restClient;

    @Autowired
    MeterRegistry meters;

    /** Runs before the application context is made (skips the class when squid is not installed). */
    @BeforeAll
    static void start() throws IOException {
        squid = PrivateSquid.startOrSkip(new PrivateSquid.BasicAuth(USER, PASSWORD));
        origin = new MockWebServer();
        origin.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @DynamicPropertySource
    static void proxyProperties(DynamicPropertyRegistry registry) {
        registry.add("pool-client.mounts.corp.prefix", () -> "http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/");
        registry.add("pool-client.mounts.corp.proxy", () -> squid.url(USER, PASSWORD));
        registry.add("pool-client.mounts.corp.no-proxy", () -> "127.0.0.1, .internal.example");
        registry.add("pool-client.defaults.trust-env", () -> "false");
    }

    @AfterAll
    static void stop() throws IOException {
        if (origin != null) {
            origin.close();
        }
        if (squid != null) {
            squid.close();
        }
    }

    @Test
    void aMountsProxyFromPropertiesCarriesTheRequestAndShowsInTheEndpoint() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("through the proxy").build());
        String url = "http://" + PrivateSquid.ORIGIN_NAME + ":" + origin.getPort() + "/hello";

        assertThat(restClient.build().get().uri(url).retrieve().body(String.class)).isEqualTo("through the proxy");
        // one direct request too (to this application), so the http mount has a direct pool
        restClient.build().get().uri("http://127.0.0.1:" + port + "/actuator/httppools").retrieve().body(String.class);

        RecordedRequest recorded = origin.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded).isNotNull();
        assertThat(recorded.getTarget()).isEqualTo("/hello");
        assertThat(recorded.getHeaders().get("Proxy-Authorization")).isNull();
        assertThat(squid.awaitAccessLog(line -> line.contains(url) && line.contains(" " + USER + " "), 1,
                Duration.ofSeconds(10))).hasSize(1);

        Actuator actuator = new Actuator(port);
        Actuator.Reply reply = actuator.call("GET", "/httppools");
        assertThat(reply.body()).doesNotContain(PASSWORD).doesNotContain(USER);
        JsonNode corp = actuator.get("/httppools/corp");
        JsonNode settings = corp.path("settings");
        assertThat(settings.path("proxy").asString()).isEqualTo(squid.url());
        assertThat(settings.path("noProxy").path(0).asString()).isEqualTo("127.0.0.1");
        assertThat(settings.path("noProxy").path(1).asString()).isEqualTo(".internal.example");
        assertThat(settings.path("trustEnv").asBoolean(true)).isFalse();
        JsonNode pool = corp.path("pools").path(0);
        assertThat(pool.path("host").asString()).isEqualTo(PrivateSquid.ORIGIN_NAME);
        assertThat(pool.path("proxy").asString()).isEqualTo(squid.url());
        assertThat(pool.path("opened").asLong()).isEqualTo(1);

        assertThat(meters.getMeters()).as("pool meters exist")
                .anyMatch(m -> PrivateSquid.ORIGIN_NAME.concat(":" + origin.getPort()).equals(m.getId().getTag("host")));
        for (Meter meter : meters.getMeters()) {
            assertThat(meter.getId().toString()).doesNotContain(PASSWORD).doesNotContain(USER);
        }
        Actuator.Reply health = actuator.call("GET", "/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"httppools\"").doesNotContain(PASSWORD).doesNotContain(USER);

        JsonNode direct = actuator.get("/httppools/http").path("pools").path(0);
        assertThat(direct.has("proxy")).as("proxy present for a direct pool: %s", direct).isTrue();
        assertThat(direct.get("proxy").isNull()).isTrue();
    }
}
