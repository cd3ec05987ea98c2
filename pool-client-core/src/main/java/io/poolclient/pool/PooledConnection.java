package io.poolclient.pool;

/**
 * One connection of a {@link HostPool}, with the times the pool decides reuse by. Owned by one
 * thread while leased; the time fields are written by the owner or under the pool's lock.
 */
public final class PooledConnection {

    private final Transport transport;
    private final long createdNanos;
    private volatile long lastReturnedNanos;
    private volatile long keepAliveDeadlineNanos = Long.MAX_VALUE;
    private volatile long leasedAtNanos;
    private volatile Throwable leaseSite;
    private boolean reused;
    private volatile boolean leakReported;
    private volatile long writeDeadlineNanos;
    private volatile boolean writeTimedOut;
    private long exchanges;

    // intrusive list of leased connections, guarded by the owning pool's lock
    PooledConnection prev;
    PooledConnection next;
    boolean leased;

    public PooledConnection(Transport transport, long createdNanos) {
        this.transport = transport;
        this.createdNanos = createdNanos;
        this.lastReturnedNanos = createdNanos;
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
        this.leaseSite = site;
        this.leakReported = false;
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
     * Marks the start of a request write that must finish by {@code deadlineNanos}: socket writes
     * have no timeout of their own, so the housekeeper closes the socket of an overdue write.
     */
    public void beginWrite(long deadlineNanos) {
        this.writeDeadlineNanos = deadlineNanos == 0 ? 1 : deadlineNanos;
    }

    /** The request has been written and flushed. */
    public void endWrite() {
        this.writeDeadlineNanos = 0;
    }

    /** True when the housekeeper closed this connection because a write outlived its deadline. */
    public boolean writeTimedOut() {
        return writeTimedOut;
    }

    /** Closes the socket if a write is overdue at {@code now}; called by the housekeeper. */
    boolean closeIfWriteOverdue(long now) {
        long deadline = writeDeadlineNanos;
        if (deadline != 0 && now - deadline > 0) {
            writeTimedOut = true;
            transport.close();
            return true;
        }
        return false;
    }

    /** Counts an exchange on this connection; called by the owner. */
    public void exchangeStarted() {
        exchanges++;
    }

    public long exchanges() {
        return exchanges;
    }

    /**
     * Records the server's {@code Keep-Alive: timeout=} (in ms from now); the connection is not
     * reused past it.
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
