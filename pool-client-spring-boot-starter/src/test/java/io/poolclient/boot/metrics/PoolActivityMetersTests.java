package io.poolclient.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Request;
import io.poolclient.Response;
import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The meters of what the pools do (reuse, closes by reason, pool timeouts, connects, leases, retries),
 * against a real server on loopback whose connections are counted on its side.
 */
@Timeout(60)
class PoolActivityMetersTests {

    private final MockWebServer server = new MockWebServer();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private PoolClient engine;

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        server.close();
    }

    private String host() {
        return "127.0.0.1:" + server.getPort();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    /** An engine with {@code mounts} (name, prefix, settings triples), metered into {@link #registry}. */
    private RestClient client(ObservationRegistry observations, Object... mounts) {
        PoolMeters meters = new PoolMeters(() -> engine);
        PoolClient.Builder builder = PoolClient.builder().listener(meters);
        for (int i = 0; i < mounts.length; i += 3) {
            builder.mount((String) mounts[i], (String) mounts[i + 1], (MountSettings) mounts[i + 2]);
        }
        engine = builder.build();
        meters.bindTo(registry);
        RestClient.Builder rest = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(engine));
        if (observations != null) {
            rest.observationRegistry(observations);
        }
        return rest.build();
    }

    private RestClient client(String mount, MountSettings settings) {
        return client(null, mount, url("/"), settings);
    }

    private static String get(RestClient client, String url) {
        return client.get().uri(url).retrieve().body(String.class);
    }

    private double count(String name, String mount, String... tags) {
        return registry.get(name).tags("mount", mount, "host", host(), "scheme", "http").tags(tags).functionCounter()
            .count();
    }

    private List<RecordedRequest> take(int n) throws InterruptedException {
        List<RecordedRequest> all = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
            assertThat(r).as("request %d of %d at the server", i + 1, n).isNotNull();
            all.add(r);
        }
        return all;
    }

    private static int connections(List<RecordedRequest> requests) {
        Set<Integer> indexes = new HashSet<>();
        requests.forEach(r -> indexes.add(r.getConnectionIndex()));
        return indexes.size();
    }

    @Test
    void reuseClosesConnectsAndLeasesFollowTheServersConnections() throws Exception {
        server.enqueue(new MockResponse.Builder().body("one").build());
        server.enqueue(new MockResponse.Builder().body("two").build());
        server.enqueue(new MockResponse.Builder().addHeader("Connection", "close").body("last").build());
        RestClient client = client("api", MountSettings.EMPTY);

        assertThat(get(client, url("/1"))).isEqualTo("one");
        assertThat(get(client, url("/2"))).isEqualTo("two");
        assertThat(get(client, url("/3"))).isEqualTo("last");

        assertThat(connections(take(3))).as("connections at the server").isEqualTo(1);
        assertThat(count("http.client.pool.connections.opened", "api")).isEqualTo(1);
        assertThat(count("http.client.pool.connections.reused", "api")).isEqualTo(2);
        assertThat(count("http.client.pool.connections.closed", "api", "reason", "not-reusable")).isEqualTo(1);
        for (String reason : PoolMeters.CLOSE_REASONS) {
            if (!reason.equals("not-reusable")) {
                assertThat(count("http.client.pool.connections.closed", "api", "reason", reason)).as(reason).isZero();
            }
        }
        assertThat(registry.get("http.client.pool.connections.closed").functionCounters())
            .hasSize(PoolMeters.CLOSE_REASONS.size());
        assertThat(registry.get("http.client.pool.connect").tags("host", host(), "outcome", "success").timer().count())
            .isEqualTo(1);
        assertThat(registry.get("http.client.pool.connect").tags("host", host(), "outcome", "failure").timer().count())
            .isZero();
        assertThat(registry.get("http.client.pool.lease").tags("host", host()).timer().count()).isEqualTo(3);
        assertThat(registry.get("http.client.pool.lease").tags("host", host()).timer().totalTime(TimeUnit.NANOSECONDS))
            .isPositive();
        assertThat(count("http.client.pool.timeouts", "api")).isZero();
    }

    @Test
    void connectionMetersHaveBaseUnitConnections() {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        get(client("api", MountSettings.EMPTY), url("/"));
        for (String name : List.of("http.client.pool.connections", "http.client.pool.max",
                "http.client.pool.connections.opened", "http.client.pool.connections.discarded",
                "http.client.pool.connections.reused", "http.client.pool.connections.closed")) {
            for (Meter meter : registry.get(name).meters()) {
                assertThat(meter.getId().getBaseUnit()).as(name).isEqualTo("connections");
            }
        }
    }

    @Test
    void aFailedConnectIsTimedAsAFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        String prefix = "http://127.0.0.1:" + closedPort + "/";
        RestClient client = client(null, "down", prefix, MountSettings.builder().maxRetries(0).build());

        assertThatThrownBy(() -> get(client, prefix + "x")).isInstanceOf(ResourceAccessException.class);

        String down = "127.0.0.1:" + closedPort;
        assertThat(registry.get("http.client.pool.connect").tags("host", down, "outcome", "failure").timer().count())
            .isEqualTo(1);
        assertThat(registry.get("http.client.pool.connect").tags("host", down, "outcome", "success").timer().count())
            .isZero();
        assertThat(registry.get("http.client.pool.connections.opened").tags("host", down).functionCounter().count())
            .isZero();
    }

    @Test
    void aPoolWaitThatTimesOutIsCounted() throws Exception {
        server.enqueue(new MockResponse.Builder().body("held").build());
        RestClient client = client("api", MountSettings.builder().poolMaxsize(1).poolBlock(true)
            .poolTimeout(Duration.ofMillis(100)).build());

        try (Response held = engine.execute(Request.get(URI.create(url("/held"))))) {
            assertThat(held.status()).isEqualTo(200);
            assertThatThrownBy(() -> get(client, url("/waits"))).isInstanceOf(ResourceAccessException.class);
            assertThat(count("http.client.pool.timeouts", "api")).isEqualTo(1);
        }
        assertThat(registry.get("http.client.pool.lease").tags("host", host()).timer().count()).isEqualTo(1);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void retriesAreCountedByKindAndOutcome() throws Exception {
        Retry status = Retry.builder().total(3).statusForcelist(Set.of(503)).build();
        Retry noBudget = status.toBuilder().budgetPercent(0.0).budgetMinPerSecond(0).build();
        RestClient client = client(null, "api", url("/api/"), MountSettings.builder().retry(status).build(), "tight",
                url("/tight/"), MountSettings.builder().retry(noBudget).build());
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        server.enqueue(new MockResponse.Builder().body("fine").build());
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());

        assertThat(get(client, url("/api/x"))).isEqualTo("fine");
        Integer refused = client.get().uri(url("/tight/y")).exchange((req, res) -> res.getStatusCode().value());
        assertThat(refused).as("the last response, the retry refused by the budget").isEqualTo(503);

        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(registry.get("http.client.pool.retries")
            .tags("mount", "api", "host", host(), "scheme", "http", "kind", "status", "outcome", "retried")
            .counter()
            .count()).isEqualTo(1);
        assertThat(registry.get("http.client.pool.retries")
            .tags("mount", "tight", "host", host(), "kind", "status", "outcome", "budget-exhausted")
            .counter()
            .count()).isEqualTo(1);
        assertThat(registry.get("http.client.pool.retries").counters()).hasSize(2);
    }

    @Test
    void springsObservationSeesOneRequestPerCallWithTheRetriesInside() throws Exception {
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
        RestClient client = client(observations, "api", url("/"), MountSettings.builder()
            .retry(Retry.builder().total(3).statusForcelist(Set.of(503)).build()).build());
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        server.enqueue(new MockResponse.Builder().body("fine").build());

        assertThat(get(client, url("/three-tries"))).isEqualTo("fine");

        assertThat(server.getRequestCount()).as("attempts at the server").isEqualTo(3);
        assertThat(registry.get("http.client.requests").timers()).hasSize(1);
        assertThat(registry.get("http.client.requests").timer().count()).as("observations").isEqualTo(1);
        assertThat(registry.get("http.client.requests").timer().getId().getTag("status")).isEqualTo("200");
        assertThat(registry.get("http.client.pool.retries").tags("kind", "status").counter().count()).isEqualTo(2);
    }

    @Test
    void theNewMetersGoWithTheirPool() throws Exception {
        Retry status = Retry.builder().total(3).statusForcelist(Set.of(503)).build();
        RestClient client = client("api", MountSettings.builder().retry(status).build());
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        server.enqueue(new MockResponse.Builder().body("fine").build());
        get(client, url("/x"));
        List<String> names = List.of("http.client.pool.connections.reused", "http.client.pool.connections.closed",
                "http.client.pool.timeouts", "http.client.pool.connect", "http.client.pool.lease",
                "http.client.pool.retries");
        for (String name : names) {
            assertThat(registry.find(name).meters()).as(name).isNotEmpty();
        }

        assertThat(engine.drop("api")).isTrue();

        for (String name : names) {
            assertThat(registry.find(name).meters()).as(name).isEmpty();
        }
    }
}
