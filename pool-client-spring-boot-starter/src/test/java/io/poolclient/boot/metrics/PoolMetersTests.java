package io.poolclient.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.boot.Upstream;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

/** {@link PoolMeters} follows the pools: meters appear with a pool and go with it. */
class PoolMetersTests {

    private final Upstream a = new Upstream();
    private final Upstream b = new Upstream();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private PoolClient engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        a.close();
        b.close();
    }

    private RestClient client(PoolMeters meters, MountSettings https) {
        PoolClient.Builder builder = PoolClient.builder();
        if (meters != null) {
            builder.listener(meters);
        }
        builder.mount("http", https);
        engine = builder.build();
        return RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(engine)).build();
    }

    private String get(RestClient client, String url) {
        return client.get().uri(url).retrieve().body(String.class);
    }

    private double gauge(String name, String host, String... extraTags) {
        return registry.get(name).tags("mount", "http", "host", host, "scheme", "http").tags(extraTags).gauge().value();
    }

    @Test
    void poolsCreatedAfterBindingGetEveryMeter() {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.builder().poolMaxsize(4).build());
        meters.bindTo(registry);
        assertThat(registry.find("http.client.pool.connections").meters()).isEmpty();
        assertThat(registry.get("http.client.pool.evictions").tags("mount", "http").functionCounter().count()).isZero();
        assertThat(registry.get("http.client.pool.evictions").tags("mount", "https").functionCounter().count()).isZero();

        get(client, a.url("/1"));
        get(client, a.url("/2"));

        String host = "127.0.0.1:" + a.port();
        assertThat(gauge("http.client.pool.connections", host, "state", "idle")).isEqualTo(1);
        assertThat(gauge("http.client.pool.connections", host, "state", "leased")).isZero();
        assertThat(gauge("http.client.pool.pending", host)).isZero();
        assertThat(gauge("http.client.pool.max", host)).isEqualTo(4);
        assertThat(registry.get("http.client.pool.connections.opened").tags("host", host).functionCounter().count())
            .isEqualTo(1);
        assertThat(registry.get("http.client.pool.connections.discarded").tags("host", host).functionCounter().count())
            .isZero();
        assertThat(registry.get("http.client.pool.acquire").tags("host", host).timer().count()).isEqualTo(2);
        assertThat(Upstream.connections(a.take(2))).isEqualTo(1);
    }

    @Test
    void theStreamsGaugeCountsTheExchangesInProgressAndGoesWithThePool() throws Exception {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.EMPTY);
        meters.bindTo(registry);
        get(client, a.url("/first"));
        String host = "127.0.0.1:" + a.port();
        assertThat(gauge("http.client.pool.streams", host)).isZero();
        assertThat(registry.get("http.client.pool.streams").tags("host", host).gauge().getId().getBaseUnit())
            .isEqualTo("streams");

        PoolingClientHttpRequestFactory factory = new PoolingClientHttpRequestFactory(engine);
        try (ClientHttpResponse first = factory.createRequest(URI.create(a.url("/open/1")), HttpMethod.GET).execute();
                ClientHttpResponse second = factory.createRequest(URI.create(a.url("/open/2")), HttpMethod.GET).execute()) {
            assertThat(first.getStatusCode().value()).isEqualTo(200);
            assertThat(second.getStatusCode().value()).isEqualTo(200);
            assertThat(gauge("http.client.pool.streams", host)).as("two responses not yet read").isEqualTo(2);
        }
        assertThat(gauge("http.client.pool.streams", host)).isZero();

        engine.drop("http");
        assertThat(registry.find("http.client.pool.streams").meters()).isEmpty();
    }

    @Test
    void poolsSeenBeforeBindingGetTheirMetersAtBinding() {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.EMPTY);
        get(client, a.url("/early"));
        meters.bindTo(registry);
        String host = "127.0.0.1:" + a.port();
        assertThat(gauge("http.client.pool.connections", host, "state", "idle")).isEqualTo(1);
        get(client, a.url("/later"));
        assertThat(registry.get("http.client.pool.acquire").tags("host", host).timer().count()).isEqualTo(1);
    }

    @Test
    void anEngineBuiltWithoutTheMetersIsListenedToOnceBoundAndItsPoolsGetTheirMeters() {
        RestClient client = client(null, MountSettings.EMPTY);
        get(client, a.url("/before"));
        PoolMeters meters = new PoolMeters(() -> engine);

        meters.bindTo(registry);

        String host = "127.0.0.1:" + a.port();
        assertThat(gauge("http.client.pool.connections", host, "state", "idle")).isEqualTo(1);
        assertThat(registry.get("http.client.pool.connections.opened").tags("host", host).functionCounter().count())
            .isEqualTo(1);
        get(client, a.url("/after"));
        get(client, b.url("/other"));
        assertThat(registry.get("http.client.pool.acquire").tags("host", host).timer().count()).isEqualTo(1);
        assertThat(hosts()).containsExactlyInAnyOrder(host, "127.0.0.1:" + b.port());
    }

    @Test
    void evictedPoolsLoseTheirMetersAndTheMountCountsTheEviction() {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.builder().poolConnections(1).build());
        meters.bindTo(registry);
        get(client, a.url("/"));
        get(client, b.url("/"));

        assertThat(hosts()).containsExactly("127.0.0.1:" + b.port());
        assertThat(registry.get("http.client.pool.evictions").tags("mount", "http").functionCounter().count())
            .isEqualTo(1);
    }

    @Test
    void droppedPoolsLoseTheirMetersAndAreNotCountedAsEvictions() {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.EMPTY);
        meters.bindTo(registry);
        get(client, a.url("/"));
        get(client, b.url("/"));
        assertThat(hosts()).hasSize(2);

        engine.drop("http");

        assertThat(registry.find("http.client.pool.connections").meters()).isEmpty();
        assertThat(registry.find("http.client.pool.acquire").meters()).isEmpty();
        assertThat(registry.get("http.client.pool.evictions").tags("mount", "http").functionCounter().count()).isZero();

        get(client, a.url("/again"));
        assertThat(hosts()).containsExactly("127.0.0.1:" + a.port());
    }

    @Test
    void closingTheEngineRemovesEveryPoolMeter() {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.EMPTY);
        meters.bindTo(registry);
        get(client, a.url("/"));
        engine.close();
        assertThat(registry.find("http.client.pool.connections").meters()).isEmpty();
        assertThat(registry.find("http.client.pool.max").meters()).isEmpty();
    }

    @Test
    void bindingTwiceToTheSameRegistryIsHarmless() {
        PoolMeters meters = new PoolMeters(() -> engine);
        RestClient client = client(meters, MountSettings.EMPTY);
        meters.bindTo(registry);
        meters.bindTo(registry);
        get(client, a.url("/"));
        assertThat(registry.get("http.client.pool.acquire").timers()).hasSize(1);
        assertThat(registry.get("http.client.pool.acquire").timer().count()).isEqualTo(1);
    }

    private List<String> hosts() {
        return registry.find("http.client.pool.connections").tag("state", "idle").meters().stream()
            .map(Meter::getId)
            .map(id -> id.getTag("host"))
            .toList();
    }
}
