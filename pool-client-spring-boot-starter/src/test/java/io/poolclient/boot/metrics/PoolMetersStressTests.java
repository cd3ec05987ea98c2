package io.poolclient.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.client.RestClient;

/**
 * The meters under 32 threads of load, with retries and a pool smaller than the load (so that
 * connections are discarded and reopened): once the load is over, every attempt the server saw was
 * one lease and one acquire, every retry the server's 503s asked for was counted, and the
 * connection counters add up ({@code opened = idle + leased + discarded + closed}, leased 0).
 */
@Timeout(120)
class PoolMetersStressTests {

    private static final int THREADS = 32;
    private static final int PER_THREAD = 40;

    private final MockWebServer server = new MockWebServer();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private PoolClient engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        server.close();
    }

    @Test
    void underLoadTheMetersAddUp() throws Exception {
        AtomicLong seen = new AtomicLong();
        AtomicLong unavailable = new AtomicLong();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (seen.incrementAndGet() % 7 == 0) {
                    unavailable.incrementAndGet();
                    return new MockResponse.Builder().code(503).body("busy").build();
                }
                return new MockResponse.Builder().body("ok").build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        PoolMeters meters = new PoolMeters(() -> engine);
        engine = PoolClient.builder()
            .listener(meters)
            .mount("api", "http://127.0.0.1:" + server.getPort() + "/", MountSettings.builder()
                .poolMaxsize(8)
                .retry(Retry.builder().total(5).statusForcelist(Set.of(503)).build())
                .build())
            .build();
        meters.bindTo(registry);
        RestClient client = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(engine)).build();
        String url = "http://127.0.0.1:" + server.getPort() + "/load";

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                done.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    int ok = 0;
                    for (int i = 0; i < PER_THREAD; i++) {
                        if ("ok".equals(client.get().uri(url).retrieve().body(String.class))) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            go.countDown();
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(ok).isEqualTo(THREADS * PER_THREAD);
        }
        finally {
            pool.shutdownNow();
        }

        long attempts = server.getRequestCount();
        assertThat(attempts).isEqualTo(THREADS * PER_THREAD + unavailable.get());
        PoolSnapshot p = engine.snapshot("api").orElseThrow().pools().get(0);
        assertThat(p.leased()).isZero();
        assertThat(p.opened()).isEqualTo(p.idle() + p.leased() + p.discarded() + p.closed());

        assertThat(timerCount("http.client.pool.lease")).as("one lease per attempt").isEqualTo(attempts);
        assertThat(timerCount("http.client.pool.acquire")).as("one acquire per attempt").isEqualTo(attempts);
        assertThat(counter("http.client.pool.connections.opened") + counter("http.client.pool.connections.reused"))
            .as("each acquire opened or reused a connection").isEqualTo(attempts);
        assertThat(registry.get("http.client.pool.connect").tags("outcome", "success").timer().count())
            .isEqualTo((long) counter("http.client.pool.connections.opened"));
        double closed = registry.get("http.client.pool.connections.closed").functionCounters().stream()
            .mapToDouble(c -> c.count()).sum();
        assertThat(counter("http.client.pool.connections.opened")).as("opened = idle + leased + discarded + closed")
            .isEqualTo(gauge("idle") + gauge("leased") + counter("http.client.pool.connections.discarded") + closed);
        assertThat(gauge("leased")).isZero();
        assertThat(registry.get("http.client.pool.streams").tags("mount", "api").gauge().value())
            .as("no exchange in progress at the end").isZero();
        double retried = Search.in(registry).name("http.client.pool.retries").tags("outcome", "retried").counters()
            .stream().mapToDouble(Counter::count).sum();
        assertThat(retried).as("one retry per 503").isEqualTo(unavailable.get());
        assertThat(registry.find("http.client.pool.retries").counters()).hasSize(1);
        System.out.printf("meters under %d threads: %d attempts, %d opened, %d discarded, %d retries%n", THREADS, attempts,
                (long) counter("http.client.pool.connections.opened"),
                (long) counter("http.client.pool.connections.discarded"), (long) retried);
    }

    private long timerCount(String name) {
        return registry.get(name).tags("mount", "api").timer().count();
    }

    private double counter(String name) {
        return registry.get(name).tags("mount", "api").functionCounter().count();
    }

    private double gauge(String state) {
        return registry.get("http.client.pool.connections").tags("mount", "api", "state", state).gauge().value();
    }
}
