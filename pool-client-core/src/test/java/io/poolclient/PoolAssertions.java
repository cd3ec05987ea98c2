package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Checks shared by the hardening tests: nothing leased, counters adding up, bounded polling. */
public final class PoolAssertions {

    private PoolAssertions() {
    }

    /** Every pool of every mount is quiet: leased 0 and {@code opened = idle + leased + discarded + closed}. */
    static void assertQuiet(PoolClient client) {
        for (MountSnapshot m : client.snapshot().mounts()) {
            for (PoolSnapshot p : m.pools()) {
                assertThat(p.leased()).as("leased in mount %s: %s", m.name(), p).isZero();
                assertThat(p.oldestLeaseMs()).as("oldestLeaseMs with nothing leased: %s", p).isZero();
                assertThat(p.opened()).as("opened = idle + leased + discarded + closed in mount %s: %s", m.name(), p)
                        .isEqualTo(p.idle() + p.leased() + p.discarded() + p.closed());
            }
        }
    }

    /**
     * The usual teardown: the client must be quiet (see {@link #assertQuiet}), and the client and
     * the servers are closed whatever the outcome. Nulls are skipped.
     */
    static void assertQuietThenClose(PoolClient client, AutoCloseable... servers) throws Exception {
        try {
            if (client != null) {
                assertQuiet(client);
            }
        }
        finally {
            if (client != null) {
                client.close();
            }
            for (AutoCloseable server : servers) {
                if (server != null) {
                    server.close();
                }
            }
        }
    }

    /**
     * The teardown of a test that calls from a thread pool of its own: the threads are stopped first
     * (interrupted, then awaited for at most 10 s; null is skipped), then as {@link #assertQuietThenClose}.
     */
    static void stopThenAssertQuietThenClose(ExecutorService threads, PoolClient client, AutoCloseable... servers)
            throws Exception {
        if (threads != null) {
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertQuietThenClose(client, servers);
    }

    /** The pools of one mount. */
    static List<PoolSnapshot> pools(PoolClient client, String mount) {
        return client.snapshot(mount).orElseThrow().pools();
    }

    /** The only pool of one mount. */
    static PoolSnapshot onlyPool(PoolClient client, String mount) {
        List<PoolSnapshot> pools = pools(client, mount);
        assertThat(pools).as("pools of mount %s", mount).hasSize(1);
        return pools.get(0);
    }

    /** Polls (every 5 ms, at most {@code timeout}) until {@code condition} holds, else fails naming {@code what}. */
    public static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }
}
