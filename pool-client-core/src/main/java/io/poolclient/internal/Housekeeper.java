package io.poolclient.internal;

import io.poolclient.MountSettings;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.internal.pool.PooledConnection;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's housekeeping: at a fixed delay, closes every pool's expired idle connections and
 * logs a WARN, once per lease, for each lease older than its mount's
 * {@code leak-detection-threshold}, with the stack where it was leased. Runs on one daemon thread
 * of its own, started by {@link #start} and stopped by {@link #close}; a round that fails is logged
 * and the next one runs as usual. Its messages go to the client's logger,
 * {@code io.poolclient.PoolClient}, where they have always been configured.
 */
public final class Housekeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("io.poolclient.PoolClient");

    private final MountTable mounts;
    private final ScheduledExecutorService thread;

    private Housekeeper(MountTable mounts) {
        this.mounts = mounts;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pool-client-housekeeper");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts housekeeping the mounts every {@code interval}, the first round one interval from now. */
    public static Housekeeper start(MountTable mounts, Duration interval) {
        Housekeeper h = new Housekeeper(mounts);
        long every = interval.toMillis();
        h.thread.scheduleWithFixedDelay(h::run, every, every, TimeUnit.MILLISECONDS);
        return h;
    }

    /** One round over every pool of every mount. */
    private void run() {
        try {
            for (Mount m : mounts.all()) {
                Duration threshold = m.settings().leakDetectionThreshold();
                for (HostPool pool : m.pools().pools()) {
                    pool.closeExpired();
                    if (threshold != null && !threshold.isZero()) {
                        reportLeaks(m, pool, threshold);
                    }
                }
            }
        }
        catch (RuntimeException e) {
            log.warn("Pool housekeeping failed", e);
        }
    }

    private static void reportLeaks(Mount m, HostPool pool, Duration threshold) {
        for (PooledConnection c : pool.leasesOlderThan(threshold.toNanos())) {
            if (c.markLeakReported()) {
                log.warn("Possible connection leak: a connection to {} (mount '{}') has been leased for "
                        + "more than {} (leak-detection-threshold). It was leased here:",
                        pool.key().hostPort(), m.name(), MountSettings.format(threshold), c.leaseSite());
            }
        }
    }

    /** Stops the thread; a round under way is interrupted. Idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
