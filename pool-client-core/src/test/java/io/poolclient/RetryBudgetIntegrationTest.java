package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.retry.Retry;
import io.poolclient.testing.FaultServer;
import io.poolclient.testing.FaultServer.Fault;
import io.poolclient.testing.FaultServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The retry budget end to end against a real server on loopback, counting at the server every
 * attempt that reached it: a storm of failures is capped at the requests plus the budget, a healthy
 * upstream keeps every retry, a retry refused says {@code retry budget exhausted}, and the
 * transparent retry after a reused connection died is not part of the budget.
 */
@Timeout(120)
class RetryBudgetIntegrationTest {

    private static final String MOUNT = "api";
    private static final Reply UNAVAILABLE = Reply.status(503, "Service Unavailable", "down");

    private FaultServer server;
    private PoolClient client;
    private final Decisions decisions = new Decisions();

    @AfterEach
    void quiet() throws Exception {
        assertQuietThenClose(client, server);
    }

    private void start(FaultServer started, Retry retry, int maxsize) {
        server = started;
        client = PoolClient.builder()
                .mount(MOUNT, server.uri("/").toString(), MountSettings.builder().poolMaxsize(maxsize).retry(retry).build())
                .listener(decisions)
                .build();
    }

    private int get(String path) throws IOException {
        try (Response r = client.execute(Request.get(server.uri(path)))) {
            r.body().readAllBytes();
            return r.status();
        }
    }

    @Test
    void anUpstreamFailingForEveryoneGetsAtMostTheRequestsPlusTheBudget() throws Exception {
        int threads = 32;
        int perThread = 25;
        int total = 3;
        double percent = 10;
        int minPerSecond = 1;
        Duration window = Duration.ofSeconds(60);
        start(FaultServer.builder().plan(FaultServer.Plan.always(UNAVAILABLE)).maxConnections(threads).start(),
                Retry.builder().total(total).statusForcelist(Set.of(503)).budgetPercent(percent)
                        .budgetMinPerSecond(minPerSecond).budgetWindow(window).build(),
                threads);

        long started = System.nanoTime();
        List<Integer> statuses = load(threads, perThread, "/down");
        long elapsed = System.nanoTime() - started;

        long requests = (long) threads * perThread;
        long attempts = server.requests();
        assertThat(statuses).hasSize((int) requests).containsOnly(503);
        long retried = decisions.count("status", true);
        long refused = decisions.count("status", false);
        assertThat(attempts).as("every attempt is a request or a retry granted").isEqualTo(requests + retried);
        assertThat(refused).as("the rest was refused").isPositive();
        double budget = minPerSecond * window.toSeconds() + percent / 100 * requests;
        // within one window the bound is exact; should the run take longer, each further window adds its own
        long windows = elapsed < window.toNanos() * 9 / 10 ? 1 : elapsed / window.toNanos() + 2;
        assertThat((double) attempts).as("attempts at the server").isLessThanOrEqualTo(requests + windows * budget);
        System.out.printf("retry budget under %d threads: %d requests, %d attempts at the server (%d retried, %d refused);"
                + " without a budget %d%n", threads, requests, attempts, retried, refused, requests * (1 + total));
    }

    @Test
    void aHealthyUpstreamWithRareFailuresGetsEveryRetry() throws Exception {
        AtomicLong seen = new AtomicLong();
        LongAdder failed = new LongAdder();
        FaultServer.Plan everyTwentieth = request -> {
            if (seen.incrementAndGet() % 20 == 0) {
                failed.increment();
                return UNAVAILABLE;
            }
            return Fault.NONE;
        };
        start(FaultServer.builder().plan(everyTwentieth).maxConnections(8).start(),
                Retry.builder().total(3).statusForcelist(Set.of(503)).budgetPercent(20.0).budgetMinPerSecond(0).build(), 8);

        List<Integer> statuses = load(8, 50, "/ok");

        assertThat(statuses).hasSize(400).containsOnly(200);
        assertThat(failed.sum()).isPositive();
        assertThat(decisions.count("status", true)).isEqualTo(failed.sum());
        assertThat(decisions.count("status", false)).isZero();
        assertThat(server.requests()).isEqualTo(400 + failed.sum());
    }

