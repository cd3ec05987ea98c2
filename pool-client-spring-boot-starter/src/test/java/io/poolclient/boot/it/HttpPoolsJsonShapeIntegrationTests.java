package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The endpoint's JSON keys are the documented ones, whatever the application's own Jackson settings:
 * here {@code spring.jackson.property-naming-strategy=SNAKE_CASE}, which must not turn
 * {@code poolsEvicted} into {@code pools_evicted}. {@code defaults.protocols: [h2, http/1.1]} is set
 * too: every {@code https://} mount shows it, the {@code http://} ones show {@code http/1.1}.
 */
@SpringBootTest(classes = PoolClientTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=httppools",
                "spring.http.serviceclient.upstream.base-url=http://127.0.0.1:9/",
                "spring.jackson.property-naming-strategy=SNAKE_CASE",
                "pool-client.mounts.api.prefix=http://api.example/",
                "pool-client.mounts.api.pool-timeout=2s",
                "pool-client.mounts.api.retry.total=2",
                "pool-client.mounts.api.retry.status-forcelist=503",
                "pool-client.defaults.protocols=h2,http/1.1",
                "pool-client.mounts.api.max-concurrent-streams=64" })
class HttpPoolsJsonShapeIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    RestClient.Builder restClient;

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        assertThat(array.isArray()).as("a JSON array: %s", array).isTrue();
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    @Test
    void documentedCamelCaseKeysDespiteASnakeCaseApplicationMapper() {
        // One request through the pools (to this application itself) so that the http mount has a pool.
        restClient.build().get().uri("http://127.0.0.1:" + port + "/actuator/httppools").retrieve().body(String.class);
        Actuator actuator = new Actuator(port);

        JsonNode all = actuator.get("/httppools");
        assertThat(fields(all)).containsExactly("mounts");
        JsonNode api = all.path("mounts").path(0);
        assertThat(fields(api)).containsExactly("name", "prefix", "settings", "poolsEvicted", "pools");
        assertThat(api.path("name").asString()).isEqualTo("api");
        JsonNode settings = api.path("settings");
        assertThat(fields(settings)).contains("poolConnections", "poolMaxsize", "poolBlock", "poolTimeout", "idleTimeout",
                "retry", "maxRedirects", "decompress", "maxHeaderCount", "maxHeaderLine")
            .doesNotContain("connectTimeout", "maxRetries");
        assertThat(settings.path("poolTimeout").asString()).isEqualTo("2s");
        assertThat(settings.path("maxConcurrentStreams").asInt()).isEqualTo(64);
        assertThat(strings(settings.path("protocols"))).as("h2 inherited from the defaults does not fit http://")
            .containsExactly("http/1.1");
        JsonNode retry = settings.path("retry");
        assertThat(fields(retry)).containsExactly("total", "statusForcelist", "allowedMethods", "backoffFactor",
                "backoffMax", "backoffJitter", "respectRetryAfter", "raiseOnStatus");
        assertThat(retry.path("statusForcelist").path(0).asInt()).isEqualTo(503);

        JsonNode https = actuator.get("/httppools/https").path("settings");
        assertThat(strings(https.path("protocols"))).containsExactly("h2", "http/1.1");
        assertThat(https.path("maxConcurrentStreams").asInt()).isEqualTo(100);

        JsonNode http = actuator.get("/httppools/http");
        assertThat(http.path("name").asString()).isEqualTo("http");
        JsonNode pool = http.path("pools").path(0);
        assertThat(fields(pool)).containsExactly("scheme", "host", "port", "leased", "idle", "pending", "maxsize",
                "opened", "reused", "discarded", "closed", "requests", "oldestLeaseMs", "closedReasons", "block",
                "timeouts", "lastTimeoutMsAgo", "proxy", "protocol", "activeStreams", "maxConcurrentStreams");
        assertThat(pool.get("proxy").isNull()).as("a direct pool's proxy is written as null").isTrue();
        assertThat(pool.path("host").asString()).isEqualTo("127.0.0.1");
        assertThat(pool.path("requests").asLong()).isEqualTo(1);
        assertThat(pool.path("protocol").asString()).isEqualTo("http/1.1");
        assertThat(pool.path("maxConcurrentStreams").asInt()).as("one exchange at a time on HTTP/1.1").isEqualTo(1);
        assertThat(pool.path("activeStreams").asInt()).isEqualTo(pool.path("leased").asInt());
    }
}
