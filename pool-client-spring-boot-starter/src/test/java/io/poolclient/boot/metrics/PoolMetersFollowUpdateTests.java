package io.poolclient.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.boot.Upstream;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/** The pool meters follow a live {@link PoolClient#update}: the new maxsize, the evictions it causes, and its meters going. */
class PoolMetersFollowUpdateTests {

    private final Upstream a = new Upstream();
    private final Upstream b = new Upstream();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PoolClient engine = PoolClient.builder()
        .mount("http", MountSettings.builder().poolMaxsize(4).build())
        .build();
    private final RestClient client = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(engine)).build();

    @AfterEach
    void close() {
        engine.close();
        a.close();
        b.close();
    }

    @Test
    void maxFollowsTheNewSizeAndEvictedPoolsLoseTheirMeters() {
        PoolMeters meters = new PoolMeters(() -> engine);
        engine.addListener(meters);
        meters.bindTo(registry);
        client.get().uri(a.url("/1")).retrieve().body(String.class);
        client.get().uri(b.url("/1")).retrieve().body(String.class);
        String hostA = "127.0.0.1:" + a.port();
        String hostB = "127.0.0.1:" + b.port();
        assertThat(registry.get("http.client.pool.max").tags("host", hostB).gauge().value()).isEqualTo(4);

        engine.update("http", MountSettings.builder().poolMaxsize(2).poolConnections(1).build());

        assertThat(registry.get("http.client.pool.max").tags("host", hostB).gauge().value()).isEqualTo(2);
        assertThat(registry.find("http.client.pool.max").tags("host", hostA).gauge()).as("evicted: its meters go").isNull();
        assertThat(registry.get("http.client.pool.evictions").tags("mount", "http").functionCounter().count()).isEqualTo(1);
    }
}
