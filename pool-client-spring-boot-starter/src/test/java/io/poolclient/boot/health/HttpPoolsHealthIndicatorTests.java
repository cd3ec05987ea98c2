package io.poolclient.boot.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.PoolTimeoutException;
import io.poolclient.Request;
import io.poolclient.Response;
import java.net.URI;
import io.poolclient.boot.Upstream;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.web.client.RestClient;

/** {@link HttpPoolsHealthIndicator}: busy pools are reported, never turned into DOWN. */
class HttpPoolsHealthIndicatorTests {

    private final Upstream upstream = new Upstream();
    private final PoolClient engine = PoolClient.builder()
        .mount("blocking", upstream.url("/"),
                MountSettings.builder().poolMaxsize(1).poolBlock(true).poolTimeout(Duration.ofSeconds(20)).build())
        .build();
    private final RestClient client = RestClient.builder()
        .requestFactory(new PoolingClientHttpRequestFactory(engine))
        .build();
    private final HttpPoolsHealthIndicator indicator = new HttpPoolsHealthIndicator(engine);

    // not the common pool: on 2 cores it has one thread, which the holder below would occupy
    private final ExecutorService callers = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        callers.shutdownNow();
        engine.close();
        upstream.close();
    }

    @Test
    void quietPoolsAreUpWithNothingSaturated() {
        client.get().uri(upstream.url("/")).retrieve().body(String.class);
        Health health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("mounts", 3).containsEntry("pools", 1)
            .containsEntry("idle", 1L).containsEntry("saturated", List.of());
    }

    @Test
    void aFullBlockingPoolWithWaitersIsListedButStillUp() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> holder = CompletableFuture.supplyAsync(() -> client.get()
            .uri(upstream.url("/hold"))
            .exchange((request, response) -> {
                holding.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return response.bodyTo(String.class);
            }), callers);
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        Health full = indicator.health();
        assertThat(full.getStatus()).isEqualTo(Status.UP);
        assertThat(saturated(full)).singleElement().satisfies(p -> {
            assertThat(p).containsEntry("mount", "blocking").containsEntry("leased", 1).containsEntry("maxsize", 1)
                .containsEntry("pending", 0).containsEntry("block", true)
                .containsEntry("host", "127.0.0.1:" + upstream.port())
                .containsEntry("protocol", "http/1.1").containsEntry("activeStreams", 1);
        });

        CompletableFuture<String> waiter = CompletableFuture
            .supplyAsync(() -> client.get().uri(upstream.url("/wait")).retrieve().body(String.class), callers);
        await().atMost(Duration.ofSeconds(10)).until(() -> !saturated(indicator.health()).isEmpty()
                && Integer.valueOf(1).equals(saturated(indicator.health()).get(0).get("pending")));
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        assertThat(indicator.health().getDetails()).containsEntry("pending", 1L);

        release.countDown();
        assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("ok /hold");
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("ok /wait");
        assertThat(saturated(indicator.health())).isEmpty();
    }

    @Test
    void aRecentPoolTimeoutKeepsThePoolListedButStillUp() throws Exception {
        try (PoolClient shortWait = PoolClient.builder()
                .mount("blocking", upstream.url("/"),
                        MountSettings.builder().poolMaxsize(1).poolBlock(true).poolTimeout(Duration.ofMillis(50)).build())
                .build()) {
            HttpPoolsHealthIndicator health = new HttpPoolsHealthIndicator(shortWait);
            try (Response held = shortWait.execute(Request.get(URI.create(upstream.url("/held"))))) {
                assertThatThrownBy(() -> shortWait.execute(Request.get(URI.create(upstream.url("/late")))))
                    .isInstanceOf(PoolTimeoutException.class);
            }
            Health after = health.health();
            assertThat(after.getStatus()).isEqualTo(Status.UP);
            assertThat(saturated(after)).singleElement().satisfies(p -> {
                assertThat(p).containsEntry("mount", "blocking").containsEntry("pending", 0).containsEntry("leased", 0)
                    .containsEntry("poolTimeouts", 1L);
                assertThat((Long) p.get("lastPoolTimeoutMsAgo")).isBetween(0L, HttpPoolsHealthIndicator.RECENT_TIMEOUT_MS);
            });
        }
    }

    @Test
    void aClosedEngineIsOutOfService() {
        engine.close();
        assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> saturated(Health health) {
        return (List<Map<String, Object>>) health.getDetails().get("saturated");
    }
}
