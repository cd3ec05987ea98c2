package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.HostPoolView;
import io.poolclient.PoolClient;
import io.poolclient.PoolClosedException;
import io.poolclient.PoolListener;
import io.poolclient.PoolSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The engine stops with the application context ({@link PoolClientLifecycle}): with a request in
 * flight (its server holds the answer until the test lets it go), a caller waiting in a full blocking
 * pool and an idle connection to another server, stopping the context fails the waiter with
 * {@link PoolClosedException}, closes the idle connection at once, and lets the request in flight
 * complete within {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
@Timeout(60)
class PoolClientLifecycleTests {

    private static final Duration BOUND = Duration.ofSeconds(20);

    private final CountDownLatch answer = new CountDownLatch(1);
    private final MockWebServer held = new MockWebServer();
    private final Upstream other = new Upstream();
    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(PoolClientAutoConfigurationTests.CORE)
        .withConfiguration(PoolClientAutoConfigurationTests.STARTER)
        .withUserConfiguration(Views.class);

    @AfterEach
    void tearDown() {
        answer.countDown();
        threads.shutdownNow();
        held.close();
        other.close();
    }

    /** Keeps every pool's read-only view, to read its counts after the engine dropped it. */
    @Configuration(proxyBeanMethods = false)
    static class Views {

        final List<HostPoolView> pools = new CopyOnWriteArrayList<>();

        @Bean
        PoolListener views() {
            return new PoolListener() {
                @Override
                public void poolAdded(HostPoolView pool) {
                    pools.add(pool);
                }
            };
        }
    }

    private void startHeldServer() throws IOException {
        held.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getTarget().startsWith("/held")) {
                    answer.await(BOUND.toSeconds(), TimeUnit.SECONDS);
                }
                return new MockResponse.Builder().body("ok " + request.getTarget()).build();
            }
        });
        held.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(5_000_000); // polling a condition; nothing depends on how long this is
        }
    }

    private static PoolSnapshot pool(List<HostPoolView> views, int port) {
        return views.stream().filter(v -> v.port() == port).findFirst().orElseThrow().snapshot();
    }

    @Test
    void stoppingTheContextLetsTheRequestInFlightCompleteFailsTheWaiterAndClosesIdleAtOnce() throws Exception {
        startHeldServer();
        String base = "http://127.0.0.1:" + held.getPort();
        runner.withPropertyValues("pool-client.mounts.held.prefix=" + base + "/",
                "pool-client.mounts.held.pool-maxsize=1", "pool-client.mounts.held.pool-block=true",
                "pool-client.mounts.held.pool-timeout=20s", "spring.lifecycle.timeout-per-shutdown-phase=20s")
            .run(context -> {
                assertThat(context.getBean(PoolClientLifecycle.class).grace()).isEqualTo(BOUND);
                PoolClient engine = context.getBean(PoolClient.class);
                List<HostPoolView> views = context.getBean(Views.class).pools;
                RestClient client = context.getBean(RestClient.Builder.class).build();

                assertThat(client.get().uri(other.url("/idle")).retrieve().body(String.class)).isEqualTo("ok /idle");
                Future<String> inFlight = threads.submit(() -> client.get().uri(base + "/held").retrieve().body(String.class));
                await(() -> held.getRequestCount() == 1, "the held request reached its server");
                Future<String> waiter = threads.submit(() -> client.get().uri(base + "/waiter").retrieve().body(String.class));
                await(() -> engine.snapshot("held").orElseThrow().pools().get(0).pending() == 1, "a caller waits");

                Future<?> stop = threads.submit(context::stop);

                assertThatThrownBy(() -> waiter.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ResourceAccessException.class)
                    .cause().isInstanceOf(PoolClosedException.class);
                await(() -> pool(views, other.port()).idle() == 0, "the idle connection is closed");
                assertThat(pool(views, other.port()).closedReasons()).isEqualTo(Map.of("shutdown", 1L));
                assertThat(inFlight.isDone()).as("the server has not answered yet").isFalse();
                assertThat(stop.isDone()).as("stopping waits for the request in flight").isFalse();

                answer.countDown();
                assertThat(inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ok /held");
                stop.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                PoolSnapshot h = pool(views, held.getPort());
                assertThat(h.leased()).isZero();
                assertThat(h.closedReasons()).isEqualTo(Map.of("shutdown", 1L));
                assertThat(engine.isClosed()).isTrue();
            });
    }

    @Test
    void theGraceIsThirtySecondsUnlessTheShutdownPhaseSaysOtherwiseAndNothingExistsWhenDisabled() {
        runner.run(context -> assertThat(context.getBean(PoolClientLifecycle.class).grace())
            .isEqualTo(Duration.ofSeconds(30)));
        runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=5s")
            .run(context -> assertThat(context.getBean(PoolClientLifecycle.class).grace()).isEqualTo(Duration.ofSeconds(5)));
        runner.withPropertyValues("pool-client.enabled=false")
            .run(context -> assertThat(context).doesNotHaveBean(PoolClientLifecycle.class));
    }
}
