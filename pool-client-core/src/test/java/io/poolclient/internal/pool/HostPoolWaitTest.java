package io.poolclient.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.PoolClientException;
import io.poolclient.PoolInterruptedException;
import io.poolclient.PoolListener;
import io.poolclient.PoolSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Callers waiting in a blocking host pool ({@code pool-block}, maxsize 1): who is served in which
 * order, and what an interrupt does to a waiter. Connections are fake ({@link FakeNetwork} counts
 * every one opened and closed); no sockets.
 */
@Timeout(60)
class HostPoolWaitTest {

    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration AWAIT_BOUND = Duration.ofSeconds(20);

    private final FakeNetwork network = new FakeNetwork();
    private final HostPool pool = new HostPool("wait", new HostKey("http", "fake.test", 80, null),
            MountSettings.builder().poolMaxsize(1).poolBlock(true).poolTimeout(POOL_TIMEOUT).build()
                    .withFallback(MountSettings.BUILT_IN),
            PoolListener.NONE);

    @Test
    void aWaiterHandedADeadConnectionKeepsItsTurn() throws Exception {
        Lease held = pool.acquire(POOL_TIMEOUT, network::open);
        ConcurrentLinkedQueue<String> served = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> waiters = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String name = "waiter-" + i;
                waiters.add(threads.submit(() -> {
                    Lease lease = pool.acquire(POOL_TIMEOUT, network::open);
                    served.add(name); // maxsize 1: nobody else is served before this lease ends
                    lease.release();
                    return null;
                }));
                awaitPending(n -> n == waiters.size()); // queued in this order
            }

            ((FakeTransport) held.connection().transport()).stale = true; // the server closed it meanwhile
            held.release();
            for (Future<?> waiter : waiters) {
                waiter.get(AWAIT_BOUND.toSeconds(), TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }

        assertThat(served).as("order served").containsExactly("waiter-1", "waiter-2", "waiter-3");
        PoolSnapshot s = pool.snapshot();
        assertThat(s.closedReasons()).isEqualTo(Map.of("stale", 1L));
        assertThat(s.opened()).as("the dead connection and the one opened in its place").isEqualTo(2).isEqualTo(network.opened.get());
        assertThat(s.reused()).as("the new connection handed on from waiter 1 to 2 to 3").isEqualTo(2);
        assertThat(s.idle()).isEqualTo(1).isEqualTo(network.live.get());
        assertThat(s.leased()).isZero();
        assertThat(s.pending()).isZero();
    }

    @Test
    void anInterruptedWaiterFailsWithPoolInterruptedExceptionAndKeepsItsInterruptStatus() throws Exception {
        Lease held = pool.acquire(POOL_TIMEOUT, network::open);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interruptStatus = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try {
                pool.acquire(POOL_TIMEOUT, network::open).release();
            }
            catch (Throwable e) {
                thrown.set(e);
            }
            interruptStatus.set(Thread.currentThread().isInterrupted());
        }, "interrupted-waiter");
        waiter.start();
        awaitPending(n -> n == 1);

        waiter.interrupt();
        waiter.join(AWAIT_BOUND.toMillis());

        assertThat(waiter.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(PoolInterruptedException.class)
                .isInstanceOf(PoolClientException.class)
                .hasMessageContaining("fake.test:80")
                .hasMessageContaining("'wait'");
        assertThat(((PoolClientException) thrown.get()).mount()).isEqualTo("wait");
        assertThat(interruptStatus).as("interrupt status after the failed acquire").isTrue();
        PoolSnapshot s = pool.snapshot();
        assertThat(s.pending()).isZero();
        assertThat(s.leased()).isEqualTo(1);
        assertThat(s.timeouts()).as("an interrupt is not a pool timeout").isZero();

        held.release();
        assertThat(pool.snapshot().idle()).isEqualTo(1);
        assertThat(network.opened.get()).isEqualTo(1);
    }

    /**
     * The releaser hands the connection to the waiter and interrupts it right after, again and again:
     * the interrupt usually lands before the waiter has woken. Whichever comes first, the waiter ends
     * with its interrupt status set, and the connection is never lost: either the waiter has it, or it
     * went back to the pool.
     */
    @Test
    void anInterruptRacingAHandOffIsNeitherLostNorLosesTheConnection() throws Exception {
        int rounds = 200;
        int leasesTaken = 0;
        int interruptedWaits = 0;
        long deadline = System.nanoTime() + AWAIT_BOUND.toNanos();
        for (int round = 0; round < rounds && System.nanoTime() < deadline; round++) {
            Lease held = pool.acquire(POOL_TIMEOUT, network::open);
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean interruptSent = new AtomicBoolean();
            AtomicBoolean interruptStatus = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                Object result;
                try {
                    result = pool.acquire(POOL_TIMEOUT, network::open);
                }
                catch (Throwable e) {
                    result = e;
                }
                while (!interruptSent.get() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // not interruptible: the status is read only once the interrupt was sent
                }
                interruptStatus.set(Thread.currentThread().isInterrupted());
                outcome.set(result);
            }, "racing-waiter-" + round);
            waiter.start();
            awaitPending(n -> n == 1);

            held.release(); // hands the connection to the waiter ...
            waiter.interrupt(); // ... and interrupts it at once
            interruptSent.set(true);
            waiter.join(AWAIT_BOUND.toMillis());

            assertThat(waiter.isAlive()).isFalse();
            assertThat(interruptStatus).as("interrupt status of the waiter in round %d (%s)", round, outcome.get()).isTrue();
            if (outcome.get() instanceof Lease lease) {
                leasesTaken++; // the hand-off came first and the waiter took it
                lease.release();
            }
            else {
                assertThat(outcome.get()).isInstanceOf(PoolInterruptedException.class);
                interruptedWaits++;
            }
            PoolSnapshot s = pool.snapshot();
            assertThat(s.leased()).as("leased after round %d", round).isZero();
            assertThat(s.idle()).as("idle after round %d: the one connection is back", round).isEqualTo(1);
        }

        System.out.printf("[interrupt race] leases taken=%d, interrupted waits=%d%n", leasesTaken, interruptedWaits);
        PoolSnapshot s = pool.snapshot();
        int roundsRun = leasesTaken + interruptedWaits;
        assertThat(s.opened()).isEqualTo(1).isEqualTo(network.opened.get());
        assertThat(network.live.get()).isEqualTo(1);
        assertThat(s.reused()).as("every hand-out after the first, none for an interrupted wait")
                .isEqualTo(roundsRun - 1 + leasesTaken);
        assertThat(s.closed()).isZero();
        assertThat(s.pending()).isZero();
    }

    /** Polls the pool's count of waiters until it satisfies {@code condition}, within a bound. */
    private void awaitPending(IntPredicate condition) {
        long deadline = System.nanoTime() + AWAIT_BOUND.toNanos();
        while (!condition.test(pool.snapshot().pending())) {
            assertThat(System.nanoTime() - deadline).as("waiters queued in time").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Opens fake connections and counts them: opened, and open now. */
    private static final class FakeNetwork {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger live = new AtomicInteger();

        PooledConnection open() {
            opened.incrementAndGet();
            live.incrementAndGet();
            return new PooledConnection(new FakeTransport(this), System.nanoTime());
        }
    }

    private static final class FakeTransport implements Transport {
        private final FakeNetwork network;
        private final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean stale;

        FakeTransport(FakeNetwork network) {
            this.network = network;
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
        }
    }
}
