package io.poolclient.internal.pool;

import io.poolclient.PoolListener;
import io.poolclient.PoolSnapshot;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.PoolInterruptedException;
import io.poolclient.PoolTimeoutException;
import io.poolclient.Request;
import io.poolclient.Response;
import io.poolclient.testing.FlakyServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Concurrency stress: many callers share one 16-connection host pool against a server that keeps
 * closing connections: announced ({@code Connection: close}), silently right after a response (the
 * stale check must find those) and silently when the next request arrives (that request must be
 * retried once, on a new connection). Every request is a GET, so no caller may ever see a failure.
 * At the end the pool is quiet, its counters add up and agree with the server's, and a blocking pool
 * never had more than its maxsize connections open at once, counted exactly by the server.
 *
 * <p>A second group drives {@link HostPool} directly with a fake {@link Transport}: no sockets, so
 * many more hand-outs per second, checking that no connection is ever handed to two callers, that a
 * blocking pool never has more than maxsize live (opened and not yet closed) connections, that a
 * caller asking for a new connection gets one, that waiters interrupted at random lose no connection,
 * and that the counters add up.
 */
@Timeout(90)
class PoolStressTest {

    private static final int MAXSIZE = 16;
    private static final Duration RUN_BOUND = Duration.ofSeconds(25);

    @ParameterizedTest(name = "pool-block={0}")
    @ValueSource(booleans = {false, true})
    void sixtyFourPlatformThreadsAgainstAServerThatKeepsClosingConnections(boolean block) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(64);
        try {
            stress(block, threads, 64, 200);
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsWaitOnABlockingPool() throws Exception {
        // compiled for Java 17: the Java 21 factory is looked up at run time
        ExecutorService threads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            stress(true, threads, 256, 50);
        }
        finally {
            threads.shutdownNow();
        }
    }

