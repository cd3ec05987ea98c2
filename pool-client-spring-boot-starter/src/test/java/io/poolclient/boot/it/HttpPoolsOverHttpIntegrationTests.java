package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.boot.Upstream;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import tools.jackson.databind.JsonNode;

/**
 * A real application on a random port: the auto-configured {@code RestClient.Builder},
 * {@code RestTemplateBuilder} and an HTTP service group call two MockWebServers through mounts
 * configured only in properties; {@code /actuator/httppools}, {@code /actuator/metrics} and
 * {@code /actuator/health} are then read over HTTP. Real TCP connections are counted on the
 * servers' side from each request's connection index.
 */
@SpringBootTest(classes = PoolClientTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.address=127.0.0.1", "spring.threads.virtual.enabled=true",
                "management.endpoints.web.exposure.include=httppools,health,metrics",
                "management.endpoint.health.show-details=always",
                "management.endpoint.httppools.access=unrestricted" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpPoolsOverHttpIntegrationTests {

    static final Upstream A = new Upstream();
    static final Upstream B = new Upstream();

    @DynamicPropertySource
    static void mounts(DynamicPropertyRegistry registry) {
        registry.add("pool-client.mounts.single.prefix", () -> A.url("/"));
        registry.add("pool-client.mounts.single.pool-maxsize", () -> "1");
        registry.add("pool-client.mounts.dropme.prefix", () -> A.url("/drop/"));
        registry.add("pool-client.mounts.api.prefix", () -> B.url("/api/"));
        registry.add("pool-client.mounts.services.prefix", () -> B.url("/services/"));
        registry.add("spring.http.serviceclient.upstream.base-url", () -> B.url(""));
    }

    @AfterAll
    static void stopUpstreams() {
        A.close();
        B.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    RestClient.Builder restClientBuilder;

    @Autowired
    RestTemplateBuilder restTemplateBuilder;

    @Autowired
    PoolClientTestApplication.UpstreamApi upstreamApi;

    private Actuator actuator() {
        return new Actuator(port);
    }

    private JsonNode pool(JsonNode mount, int index) {
        return mount.path("pools").path(index);
    }

    @Test
    @Order(1)
    void restClientReusesOneConnectionThenOverflowsAHostMountWithMaxsizeOne() {
        RestClient client = restClientBuilder.build();
        for (int i = 1; i <= 3; i++) {
            assertThat(client.get().uri(A.url("/items/" + i)).retrieve().body(String.class)).isEqualTo("ok /items/" + i);
        }
        JsonNode single = actuator().get("/httppools/single");
        assertThat(single.path("name").asString()).isEqualTo("single");
        assertThat(single.path("prefix").asString()).isEqualTo(A.url("/"));
        assertThat(single.path("settings").path("poolMaxsize").asInt()).isEqualTo(1);
        assertThat(single.path("pools").size()).isEqualTo(1);
        JsonNode pool = pool(single, 0);
        assertThat(pool.path("scheme").asString()).isEqualTo("http");
        assertThat(pool.path("host").asString()).isEqualTo("127.0.0.1");
        assertThat(pool.path("port").asInt()).isEqualTo(A.port());
        assertThat(pool.path("opened").asLong()).isEqualTo(1);
        assertThat(pool.path("reused").asLong()).isEqualTo(2);
        assertThat(pool.path("requests").asLong()).isEqualTo(3);
        assertThat(pool.path("leased").asInt()).isZero();
        assertThat(pool.path("idle").asInt()).isEqualTo(1);
        assertThat(Upstream.connections(A.take(3))).isEqualTo(1);

        // Hold one response open while a second request needs a connection: with pool-block false a
        // second connection opens; on return only one fits (maxsize 1), the other is discarded.
        List<Integer> leasedDuringOuter = new ArrayList<>();
        client.get().uri(A.url("/outer")).exchange((request, response) -> {
            leasedDuringOuter.add(pool(actuator().get("/httppools/single"), 0).path("leased").asInt());
            client.get().uri(A.url("/inner")).retrieve().body(String.class);
            return response.bodyTo(String.class);
        });
        assertThat(leasedDuringOuter).containsExactly(1);
        pool = pool(actuator().get("/httppools/single"), 0);
        assertThat(pool.path("opened").asLong()).isEqualTo(2);
        assertThat(pool.path("reused").asLong()).isEqualTo(3);
        assertThat(pool.path("discarded").asLong()).isEqualTo(1);
        assertThat(pool.path("idle").asInt()).isEqualTo(1);
        assertThat(pool.path("leased").asInt()).isZero();
        assertThat(pool.path("requests").asLong()).isEqualTo(5);
        assertThat(pool.path("opened").asLong()).isEqualTo(pool.path("idle").asLong() + pool.path("leased").asLong()
                + pool.path("discarded").asLong() + pool.path("closed").asLong());
        List<RecordedRequest> overflow = A.take(2);
        assertThat(Upstream.connections(overflow)).isEqualTo(2);
    }

    @Test
    @Order(2)
    void restTemplateGoesThroughThePathMountAndTheSameHostElsewhereThroughTheImplicitMount() {
        RestTemplate template = restTemplateBuilder.build();
        assertThat(template.getForObject(B.url("/api/a"), String.class)).isEqualTo("ok /api/a");
        assertThat(template.getForObject(B.url("/api/b"), String.class)).isEqualTo("ok /api/b");
        assertThat(template.getForObject(B.url("/other"), String.class)).isEqualTo("ok /other");

        JsonNode api = pool(actuator().get("/httppools/api"), 0);
        assertThat(api.path("opened").asLong()).isEqualTo(1);
        assertThat(api.path("reused").asLong()).isEqualTo(1);
        assertThat(api.path("requests").asLong()).isEqualTo(2);
        assertThat(api.path("idle").asInt()).isEqualTo(1);
        JsonNode http = actuator().get("/httppools/http");
        assertThat(http.path("pools").size()).isEqualTo(1);
        assertThat(pool(http, 0).path("port").asInt()).isEqualTo(B.port());
        assertThat(pool(http, 0).path("opened").asLong()).isEqualTo(1);

        // Two mounts, two pools: the request outside /api/ came on a connection of its own.
        List<RecordedRequest> requests = B.take(3);
        assertThat(requests.get(0).getConnectionIndex()).isEqualTo(requests.get(1).getConnectionIndex());
        assertThat(requests.get(2).getConnectionIndex()).isNotEqualTo(requests.get(0).getConnectionIndex());
    }

    @Test
    @Order(3)
    void httpServiceGroupGoesThroughThePools() {
        assertThat(upstreamApi.item("7")).isEqualTo("ok /services/items/7");
        assertThat(upstreamApi.item("8")).isEqualTo("ok /services/items/8");
        JsonNode services = pool(actuator().get("/httppools/services"), 0);
        assertThat(services.path("opened").asLong()).isEqualTo(1);
        assertThat(services.path("reused").asLong()).isEqualTo(1);
        assertThat(services.path("requests").asLong()).isEqualTo(2);
        assertThat(Upstream.connections(B.take(2))).isEqualTo(1);
    }

    @Test
    @Order(4)
    void metricsEndpointShowsThePoolGauges() {
        JsonNode idle = actuator().get("/metrics/http.client.pool.connections?tag=mount:single&tag=state:idle");
        assertThat(idle.path("measurements").path(0).path("value").asDouble()).isEqualTo(1.0);
        List<String> tags = new ArrayList<>();
        idle.path("availableTags").forEach(t -> tags.add(t.path("tag").asString()));
        assertThat(tags).contains("host", "scheme");
        JsonNode all = actuator().get("/metrics/http.client.pool.connections");
        List<String> mounts = new ArrayList<>();
        all.path("availableTags").forEach(t -> {
            if (t.path("tag").asString().equals("mount")) {
                t.path("values").forEach(v -> mounts.add(v.asString()));
            }
        });
        assertThat(mounts).contains("single", "api", "services", "http");
        JsonNode discarded = actuator().get("/metrics/http.client.pool.connections.discarded?tag=mount:single");
        assertThat(discarded.path("measurements").path(0).path("value").asDouble()).isEqualTo(1.0);
        JsonNode acquire = actuator().get("/metrics/http.client.pool.acquire?tag=mount:single");
        assertThat(acquire.path("measurements").path(0).path("statistic").asString()).isEqualTo("COUNT");
        assertThat(acquire.path("measurements").path(0).path("value").asDouble()).isEqualTo(5.0);
        JsonNode evictions = actuator().get("/metrics/http.client.pool.evictions?tag=mount:api");
        assertThat(evictions.path("measurements").path(0).path("value").asDouble()).isZero();
    }

    @Test
    @Order(5)
    void healthIsUpAndListsNoSaturatedPoolWhenQuiet() {
        JsonNode health = actuator().get("/health");
        assertThat(health.path("status").asString()).isEqualTo("UP");
        JsonNode pools = health.path("components").path("httppools");
        assertThat(pools.path("status").asString()).isEqualTo("UP");
        assertThat(pools.path("details").path("mounts").asInt()).isEqualTo(6);
        assertThat(pools.path("details").path("saturated").size()).isZero();
        assertThat(pools.path("details").path("pools").asInt()).isEqualTo(4);
    }

    @Test
    @Order(6)
    void deleteDropsAMountsPoolsWithoutCountingAnEviction() {
        RestClient client = restClientBuilder.build();
        client.get().uri(A.url("/drop/x")).retrieve().body(String.class);
        A.take(1);
        assertThat(actuator().get("/httppools/dropme").path("pools").size()).isEqualTo(1);

        Actuator.Reply deleted = actuator().call("DELETE", "/httppools/dropme");
        assertThat(deleted.status()).isEqualTo(204);
        JsonNode dropme = actuator().get("/httppools/dropme");
        assertThat(dropme.path("pools").size()).isZero();
        assertThat(dropme.path("poolsEvicted").asLong()).isZero();

        assertThat(actuator().call("DELETE", "/httppools/nope").status()).isEqualTo(404);
        assertThat(actuator().call("GET", "/httppools/nope").status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void fullDocumentListsEveryMountInMatchOrder() {
        Actuator.Reply reply = actuator().call("GET", "/httppools");
        assertThat(reply.status()).isEqualTo(200);
        System.out.println("GET /actuator/httppools ->\n" + reply.pretty());
        JsonNode doc = reply.json();
        List<String> names = new ArrayList<>();
        doc.path("mounts").forEach(m -> names.add(m.path("name").asString()));
        assertThat(names).containsExactly("services", "dropme", "api", "single", "https", "http");
        JsonNode https = doc.path("mounts").path(4);
        assertThat(https.path("prefix").asString()).isEqualTo("https://");
        assertThat(https.path("settings").path("poolConnections").asInt()).isEqualTo(10);
        assertThat(https.path("settings").has("connectTimeout")).isFalse();
        assertThat(https.path("pools").size()).isZero();
    }
}
