package io.poolclient.internal.pool;

/**
 * One connection of a {@link HostPool}, with the times the pool decides reuse by. Owned by one
 * thread while leased; the time fields are written by the owner or under the pool's lock.
 */
public final class PooledConnection {

    private final Transport transport;
    private final long createdNanos;
    // written under the pool's lock or by the lease holder before it releases (which takes the lock):
    // the lock orders them, so they need not be volatile
    private long lastReturnedNanos;
    private long keepAliveDeadlineNanos = Long.MAX_VALUE;
    private long leasedAtNanos;
    // read by the leak reclaimer's thread, outside the lock
    private volatile Throwable leaseSite;
    private boolean reused;
    private volatile boolean leakReported;

    // links of the pool's LeasedList and membership in it, guarded by the owning pool's lock
    PooledConnection prev;
    PooledConnection next;
    boolean leased;
    /** Streams leased on a multiplexed connection now; guarded by the owning pool's lock. */
    int streams;
    private final boolean multiplexed;

    public PooledConnection(Transport transport, long createdNanos) {
        this.transport = transport;
        this.createdNanos = createdNanos;
        this.lastReturnedNanos = createdNanos;
        this.multiplexed = transport instanceof Multiplexed;
    }

    /** True for a connection that carries several exchanges at once (HTTP/2): its leases are streams. */
    public boolean isMultiplexed() {
        return multiplexed;
    }

    public Transport transport() {
        return transport;
    }

    /** True when this lease handed out a connection that had already carried an exchange. */
    public boolean isReused() {
        return reused;
    }

    void markLeased(long now, boolean reused, Throwable site) {
        this.leasedAtNanos = now;
        this.reused = reused;
        if (site != null || leaseSite != null) {
            this.leaseSite = site;
        }
        if (leakReported) {
            this.leakReported = false;
        }
    }

    /** True the first time it is called for the current lease: leak WARNs are logged once per lease. */
    public boolean markLeakReported() {
        if (leakReported) {
            return false;
        }
        leakReported = true;
        return true;
    }

    /**
     * Records the server's {@code Keep-Alive: timeout=}: the connection is not reused once
     * {@code nanos} have passed after {@code now} (at once when {@code nanos} is not positive).
     */
    public void keepAliveFor(long nanos, long now) {
        this.keepAliveDeadlineNanos = nanos <= 0 ? now : now + nanos;
    }

    public long createdNanos() {
        return createdNanos;
    }

    long lastReturnedNanos() {
        return lastReturnedNanos;
    }

    void returned(long now) {
        this.lastReturnedNanos = now;
    }

    long keepAliveDeadlineNanos() {
        return keepAliveDeadlineNanos;
    }

    public long leasedAtNanos() {
        return leasedAtNanos;
    }

    /** Where the current lease was taken, when leak detection is on; else {@code null}. */
    public Throwable leaseSite() {
        return leaseSite;
    }
}