    private void stress(boolean block, ExecutorService threads, int callers, int perCaller) throws Exception {
        try (FlakyServer server = FlakyServer.start(0.10, 0.05);
                WarnCounter warns = new WarnCounter();
                PoolClient client = PoolClient.builder()
                        .mount("stress", "http://127.0.0.1:" + server.port() + "/", MountSettings.builder()
                                .poolMaxsize(MAXSIZE)
                                .poolBlock(block)
                                .poolTimeout(Duration.ofSeconds(20))
                                .connectTimeout(Duration.ofSeconds(5))
                                .readTimeout(Duration.ofSeconds(10))
                                .build())
                        .build()) {
            LongAdder successes = new LongAdder();
            LongAdder failures = new LongAdder();
            ConcurrentLinkedQueue<String> failureMessages = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + RUN_BOUND.toNanos();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                calls.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < perCaller && System.nanoTime() < deadline; i++) {
                        try (Response r = client.execute(Request.get(server.uri("/item/" + i)))) {
                            byte[] body = r.body().readAllBytes();
                            assertThat(r.status()).isEqualTo(200);
                            FlakyServer.verify(r.header("X-Seq"), r.header("X-Len"), body);
                            successes.increment();
                        }
                        catch (IOException e) {
                            failures.increment();
                            if (failureMessages.size() < 10) {
                                failureMessages.add(e.toString());
                            }
                        }
                    }
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            for (Future<?> call : calls) {
                call.get(RUN_BOUND.toSeconds() + 10, TimeUnit.SECONDS);
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

            PoolSnapshot pool = client.snapshot("stress").orElseThrow().pools().get(0);
            System.out.printf(Locale.ROOT, "[stress] block=%s callers=%d x %d on %s: %d ok, %d failed in %d ms; "
                    + "pool: requests=%d opened=%d reused=%d discarded=%d closed=%d %s idle=%d; "
                    + "server: accepted=%d served=%d announced-close=%d silent-close=%d dropped-requests=%d max-open=%d; "
                    + "pool-full WARNs=%d%n",
                    block, callers, perCaller, threads.getClass().getSimpleName(), successes.sum(), failures.sum(), elapsedMs,
                    pool.requests(), pool.opened(), pool.reused(), pool.discarded(), pool.closed(), pool.closedReasons(),
                    pool.idle(), server.accepted(), server.served(), server.announcedCloses(),
                    server.silentCloses(), server.droppedRequests(), server.maxOpenConnections(), warns.count.get());

            assertThat(server.crash()).as("the test server's own failure").isNull();
            assertThat(failureMessages).as("GET failures (stale reuse must be retried transparently)").isEmpty();
            assertThat(failures.sum()).isZero();
            assertThat(successes.sum()).as("every request finished within " + RUN_BOUND).isEqualTo((long) callers * perCaller);
            PoolCounts.assertAddsUp(pool, server.accepted()); // every connection opened reached the server
            assertThat(pool.closedReasons().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(pool.closed());
            assertThat(pool.requests()).isGreaterThanOrEqualTo(successes.sum());
            assertThat(pool.opened() + pool.reused()).as("every attempt had a connection").isEqualTo(pool.requests());
            assertThat(server.served()).as("one served response per success").isEqualTo(successes.sum());
            assertThat(pool.requests()).as("attempts: successes plus transparent retries of dropped requests")
                    .isGreaterThanOrEqualTo(successes.sum() + server.droppedRequests());
            assertThat(pool.closedReasons().getOrDefault("error", 0L)).as("every failed attempt closed its connection")
                    .isEqualTo(pool.requests() - successes.sum());
            assertThat(pool.closedReasons().get("not-reusable")).as("announced closes").isPositive();
            assertThat(warns.count.get()).as("one pool-full WARN per discard").isEqualTo(pool.discarded());
            if (block) {
                assertThat(server.maxOpenConnections()).as("connections open at once on the server").isLessThanOrEqualTo(MAXSIZE);
                assertThat(pool.discarded()).as("a blocking pool never overflows").isZero();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // HostPool alone, with a fake transport

    @ParameterizedTest(name = "pool-block={0}")
    @ValueSource(booleans = {false, true})
    void hostPoolUnderContentionHandsEachConnectionToOneCallerAndAddsUp(boolean block) throws Exception {
        int maxsize = 4;
        int threadCount = 32;
        int perThread = 3000;
        FakeNetwork network = new FakeNetwork();
        HostPool pool = new HostPool("fake", new HostKey("http", "fake.test", 80, null),
                MountSettings.builder().poolMaxsize(maxsize).poolBlock(block).build().withFallback(MountSettings.BUILT_IN),
                PoolListener.NONE);
        AtomicLong acquired = new AtomicLong();
        AtomicLong openFailures = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + RUN_BOUND.toNanos();
        CountDownLatch start = new CountDownLatch(1);
        // without block, every thread first holds a lease at the same moment: a certain overflow
        CountDownLatch burst = new CountDownLatch(block ? 0 : threadCount);
        CountDownLatch burstReleased = new CountDownLatch(block ? 0 : threadCount);
        AtomicLong freshAcquired = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(threadCount);
        WarnCounter warns = new WarnCounter();
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                calls.add(threads.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread && System.nanoTime() < deadline; i++) {
                        boolean inBurst = i == 0 && !block;
                        // now and then a caller insists on a new connection, as the transparent retry does
                        boolean fresh = !inBurst && random.nextInt(100) < 3;
                        Lease lease;
                        try {
                            lease = pool.acquire(Duration.ofSeconds(10), network::open, fresh);
                        }
                        catch (PoolTimeoutException e) {
                            timeouts.incrementAndGet();
                            continue;
                        }
                        catch (IOException e) {
                            openFailures.incrementAndGet();
                            continue;
                        }
                        finally {
                            if (inBurst) {
                                burst.countDown();
                                burst.await(10, TimeUnit.SECONDS);
                            }
                        }
                        acquired.incrementAndGet();
                        PooledConnection c = lease.connection();
                        if (fresh && c.isReused()) {
                            errors.add("a fresh acquire got a reused connection");
                        }
                        freshAcquired.addAndGet(fresh ? 1 : 0);
                        FakeTransport transport = (FakeTransport) c.transport();
                        if (!transport.inUse.compareAndSet(false, true)) {
                            errors.add("connection " + transport.id + " handed to two callers at once");
                        }
                        if (transport.closed.get()) {
                            errors.add("connection " + transport.id + " handed out after it was closed");
                        }
                        pool.requestSent();
                        for (int spin = random.nextInt(50); spin > 0; spin--) {
                            Thread.onSpinWait(); // a short "exchange"
                        }
                        transport.inUse.set(false);
                        int fate = random.nextInt(100);
                        if (inBurst) {
                            lease.release();
                            burstReleased.countDown(); // nobody takes a connection back before all are returned
                            burstReleased.await(10, TimeUnit.SECONDS);
                        }
                        else if (fate < 10) {
                            lease.discard(CloseReason.NOT_REUSABLE);
                        }
                        else if (fate < 13) {
                            lease.discard(CloseReason.ERROR);
                        }
                        else {
                            if (fate < 16) {
                                transport.stale = true; // the "server" closes it while idle
                            }
                            lease.release();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get(RUN_BOUND.toSeconds() + 10, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
            warns.close();
        }

        PoolSnapshot s = pool.snapshot();
        System.out.printf(Locale.ROOT, "[stress] HostPool block=%s: acquired=%d open-failures=%d timeouts=%d opened=%d "
                + "reused=%d discarded=%d closed=%d %s idle=%d max-live=%d fresh=%d%n", block, acquired.get(),
                openFailures.get(), timeouts.get(), s.opened(), s.reused(), s.discarded(), s.closed(), s.closedReasons(), s.idle(),
                network.maxLive.get(), freshAcquired.get());

        assertThat(errors).isEmpty();
        assertThat(network.doubleCloses.get()).as("connections closed twice").isZero();
        assertThat(timeouts.get()).as("pool timeouts").isZero();
        assertThat(acquired.get() + openFailures.get()).as("every iteration ran").isEqualTo((long) threadCount * perThread);
        PoolCounts.assertAddsUp(s, network.opened.get());
        assertThat(s.opened() + s.reused()).isEqualTo(acquired.get());
        assertThat(network.live.get()).as("connections not closed are exactly the idle ones").isEqualTo(s.idle());
        assertThat(s.closedReasons()).containsKeys("not-reusable", "error", "stale");
        assertThat(warns.count.get()).as("one pool-full WARN per discard").isEqualTo(s.discarded());
        if (block) {
            assertThat(network.maxLive.get()).as("live connections at once").isLessThanOrEqualTo(maxsize);
            assertThat(s.discarded()).isZero();
        }
        else {
            assertThat(s.discarded()).as("32 threads overflow a pool of 4").isPositive();
        }
    }

    /**
     * Waiters of a blocking pool are interrupted at random while connections are handed to them, now
     * and then dead ones (replaced in place by the waiter). An interrupted wait fails with
     * {@link PoolInterruptedException} and leaves the interrupt status set; whatever was handed to
     * that waiter goes back, so at the end the counts add up and no connection is missing.
     */
    @Test
    void interruptedWaitersOfABlockingPoolLoseNoConnection() throws Exception {
        int maxsize = 2;
        int threadCount = 12;
        int perThread = 2000;
        FakeNetwork network = new FakeNetwork();
        HostPool pool = new HostPool("fake", new HostKey("http", "fake.test", 80, null),
                MountSettings.builder().poolMaxsize(maxsize).poolBlock(true).build().withFallback(MountSettings.BUILT_IN),
                PoolListener.NONE);
        AtomicLong acquired = new AtomicLong();
        AtomicLong interruptedWaits = new AtomicLong();
        AtomicLong openFailures = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + RUN_BOUND.toNanos();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(threadCount); // interrupts begin once every worker is past start
        CountDownLatch finished = new CountDownLatch(threadCount);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    running.countDown();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread && System.nanoTime() < deadline; i++) {
                        Lease lease;
                        try {
                            lease = pool.acquire(Duration.ofSeconds(10), network::open);
                        }
                        catch (PoolInterruptedException e) {
                            if (!Thread.interrupted()) {
                                errors.add("interrupt status cleared by an interrupted wait");
                            }
                            interruptedWaits.incrementAndGet();
                            continue;
                        }
                        catch (IOException e) {
                            openFailures.incrementAndGet();
                            continue;
                        }
                        acquired.incrementAndGet();
                        FakeTransport transport = (FakeTransport) lease.connection().transport();
                        if (!transport.inUse.compareAndSet(false, true)) {
                            errors.add("connection " + transport.id + " handed to two callers at once");
                        }
                        for (int spin = random.nextInt(50); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                        transport.inUse.set(false);
                        if (random.nextInt(100) < 5) {
                            transport.stale = true; // handed to the next waiter dead: it must replace it
                        }
                        lease.release();
                    }
                }
                catch (InterruptedException | RuntimeException e) {
                    errors.add("worker failed: " + e);
                }
                finally {
                    finished.countDown();
                }
            }, "interrupted-waiter-" + t);
            worker.start();
            workers.add(worker);
        }
        long interruptsSent = 0;
        start.countDown();
        assertThat(running.await(RUN_BOUND.toSeconds(), TimeUnit.SECONDS)).as("workers started").isTrue();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (finished.getCount() > 0 && System.nanoTime() < deadline) {
            workers.get(random.nextInt(threadCount)).interrupt();
            interruptsSent++;
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50)); // pacing only
        }
        assertThat(finished.await(RUN_BOUND.toSeconds() + 10, TimeUnit.SECONDS)).as("workers finished").isTrue();

        PoolSnapshot s = pool.snapshot();
        System.out.printf(Locale.ROOT, "[stress] interrupts sent=%d: acquired=%d interrupted-waits=%d open-failures=%d "
                + "opened=%d reused=%d closed=%d %s idle=%d max-live=%d%n", interruptsSent, acquired.get(),
                interruptedWaits.get(), openFailures.get(), s.opened(), s.reused(), s.closed(), s.closedReasons(), s.idle(),
                network.maxLive.get());
        assertThat(errors).isEmpty();
        assertThat(network.doubleCloses.get()).as("connections closed twice").isZero();
        PoolCounts.assertAddsUp(s, network.opened.get());
        assertThat(s.timeouts()).isZero();
        assertThat(s.opened() + s.reused()).as("every connection handed out was counted once").isEqualTo(acquired.get());
        assertThat(network.live.get()).as("connections not closed are exactly the idle ones").isEqualTo(s.idle());
        assertThat(network.maxLive.get()).as("live connections at once").isLessThanOrEqualTo(maxsize);
    }

