package io.poolclient.bench;

/**
 * A latency histogram in nanoseconds with log-linear buckets: exact below 64 ns, then 64 buckets per
 * power of two, so any recorded value is reported within 1/64 (about 1.6%). Fixed size, no allocation
 * when recording. One writer at a time (a benchmark thread owns one); merge after the run.
 */
public final class Histogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    public void add(Histogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    /**
     * The value at quantile {@code q} (0..1): the middle of the bucket holding the
     * {@code ceil(q * count)}-th smallest value, never above the maximum seen; 0 when empty.
     */
    public long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, middle(i));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) ((v >>> (msb - SUB_BITS)) & (SUB - 1));
        return (msb - SUB_BITS + 1) * SUB + sub;
    }

    static long middle(int index) {
        if (index < SUB) {
            return index;
        }
        int msb = index / SUB + SUB_BITS - 1;
        long width = 1L << (msb - SUB_BITS);
        long low = (SUB + (long) (index % SUB)) << (msb - SUB_BITS);
        return low + width / 2;
    }
}
