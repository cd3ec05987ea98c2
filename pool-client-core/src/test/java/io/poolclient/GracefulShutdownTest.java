package io.poolclient;

import static io.poolclient.PoolAssertions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.testing.FaultServer;
import java.io.IOException;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PoolClient#shutdown}: against real servers, with one exchange in flight (the server holds
 * its answer until the test lets it go), a caller waiting in a full blocking pool and an idle
 * connection in another pool. The waiter fails with {@link PoolClosedException}, the idle connection
 * is closed at once (seen at its server), the exchange in flight completes within the grace, and
 * every connection is counted closed for {@code shutdown}; past the grace the exchange in flight is
 * cut off instead.
 */
@Timeout(60)
class GracefulShutdownTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    private final CountDownLatch answer = new CountDownLatch(1);
    private final FaultServer held = FaultServer.builder().plan(r -> {
        if (r.target().startsWith("/held")) {
            try {
                answer.await(BOUND.toSeconds(), TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return FaultServer.Fault.NONE;
    }).start();
    private final FaultServer other = FaultServer.start(FaultServer.Fault.NONE);
    private final List<HostPoolView> pools = new CopyOnWriteArrayList<>();
    private final PoolClient client = PoolClient.builder()
            .mount("held", held.uri("/").toString(), MountSettings.builder().poolMaxsize(1).poolBlock(true)
                    .poolTimeout(BOUND).readTimeout(BOUND).build())
            .listener(new PoolListener() {
                @Override
                public void poolAdded(HostPoolView pool) {
                    pools.add(pool);
                }
            })
            .build();
    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    @AfterEach
    void tearDown() throws Exception {
        answer.countDown();
        threads.shutdownNow();
        client.close();
        held.close();
        other.close();
    }

    private String get(FaultServer server, String path) throws IOException {
        try (Response r = client.execute(Request.get(server.uri(path)))) {
            return new String(r.body().readAllBytes());
        }
    }

    /** An exchange in flight on the held server, a caller waiting behind it, an idle connection to the other. */
    private Future<String> inFlightWaiterAndIdle(List<Future<String>> waiter) throws Exception {
        assertThat(get(other, "/idle")).isEqualTo(FaultServer.OK_BODY);
        Future<String> inFlight = threads.submit(() -> get(held, "/held"));
        awaitTrue(() -> held.requests() == 1, BOUND, "the held request reached its server");
        waiter.add(threads.submit(() -> get(held, "/waiter")));
        awaitTrue(() -> client.snapshot("held").orElseThrow().pools().get(0).pending() == 1, BOUND, "a caller waits");
        return inFlight;
    }

    private PoolSnapshot pool(FaultServer server) {
        return pools.stream().filter(p -> p.port() == server.port()).findFirst().orElseThrow().snapshot();
    }

    @Test
    void waitersFailIdleClosesAtOnceAndTheExchangeInFlightCompletes() throws Exception {
        List<Future<String>> waiter = new CopyOnWriteArrayList<>();
        Future<String> inFlight = inFlightWaiterAndIdle(waiter);

        Future<?> shutdown = threads.submit(() -> client.shutdown(BOUND));

        assertThatThrownBy(() -> waiter.get(0).get(BOUND.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PoolClosedException.class);
        awaitTrue(() -> other.openConnections() == 0, BOUND, "the idle connection is closed at its server");
        assertThatThrownBy(() -> get(other, "/late")).isInstanceOf(PoolClosedException.class);
        assertThat(inFlight.isDone()).as("still in flight: the server has not answered").isFalse();
        assertThat(shutdown.isDone()).as("shutdown waits for the exchange in flight").isFalse();

        answer.countDown();
        assertThat(inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(FaultServer.OK_BODY);
        shutdown.get(BOUND.toSeconds(), TimeUnit.SECONDS);

        PoolSnapshot h = pool(held);
        assertThat(h.leased()).isZero();
        assertThat(h.opened()).isEqualTo(1);
        assertThat(h.closedReasons()).isEqualTo(Map.of("shutdown", 1L));
        assertThat(pool(other).closedReasons()).isEqualTo(Map.of("shutdown", 1L));
        awaitTrue(() -> held.openConnections() == 0, BOUND, "the returned connection is closed at its server");
        assertThat(client.snapshot().mounts()).allSatisfy(m -> assertThat(m.pools()).isEmpty());
        assertThat(client.isClosed()).isTrue();
    }

    @Test
    void pastTheGraceTheExchangeInFlightIsCutOff() throws Exception {
        List<Future<String>> waiter = new CopyOnWriteArrayList<>();
        Future<String> inFlight = inFlightWaiterAndIdle(waiter);

        client.shutdown(Duration.ofMillis(200));

        assertThatThrownBy(() -> inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class);
        assertThatThrownBy(() -> waiter.get(0).get(BOUND.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOf(PoolClosedException.class);
        PoolSnapshot h = pool(held);
        assertThat(h.leased()).isZero();
        assertThat(h.closedReasons()).as("closed by the shutdown, not counted again by the failed exchange")
                .isEqualTo(Map.of("shutdown", 1L));
        assertThat(h.opened()).isEqualTo(h.closed());
        answer.countDown(); // lets the server's thread for that connection see it closed
        awaitTrue(() -> held.openConnections() == 0 && other.openConnections() == 0, BOUND,
                "every connection is closed at its server");
    }

    @Test
    void aShutdownWithNothingInFlightReturnsAtOnceAndIsIdempotent() throws Exception {
        assertThat(get(other, "/idle")).isEqualTo(FaultServer.OK_BODY);
        client.shutdown(BOUND);
        client.shutdown(BOUND);
        client.close();
        assertThat(pool(other).closedReasons()).isEqualTo(Map.of("shutdown", 1L));
        awaitTrue(() -> other.openConnections() == 0, BOUND, "the idle connection is closed at its server");
    }
}