    /** Creates fake connections, failing 2% of opens, and tracks how many are alive at once. */
    private static final class FakeNetwork {
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger maxLive = new AtomicInteger();
        final AtomicLong opened = new AtomicLong();
        final AtomicLong doubleCloses = new AtomicLong();
        private final AtomicInteger ids = new AtomicInteger();

        PooledConnection open() throws IOException {
            if (ThreadLocalRandom.current().nextInt(100) < 2) {
                throw new IOException("simulated connect failure");
            }
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            opened.incrementAndGet();
            return new PooledConnection(new FakeTransport(this, ids.incrementAndGet()), System.nanoTime());
        }
    }

    private static final class FakeTransport implements Transport {
        final FakeNetwork network;
        final int id;
        final AtomicBoolean inUse = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean stale;

        FakeTransport(FakeNetwork network, int id) {
            this.network = network;
            this.id = id;
        }

        @Override
        public boolean isStale() {
            return stale;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                network.live.decrementAndGet();
            }
            else {
                network.doubleCloses.incrementAndGet();
            }
        }
    }

    /** Counts the pool-full WARNs of {@link HostPool} and keeps them off the console while it is attached. */
    private static final class WarnCounter extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        private final Logger logger = (Logger) LoggerFactory.getLogger(HostPool.class);
        private final boolean additive;

        WarnCounter() {
            additive = logger.isAdditive();
            setContext(logger.getLoggerContext());
            start();
            logger.addAppender(this);
            logger.setAdditive(false);
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel() == Level.WARN && event.getFormattedMessage().startsWith("Connection pool is full, discarding connection: ")) {
                count.incrementAndGet();
            }
        }

        @Override
        public void close() {
            logger.setAdditive(additive);
            logger.detachAppender(this);
            stop();
        }
    }
}
