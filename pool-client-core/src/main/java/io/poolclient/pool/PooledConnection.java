package io.poolclient.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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
    // set by the lease holder around each write, read by the housekeeper: release/acquire is enough
    // (a deadline seen a moment late only delays the close by one housekeeping round)
    private long writeDeadlineNanos;
    private static final VarHandle WRITE_DEADLINE;

    static {
        try {
            WRITE_DEADLINE = MethodHandles.lookup().findVarHandle(PooledConnection.class, "writeDeadlineNanos", long.class);
        }
        catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
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
     * Marks the start of a request write that must finish by {@code deadlineNanos}: socket writes
     * have no timeout of their own, so the housekeeper closes the socket of an overdue write.
     */
    public void beginWrite(long deadlineNanos) {
        WRITE_DEADLINE.setRelease(this, deadlineNanos == 0 ? 1 : deadlineNanos);
    }

    /** The request has been written and flushed. */
    public void endWrite() {
        WRITE_DEADLINE.setRelease(this, 0L);
    }

    /** True when the housekeeper closed this connection because a write outlived its deadline. */
    public boolean writeTimedOut() {
        return writeTimedOut;
    }

    /** Closes the socket if a write is overdue at {@code now}; called by the housekeeper. */
    boolean closeIfWriteOverdue(long now) {
        long deadline = (long) WRITE_DEADLINE.getAcquire(this);
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