    @Test
    void aConnectRetryBeyondTheBudgetFailsSayingSo() {
        server = FaultServer.start(Fault.NONE);
        int closedPort = FaultServer.closedPort();
        client = PoolClient.builder()
                .mount(MOUNT, "http://127.0.0.1:" + closedPort + "/", MountSettings.builder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .retry(Retry.builder().total(3).budgetPercent(0.0).budgetMinPerSecond(0).build()).build())
                .listener(decisions)
                .build();
        URI closed = URI.create("http://127.0.0.1:" + closedPort + "/x");

        assertThatThrownBy(() -> client.execute(Request.get(closed)))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("retry budget exhausted")
                .hasMessageContaining("mount '" + MOUNT + "'")
                .satisfies(e -> assertThat(((RetriesExhaustedException) e).attempts()).isEqualTo(1))
                .hasCauseInstanceOf(ConnectFailedException.class);
        assertThat(decisions.count("connect", false)).isEqualTo(1);
        assertThat(decisions.count("connect", true)).isZero();
    }

    @Test
    void aReadRetryBeyondTheBudgetFailsSayingSo() {
        start(FaultServer.start(Fault.CLOSE_WITHOUT_ANSWER),
                Retry.builder().total(3).budgetPercent(0.0).budgetMinPerSecond(0).build(), 4);

        assertThatThrownBy(() -> get("/x"))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("retry budget exhausted");
        assertThat(server.requests()).isEqualTo(1);
        assertThat(decisions.count("read", false)).isEqualTo(1);
    }

    @Test
    void aStatusRetryBeyondTheBudgetReturnsTheLastResponseOrRaisesWhenAskedTo() throws Exception {
        start(FaultServer.start(UNAVAILABLE),
                Retry.builder().total(3).statusForcelist(Set.of(503)).budgetPercent(0.0).budgetMinPerSecond(0).build(), 4);
        assertThat(get("/x")).isEqualTo(503);
        assertThat(server.requests()).isEqualTo(1);

        PoolClient lenient = client;
        client = PoolClient.builder()
                .mount(MOUNT, server.uri("/").toString(), MountSettings.builder().retry(Retry.builder().total(3)
                        .statusForcelist(Set.of(503)).raiseOnStatus(true).budgetPercent(0.0).budgetMinPerSecond(0).build())
                        .build())
                .listener(decisions)
                .build();
        try {
            assertThatThrownBy(() -> get("/y"))
                    .isInstanceOf(RetriesExhaustedException.class)
                    .hasMessageContaining("retry budget exhausted")
                    .hasMessageContaining("503");
            assertThat(server.requests()).isEqualTo(2);
            assertThat(decisions.count("status", false)).isEqualTo(2);
        }
        finally {
            PoolAssertions.assertQuiet(lenient);
            lenient.close();
        }
    }

    @Test
    void theTransparentRetryOfADeadReusedConnectionIsOutsideTheBudget() throws Exception {
        // the first connection answers once, then reads the next request and closes without a byte
        FaultServer.Plan dropSecond = request -> request.connection() == 0 && request.exchange() == 1
                ? Fault.CLOSE_WITHOUT_ANSWER : Fault.NONE;
        start(FaultServer.builder().plan(dropSecond).start(),
                Retry.builder().total(3).budgetPercent(0.0).budgetMinPerSecond(0).build(), 4);

        assertThat(get("/first")).isEqualTo(200);
        assertThat(get("/second")).as("retried on a new connection although the budget allows no retry").isEqualTo(200);

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.requests()).isEqualTo(3);
        assertThat(decisions.count("stale", true)).isEqualTo(1);
        assertThat(decisions.count("read", false)).isZero();
    }

    /** {@code threads} callers each sending {@code perThread} GETs; the statuses they got. */
    private List<Integer> load(int threads, int perThread, String path) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    List<Integer> got = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        got.add(get(path));
                    }
                    return got;
                }));
            }
            go.countDown();
            List<Integer> all = new ArrayList<>();
            for (Future<List<Integer>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            return all;
        }
        finally {
            pool.shutdownNow();
        }
    }

    /** Counts the retry decisions the engine reports, by kind and outcome. */
    private static final class Decisions implements PoolListener {

        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

        @Override
        public void retryDecided(HostPoolView pool, String kind, boolean made) {
            counts.computeIfAbsent(kind + "/" + made, k -> new LongAdder()).increment();
        }

        long count(String kind, boolean made) {
            LongAdder n = counts.get(kind + "/" + made);
            return n == null ? 0 : n.sum();
        }
    }
}
