package io.poolclient.internal.pool;

import io.poolclient.PoolSnapshot;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one {@link HostPool}: connections opened, reused, discarded (pool full) and closed
 * (by reason), exchanges sent, and callers that timed out waiting.
 *
 * <p><b>Concurrency contract.</b> {@code opened}, {@code discarded}, the closes and the timeouts are
 * plain fields guarded by the owning pool's lock: count them only while holding it, in the same
 * critical section that moves the connection they count, so that they always add up with the pool's
 * gauges. {@code reused} and {@code requests} are counted by the hot path without the lock (adders:
 * any thread, any time). {@link #snapshot} must be called with the pool's lock held; it is the one
 * place that turns the counts into a {@link PoolSnapshot}.
 */
final class PoolCounters {

    private long opened;
    private long discarded;
    private long closedTotal;
    private final EnumMap<CloseReason, Long> closed = new EnumMap<>(CloseReason.class);
    private long timeouts;
    private long lastTimeoutNanos;
    private final LongAdder reused = new LongAdder();
    private final LongAdder requests = new LongAdder();

    /** A new connection was established; returns how many have been so far. Lock held. */
    long countOpened() {
        return ++opened;
    }

    /** A returned connection did not fit among the idle ones and is closed. Lock held. */
    void countDiscarded() {
        discarded++;
    }

    /** {@code n} connections did not fit after the pool shrank and are closed. Lock held. */
    void countDiscarded(int n) {
        discarded += n;
    }

    /** A connection is closed for {@code reason}. Lock held. */
    void countClosed(CloseReason reason) {
        countClosed(reason, 1);
    }

    /** {@code n} connections are closed for {@code reason}. Lock held. */
    void countClosed(CloseReason reason, int n) {
        if (n > 0) {
            closed.merge(reason, (long) n, Long::sum);
            closedTotal += n;
        }
    }

    /** A caller gave up waiting at {@code now}. Lock held. */
    void countTimeout(long now) {
        timeouts++;
        lastTimeoutNanos = now;
    }

    /** An idle connection was handed out again. Any thread, no lock. */
    void countReused() {
        reused.increment();
    }

    /** An exchange was sent on one of the pool's connections. Any thread, no lock. */
    void countRequest() {
        requests.increment();
    }

    /**
     * The counts together with the pool's gauges, all read under the pool's lock (held by the caller)
     * so that {@code opened = idle + leased + discarded + closed} holds whenever no call is in progress.
     *
     * @param oldestLeaseNanos age of the oldest current lease, 0 when none
     * @param now the time the snapshot is taken
     */
    PoolSnapshot snapshot(HostKey key, int maxsize, boolean block, int leased, int idle, int pending,
            long oldestLeaseNanos, long now) {
        Map<String, Long> reasons = new LinkedHashMap<>();
        closed.forEach((r, n) -> reasons.put(r.name().toLowerCase(Locale.ROOT).replace('_', '-'), n));
        return new PoolSnapshot(key.scheme(), key.uriHost(), key.port(), leased, idle, pending, maxsize, opened,
                reused.sum(), discarded, closedTotal, requests.sum(), TimeUnit.NANOSECONDS.toMillis(oldestLeaseNanos),
                reasons, block, timeouts, timeouts == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - lastTimeoutNanos),
                key.proxy() == null ? null : key.proxy().toString(), "http/1.1", leased, 1);
    }
}
