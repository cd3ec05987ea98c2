package io.poolclient.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.PoolListener;
import io.poolclient.PoolSnapshot;
import io.poolclient.PoolTimeoutException;
import io.poolclient.Protocols;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host pool of multiplexed (HTTP/2) connections under contention, with fake connections that a
 * chaos thread sends GOAWAY, closes, and gives new stream limits while 32 callers lease and end
 * streams. Bounded in count and time. No connection may carry more streams than the cap, a blocking
 * pool may never have more than {@code pool-maxsize} connections open, and at the end nothing is
 * leased, no stream is open, the counts add up and every connection opened has been closed after
 * shutdown.
 */
class MultiplexedPoolStressTest {

    private static final Duration RUN_BOUND = Duration.ofSeconds(30);
    private static final int CAP = 4;

    @ParameterizedTest(name = "pool-block={0}")
    @ValueSource(booleans = {false, true})
    void streamsAndConnectionsAddUpUnderChaos(boolean block) throws Exception {
        int maxsize = 3;
        int threadCount = 32;
        int perThread = 2000;
        FakeNetwork network = new FakeNetwork();
        HostPool pool = new HostPool("fake", new HostKey("http", "fake.test", 80, null),
                MountSettings.builder().poolMaxsize(maxsize).poolBlock(block).protocols(Protocols.of("h2c"))
                        .maxConcurrentStreams(CAP).build().withFallback(MountSettings.BUILT_IN),
                PoolListener.NONE);
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicLong streams = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        long deadline = System.nanoTime() + RUN_BOUND.toNanos();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(threadCount + 1);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                calls.add(threads.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread && System.nanoTime() < deadline; i++) {
                        Lease lease;
                        try {
                            lease = pool.acquire(Duration.ofSeconds(10), network::open);
                        }
                        catch (PoolTimeoutException e) {
                            timeouts.incrementAndGet();
                            continue;
                        }
                        streams.incrementAndGet();
                        FakeH2 c = (FakeH2) lease.connection().transport();
                        int inUse = c.inUse.incrementAndGet();
                        if (inUse > CAP) {
                            errors.add("connection " + c.id + " carried " + inUse + " streams, cap " + CAP);
                        }
                        pool.requestSent();
                        for (int spin = random.nextInt(100); spin > 0; spin--) {
                            Thread.onSpinWait(); // a short "exchange"
                        }
                        c.inUse.decrementAndGet();
                        if (random.nextInt(100) < 2) {
                            lease.discard(CloseReason.ERROR);
                        }
                        else {
                            lease.release();
                        }
                        lease.release(); // ending twice does nothing
                    }
                    return null;
                }));
            }
            Future<?> chaos = threads.submit(() -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running.get() && System.nanoTime() < deadline) {
                    FakeH2[] all = network.all.toArray(new FakeH2[0]); // one consistent view of a changing list
                    if (all.length > 0) {
                        FakeH2 c = all[random.nextInt(all.length)];
                        switch (random.nextInt(4)) {
                            case 0 -> c.goAway();
                            case 1 -> c.serverClose();
                            default -> c.newLimit(1 + random.nextInt(CAP + 2));
                        }
                    }
                    for (int spin = 2000; spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                }
                return null;
            });
            start.countDown();
            for (Future<?> f : calls) {
                f.get(RUN_BOUND.toSeconds() + 30, TimeUnit.SECONDS);
            }
            running.set(false);
            chaos.get(30, TimeUnit.SECONDS);

            assertThat(errors).isEmpty();
            assertThat(streams.get()).as("streams leased").isGreaterThan(threadCount);
            PoolSnapshot s = pool.snapshot();
            assertThat(s.protocol()).isEqualTo("h2");
            PoolCounts.assertAddsUp(s, network.opened.get());
            assertThat(s.activeStreams()).isZero();
            assertThat(s.timeouts()).isEqualTo(timeouts.get());
            if (block) {
                assertThat(network.maxLive.get()).as("connections open at once").isLessThanOrEqualTo(maxsize);
            }
            pool.shutdown();
            assertThat(network.live.get()).as("every connection closed after shutdown").isZero();
        }
        finally {
            running.set(false);
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static final class FakeNetwork {
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger maxLive = new AtomicInteger();
        final AtomicLong opened = new AtomicLong();
        final List<FakeH2> all = new CopyOnWriteArrayList<>();
        private final AtomicInteger ids = new AtomicInteger();

        PooledConnection open() {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            opened.incrementAndGet();
            FakeH2 c = new FakeH2(this, ids.incrementAndGet());
            all.add(c);
            return new PooledConnection(c, System.nanoTime());
        }
    }

    /** An HTTP/2 connection as far as the pool sees it, with the server's moves made by the chaos thread. */
    private static final class FakeH2 implements Multiplexed {
        private final FakeNetwork network;
        final int id;
        final AtomicInteger inUse = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean goAway;
        private volatile int limit = CAP * 2;
        private volatile Events events;

        FakeH2(FakeNetwork network, int id) {
            this.network = network;
            this.id = id;
        }

        @Override
        public int streamLimit() {
            return limit;
        }

        @Override
        public boolean acceptsStreams() {
            return !goAway && !closed.get();
        }

        @Override
        public void listen(Events events) {
            this.events = events;
            if (closed.get()) {
                events.closed(CloseReason.ERROR);
            }
        }

        @Override
        public boolean isStale() {
            return !acceptsStreams();
        }

        /** Closed by the pool: like a real connection, it tells its listener (which finds it gone). */
        @Override
        public void close() {
            closeAs(CloseReason.ERROR);
        }

        void goAway() {
            goAway = true;
        }

        void serverClose() {
            closeAs(goAway ? CloseReason.GOAWAY : CloseReason.ERROR);
        }

        void newLimit(int streams) {
            limit = streams;
            Events e = events;
            if (e != null) {
                e.limitChanged();
            }
        }

        private void closeAs(CloseReason reason) {
            if (closed.compareAndSet(false, true)) {
                network.live.decrementAndGet();
                network.all.remove(this);
                Events e = events;
                if (e != null) {
                    e.closed(reason);
                }
            }
        }
    }
}
