package io.poolclient.internal;

import io.poolclient.retry.Retry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The retry budget of one mount: over a sliding window it allows at most
 * {@code min-per-second × window seconds + percent% × requests} retries, where {@code requests} are
 * the requests the mount was given in that window. The window is kept as {@value #BUCKETS} buckets
 * of a tenth of it each, so it slides in steps of a tenth: at any moment it covers the current
 * bucket and the nine before it (between nine and ten tenths of the window).
 *
 * <p><b>Concurrency contract.</b> Any thread may call {@link #requestMade()} and
 * {@link #tryRetry()} at any time. {@link #requestMade()} takes no lock (an adder in the current
 * bucket). {@link #tryRetry()} decides and counts under one lock per mount, so the guarantee is
 * exact however many threads retry at once: after every granted retry, the retries counted in the
 * window do not exceed the allowance computed from the requests counted in it. A request counted by a
 * thread that raced with its bucket being reused for a later tenth may be lost; that only makes the
 * budget slightly stricter. Retries refused are not counted.
 */
final class RetryBudget {

    /** How many parts the window is kept in. */
    static final int BUCKETS = 10;

    private static final RetryBudget UNLIMITED = new RetryBudget();

    private final boolean limited;
    private final LongSupplier clock;
    private final long bucketNanos;
    /** {@code min-per-second × window seconds}. */
    private final double floor;
    /** {@code percent / 100}. */
    private final double ratio;
    private final AtomicReferenceArray<Bucket> buckets = new AtomicReferenceArray<>(BUCKETS);
    private final ReentrantLock retryLock = new ReentrantLock();

    /** One tenth of the window: requests counted without a lock, retries under {@link #retryLock}. */
    private static final class Bucket {
        final long tenth;
        final LongAdder requests = new LongAdder();
        /** Guarded by {@link RetryBudget#retryLock}. */
        long retries;

        Bucket(long tenth) {
            this.tenth = tenth;
        }
    }

    private RetryBudget() {
        this.limited = false;
        this.clock = System::nanoTime;
        this.bucketNanos = 1;
        this.floor = 0;
        this.ratio = 0;
    }

    /**
     * @param percent share of the requests that may be retried on top of the floor
     * @param minPerSecond retries per second always allowed
     * @param window how far back requests and retries count; at least {@value #BUCKETS} ns
     * @param clock nanosecond ticks ({@link System#nanoTime} outside tests)
     */
    RetryBudget(double percent, int minPerSecond, Duration window, LongSupplier clock) {
        long windowNanos = window.toNanos();
        if (windowNanos < BUCKETS) {
            throw new IllegalArgumentException("window too short: " + window);
        }
        this.limited = true;
        this.clock = clock;
        this.bucketNanos = windowNanos / BUCKETS;
        this.floor = minPerSecond * (windowNanos / 1e9);
        this.ratio = percent / 100.0;
        Bucket none = new Bucket(Long.MIN_VALUE);
        for (int i = 0; i < BUCKETS; i++) {
            buckets.set(i, none);
        }
    }

    /** The budget {@code retry} asks for, or one that allows every retry when it has none. */
    static RetryBudget of(Retry retry) {
        if (retry == null || !retry.hasBudget()) {
            return UNLIMITED;
        }
        return new RetryBudget(retry.budgetPercent(), retry.budgetMinPerSecond(), retry.budgetWindow(), System::nanoTime);
    }

    /** Counts one request given to the mount (a call, or a redirect followed through it). */
    void requestMade() {
        if (limited) {
            current(Math.floorDiv(clock.getAsLong(), bucketNanos)).requests.increment();
        }
    }

    /**
     * Asks for one retry: granted and counted when the window's retries stay within the allowance,
     * refused (and not counted) otherwise.
     */
    boolean tryRetry() {
        if (!limited) {
            return true;
        }
        retryLock.lock();
        try {
            long tenth = Math.floorDiv(clock.getAsLong(), bucketNanos);
            Bucket now = current(tenth);
            long requests = 0;
            long retries = 0;
            for (int i = 0; i < BUCKETS; i++) {
                Bucket b = buckets.get(i);
                if (b.tenth > tenth - BUCKETS) {
                    requests += b.requests.sum();
                    retries += b.retries;
                }
            }
            if (retries + 1 > floor + ratio * requests) {
                return false;
            }
            now.retries++;
            return true;
        }
        finally {
            retryLock.unlock();
        }
    }

    /** The bucket of {@code tenth}, replacing the one of an older tenth in its place. */
    private Bucket current(long tenth) {
        int at = (int) Math.floorMod(tenth, (long) BUCKETS);
        while (true) {
            Bucket b = buckets.get(at);
            if (b.tenth >= tenth) {
                return b; // this tenth's, or (a thread that read the clock late) a later one's
            }
            Bucket fresh = new Bucket(tenth);
            if (buckets.compareAndSet(at, b, fresh)) {
                return fresh;
            }
        }
    }

    @Override
    public String toString() {
        return limited ? "RetryBudget[floor=" + floor + ", ratio=" + ratio + ", bucket=" + bucketNanos + "ns]"
                : "RetryBudget[unlimited]";
    }
}
