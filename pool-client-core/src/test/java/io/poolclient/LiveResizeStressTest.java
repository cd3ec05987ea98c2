package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.FlakyServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resizing a blocking pool again and again while 64 threads send requests through it, against a
 * server that counts open connections exactly and now and then closes one. No caller may fail (a
 * waiter lost by a resize would time out), the pool never holds more connections than the largest
 * size it had, the counters add up with nothing leased at the end and agree with the server, and
 * once the leased surplus of the last shrink has come back, the server never sees more connections
 * open at once than the final size.
 */
@Timeout(120)
class LiveResizeStressTest {

    private static final int THREADS = 64;
    private static final int LARGEST = 24;
    private static final int FINAL = 4;
    private static final Duration RUN_BOUND = Duration.ofSeconds(30);

    @Test
    void resizingUnderSixtyFourThreadsOfLoadLosesNoWaiterAndKeepsTheCap() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS + 1);
        try (FlakyServer server = FlakyServer.start(0.02, 0.02);
                PoolClient client = PoolClient.builder()
                        .mount("stress", "http://127.0.0.1:" + server.port() + "/", MountSettings.builder()
                                .poolMaxsize(8).poolBlock(true).poolTimeout(Duration.ofSeconds(25))
                                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).build())
                        .build()) {
            Load first = new Load(client, server, threads, 150);
            int resizes = 0;
            long deadline = System.nanoTime() + RUN_BOUND.toNanos();
            while (!first.isDone() && resizes < 200 && System.nanoTime() < deadline) {
                if (first.successes.sum() >= resizes * (long) first.expected / 250) { // spread over the run
                    int size = ThreadLocalRandom.current().nextInt(1, LARGEST + 1);
                    client.update("stress", MountSettings.builder().poolMaxsize(size).build());
                    resizes++;
                }
                LockSupport.parkNanos(100_000); // pacing only: nothing waits on this
            }
            client.update("stress", MountSettings.builder().poolMaxsize(FINAL).build());
            first.await();

            PoolSnapshot afterFirst = only(client);
            assertThat(resizes).as("resizes made while the load ran").isPositive();
            assertThat(server.maxOpenConnections()).as("never more than the largest size").isLessThanOrEqualTo(LARGEST);
            assertQuiet(afterFirst, server);
            assertThat(afterFirst.idle()).isLessThanOrEqualTo(FINAL);

            // every lease of the first phase is back: from here on the final size holds at the server
            server.restartMaxOpenConnections();
            new Load(client, server, threads, 50).await();
            PoolSnapshot end = only(client);
            assertThat(server.maxOpenConnections()).as("most connections open at once after the shrink")
                    .isLessThanOrEqualTo(FINAL);
            assertQuiet(end, server);
            System.out.printf("resizes=%d requests=%d opened=%d discarded=%d closed=%d reasons=%s maxOpen(first)<=%d%n",
                    resizes, end.requests(), end.opened(), end.discarded(), end.closed(), end.closedReasons(), LARGEST);
        }
        finally {
            threads.shutdownNow();
        }
    }

    private static PoolSnapshot only(PoolClient client) {
        List<PoolSnapshot> pools = client.snapshot("stress").orElseThrow().pools();
        assertThat(pools).hasSize(1);
        return pools.get(0);
    }

    private static void assertQuiet(PoolSnapshot p, FlakyServer server) {
        assertThat(p.leased()).isZero();
        assertThat(p.pending()).isZero();
        assertThat(p.opened()).as("opened = idle + leased + discarded + closed: %s", p)
                .isEqualTo(p.idle() + p.leased() + p.discarded() + p.closed());
        assertThat(p.opened()).as("connections the server accepted").isEqualTo(server.accepted());
        assertThat(p.timeouts()).as("no waiter timed out").isZero();
        assertThat(server.crash()).isNull();
    }

    /** {@value #THREADS} callers, each sending {@code perCaller} GETs; every one must succeed. */
    private static final class Load {

        private final List<Future<?>> calls = new ArrayList<>();
        private final LongAdder successes = new LongAdder();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final int expected;

        Load(PoolClient client, FlakyServer server, ExecutorService threads, int perCaller) {
            this.expected = THREADS * perCaller;
            CountDownLatch start = new CountDownLatch(1);
            long deadline = System.nanoTime() + RUN_BOUND.toNanos();
            for (int t = 0; t < THREADS; t++) {
                calls.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < perCaller && System.nanoTime() < deadline; i++) {
                        try (Response r = client.execute(Request.get(server.uri("/item/" + i)))) {
                            byte[] body = r.body().readAllBytes();
                            FlakyServer.verify(r.header("X-Seq"), r.header("X-Len"), body);
                            successes.increment();
                        }
                        catch (IOException e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
        }

        boolean isDone() {
            return calls.stream().allMatch(Future::isDone);
        }

        void await() throws Exception {
            for (Future<?> call : calls) {
                call.get(RUN_BOUND.toSeconds() + 20, TimeUnit.SECONDS);
            }
            assertThat(failures).as("failed calls").isEmpty();
            assertThat(successes.sum()).as("every call made and answered within the time bound").isEqualTo(expected);
        }
    }
}
