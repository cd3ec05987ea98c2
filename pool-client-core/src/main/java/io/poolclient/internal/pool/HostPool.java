package io.poolclient.internal.pool;

import io.poolclient.PoolListener;
import io.poolclient.PoolSnapshot;
import io.poolclient.HostPoolView;
import io.poolclient.MountSettings;
import io.poolclient.PoolClosedException;
import io.poolclient.PoolTimeoutException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one host (scheme + host + port + TLS identity) within one mount: urllib3's
 * {@code HTTPConnectionPool}.
 *
 * <p><b>Concurrency contract.</b> Any thread may call {@link #acquire} and must hand every connection
 * it got back exactly once through {@link #release}. All state lives under one {@link ReentrantLock}
 * that is never held across I/O or a wait: sockets are opened, checked and closed outside it, and
 * waiting parks the thread ({@link LockSupport}) until a releaser hands it a connection or a slot
 * directly, so virtual threads are never pinned and a woken waiter needs no second trip through the lock.
 *
 * <p><b>Guarantees.</b> Idle connections are reused last-in first-out and are checked (expiry and a
 * non-blocking stale probe) before being handed out. Without {@code block}, a caller that finds
 * nothing idle opens a new connection even past {@code maxsize}, and a returned connection that does
 * not fit among {@code maxsize} idle ones is discarded with a WARN. With {@code block}, at most
 * {@code maxsize} connections exist (idle + leased + being opened + being closed: a closed
 * connection's slot is handed on only once its socket is closed); callers wait first come first
 * served, each handed a returned connection or a freed slot directly so that no newcomer can barge
 * ahead, for at most the pool timeout. Counters satisfy
 * {@code opened = idle + leased + discarded + closed} whenever no call is in progress.
 *
 * <p>A retired pool (evicted, dropped or shut down) keeps no idle connection: each returned one is
 * closed. A shut-down pool also refuses new callers and fails its waiters with
 * {@link PoolClosedException}.
 */
public final class HostPool {

    private static final Logger log = LoggerFactory.getLogger(HostPool.class);

    private final String mount;
    private final HostKey key;
    private final MountSettings settings;
    private final HostPoolView view = new View();
    private final int maxsize;
    private final boolean block;
    private final long idleTimeoutNanos;
    private final long maxLifetimeNanos;
    private final boolean captureLeaseSite;
    private final PoolListener listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private PooledConnection leasedHead;
    private int leased;
    private int connecting;
    /** Connections already counted as closed whose sockets are being closed outside the lock: they keep their slot until then. */
    private int closing;
    private boolean retired;
    private boolean shutdown;
    private long opened;
    private long discarded;
    private long timeouts;
    private long lastTimeoutNanos;
    private final EnumMap<CloseReason, Long> closed = new EnumMap<>(CloseReason.class);
    private long closedTotal;
    private final LongAdder reused = new LongAdder();
    private final LongAdder requests = new LongAdder();
    /** When the mount last looked this pool up: its place in the mount's LRU. Opaque: a stamp seen late only blurs the order by a moment. */
    private long lastUsedNanos;
    private static final VarHandle LAST_USED;

    static {
        try {
            LAST_USED = MethodHandles.lookup().findVarHandle(HostPool.class, "lastUsedNanos", long.class);
        }
        catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Opens a new connection for {@link #acquire}; called outside the pool lock. */
    @FunctionalInterface
    public interface Opener {
        PooledConnection open() throws IOException;
    }

    /**
     * A caller waiting in a blocking pool. The releaser fills in what it hands over under the lock,
     * then sets {@code done} and unparks the waiter, which returns without taking the lock again:
     * a direct hand-off, so a woken waiter does not queue for the lock behind the callers it serves.
     */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        PooledConnection connection;
        boolean slot;
        boolean closed;
        volatile boolean done;

        /** Called under the lock, after the outcome fields are set. */
        void wake() {
            done = true;
            LockSupport.unpark(thread);
        }

        /**
         * Called under the lock, after the outcome fields are set; the caller unparks {@link #thread}
         * after unlocking, so that the woken thread does not run into a lock still held.
         */
        void markDone() {
            done = true;
        }
    }

    /**
     * @param mount the owning mount's name
     * @param key the host this pool connects to
     * @param settings the mount's resolved settings: {@code pool-maxsize} (at least 1), {@code pool-block},
     *     {@code idle-timeout} (zero keeps idle connections until the server's keep-alive says otherwise),
     *     {@code max-lifetime} and {@code leak-detection-threshold} (set: a stack trace is kept per lease)
     * @param listener told of acquisitions
     */
    public HostPool(String mount, HostKey key, MountSettings settings, PoolListener listener) {
        int maxsize = settings.poolMaxsize();
        if (maxsize < 1) {
            throw new IllegalArgumentException("maxsize must be >= 1, was " + maxsize);
        }
        Duration idleTimeout = settings.idleTimeout();
        Duration maxLifetime = settings.maxLifetime();
        this.mount = mount;
        this.key = key;
        this.settings = settings;
        this.maxsize = maxsize;
        this.block = Boolean.TRUE.equals(settings.poolBlock());
        this.idleTimeoutNanos = idleTimeout == null || idleTimeout.isZero() ? Long.MAX_VALUE : idleTimeout.toNanos();
        this.maxLifetimeNanos = maxLifetime == null || maxLifetime.isZero() ? Long.MAX_VALUE : maxLifetime.toNanos();
        this.captureLeaseSite = settings.leakDetectionThreshold() != null;
        this.listener = listener;
    }

    /**
     * Hands out a connection: a checked idle one, else a new one from {@code opener}; with
     * {@code block} at maxsize, waits up to {@code timeout} for one to come back.
     *
     * @throws PoolTimeoutException when a blocking pool had nothing within the timeout
     * @throws PoolClosedException when the pool was shut down
     * @throws IOException whatever {@code opener} threw; the slot it held is freed
     */
    public Lease acquire(Duration timeout, Opener opener) throws IOException {
        return acquire(timeout, opener, false);
    }

    /**
     * As {@link #acquire(Duration, Opener)}; with {@code newOnly} never hands out an idle connection
     * but always opens a new one (the transparent retry after a reused connection died). A blocking
     * pool at maxsize makes room for it by closing its least recently used idle connection, or the
     * connection handed to it as a waiter, counted as {@link CloseReason#REPLACED}.
     */
    public Lease acquire(Duration timeout, Opener opener, boolean newOnly) throws IOException {
        try {
            return new Lease(this, acquireOrWait(timeout, opener, newOnly));
        }
        catch (PoolTimeoutException e) {
            try {
                listener.acquireTimedOut(view, e.waited().toNanos());
            }
            catch (RuntimeException listenerFailure) {
                log.warn("Pool listener failed on pool timeout for {}", key.hostPort(), listenerFailure);
            }
            throw e;
        }
    }

    private PooledConnection acquireOrWait(Duration timeout, Opener opener, boolean newOnly) throws IOException {
        // one clock read on the fast path: it stamps the lease and checks expiry
        long start = System.nanoTime();
        long timeoutNanos = timeout.toNanos();
        boolean waited = false;
        while (true) {
            PooledConnection candidate = null;
            PooledConnection replaced = null;
            Waiter waiter = null;
            boolean open = false;
            lock.lock();
            try {
                if (shutdown) {
                    throw closedException();
                }
                if (!block || waiters.isEmpty()) {
                    candidate = newOnly ? null : idle.pollFirst();
                    if (candidate != null) {
                        lease(candidate, true, start);
                    }
                    else if (!block || idle.size() + leased + connecting + closing < maxsize) {
                        connecting++;
                        open = true;
                    }
                    else if (newOnly && !idle.isEmpty()) {
                        replaced = idle.pollLast(); // its slot goes to the new connection
                        count(CloseReason.REPLACED);
                        connecting++;
                        open = true;
                    }
                }
                if (candidate == null && !open) {
                    waiter = new Waiter();
                    waiters.addLast(waiter);
                }
            }
            finally {
                lock.unlock();
            }
            if (waiter != null) {
                awaitHandOff(waiter, start, timeoutNanos);
                waited = true;
                if (waiter.connection != null && newOnly) {
                    replaced = waiter.connection; // take its slot for a new connection
                    lock.lock();
                    try {
                        unlinkLeased(replaced);
                        count(CloseReason.REPLACED);
                        connecting++;
                    }
                    finally {
                        lock.unlock();
                    }
                    open = true;
                }
                else if (waiter.connection != null) {
                    candidate = waiter.connection;
                }
                else {
                    open = true;
                }
            }
            if (replaced != null) {
                replaced.transport().close();
            }
            if (candidate != null) {
                CloseReason unusable = checkReusable(candidate, waited ? System.nanoTime() : start);
                if (unusable == null) {
                    reused.increment();
                    notifyAcquired(waited ? System.nanoTime() - start : 0);
                    return candidate;
                }
                release(candidate, false, unusable);
                continue;
            }
            PooledConnection fresh;
            try {
                fresh = opener.open();
            }
            catch (IOException | RuntimeException | Error e) {
                connectFailed();
                throw e;
            }
            long now = connected(fresh);
            notifyAcquired(now - start);
            return fresh;
        }
    }

    /**
     * Parks, without the lock, until the waiter is handed a connection or a slot, the pool shuts
     * down, the timeout passes or the thread is interrupted. Only giving up takes the lock: to leave
     * the queue, or to pass on what was handed over at that very moment.
     */
    private void awaitHandOff(Waiter w, long start, long timeoutNanos) throws IOException {
        long deadline = start + timeoutNanos;
        boolean interrupted = false;
        while (!w.done) {
            long now = System.nanoTime();
            if (now - deadline >= 0 || interrupted) {
                lock.lock();
                try {
                    if (!w.done) {
                        waiters.remove(w);
                        if (interrupted) {
                            throw interruptedException();
                        }
                        timeouts++;
                        lastTimeoutNanos = now;
                        throw new PoolTimeoutException(mount, key.hostPort(), maxsize, Duration.ofNanos(now - start));
                    }
                    if (interrupted) {
                        giveBack(w);
                        throw interruptedException();
                    }
                }
                finally {
                    lock.unlock();
                }
                break; // handed something just in time: take it
            }
            LockSupport.parkNanos(this, deadline - now);
            interrupted |= Thread.interrupted();
        }
        if (w.closed) {
            throw closedException();
        }
    }

    private PoolClosedException interruptedException() {
        Thread.currentThread().interrupt();
        return new PoolClosedException("Interrupted while waiting for a connection to " + key.hostPort()
                + " from mount '" + mount + "'", mount, key.hostPort(), null);
    }

    /** An interrupted waiter may already have been handed something: pass it on. Lock held. */
    private void giveBack(Waiter w) {
        if (w.connection != null) {
            PooledConnection c = w.connection;
            unlinkLeased(c);
            handOffOrKeep(c, System.nanoTime());
        }
        else if (w.slot) {
            connecting--;
            grantSlotIfWaiting();
        }
    }

    private void connectFailed() {
        lock.lock();
        try {
            connecting--;
            grantSlotIfWaiting();
        }
        finally {
            lock.unlock();
        }
    }

    /** Counts and leases a new connection; returns the time it was leased. */
    private long connected(PooledConnection fresh) {
        long now = System.nanoTime();
        lock.lock();
        try {
            connecting--;
            opened++;
            lease(fresh, false, now);
        }
        finally {
            lock.unlock();
        }
        if (log.isDebugEnabled()) {
            log.debug("Starting new {} connection ({}): {}", key.isTls() ? "HTTPS" : "HTTP", opened, key.hostPort());
        }
        return now;
    }

    private void notifyAcquired(long waitNanos) {
        try {
            listener.connectionAcquired(view, waitNanos);
        }
        catch (RuntimeException e) {
            log.warn("Pool listener failed on acquire for {}", key.hostPort(), e);
        }
    }

    /**
     * Takes back a connection handed out by {@link #acquire}; called by its {@link Lease} only. A reusable one goes to the first
     * waiter, else to the idle stack, else (non-blocking pool full) is discarded with a WARN.
     *
     * @param reusable whether the last exchange left the connection fit for another
     * @param reason why it is closed when not reusable
     */
    void release(PooledConnection c, boolean reusable, CloseReason reason) {
        long now = System.nanoTime();
        PooledConnection toClose = null;
        Waiter served = null;
        boolean full = false;
        lock.lock();
        try {
            if (!c.leased) {
                return; // released twice: the first release counted it
            }
            unlinkLeased(c);
            CloseReason why = reusable ? checkExpired(c, now) : reason;
            if (why == null && (retired || shutdown)) {
                why = shutdown ? CloseReason.SHUTDOWN : CloseReason.POOL_RETIRED;
            }
            if (why == null) {
                served = handOff(c, now);
                full = served == null && !keep(c);
                if (full) {
                    discarded++;
                    toClose = c;
                    closing++;
                }
            }
            else {
                count(why);
                toClose = c;
                closing++;
            }
        }
        finally {
            lock.unlock();
        }
        if (served != null) {
            LockSupport.unpark(served.thread);
        }
        if (toClose != null) {
            try {
                toClose.transport().close();
            }
            finally {
                closedOutsideLock(1);
            }
        }
        if (full) {
            log.warn("Connection pool is full, discarding connection: {}. Connection pool size: {}", key.hostPort(), maxsize);
        }
    }

    /** Gives a reusable connection to the first waiter or the idle stack; false when neither can take it. */
    private boolean handOffOrKeep(PooledConnection c, long now) {
        Waiter w = handOff(c, now);
        if (w != null) {
            LockSupport.unpark(w.thread);
            return true;
        }
        return keep(c);
    }

    /**
     * Hands a reusable connection to the first waiter, if any, and returns that waiter, which the
     * caller must unpark; lock held.
     */
    private Waiter handOff(PooledConnection c, long now) {
        c.returned(now);
        Waiter w = waiters.pollFirst();
        if (w != null) {
            lease(c, true, now);
            w.connection = c;
            w.markDone();
        }
        return w;
    }

    /** Keeps a reusable connection on the idle stack; false when the stack is full. Lock held. */
    private boolean keep(PooledConnection c) {
        if (idle.size() < maxsize) {
            idle.addFirst(c);
            return true;
        }
        return false;
    }

    /**
     * Sockets counted in {@link #closing} are closed now: their slots are free. A blocking pool hands
     * a slot on only after the socket is closed, so that it never has more than maxsize open at once.
     */
    private void closedOutsideLock(int count) {
        lock.lock();
        try {
            closing -= count;
            for (int i = 0; i < count; i++) {
                grantSlotIfWaiting();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /** A connection closed or failed to open in a blocking pool: its slot goes to the first waiter. */
    private void grantSlotIfWaiting() {
        if (block && !waiters.isEmpty() && idle.size() + leased + connecting + closing < maxsize) {
            Waiter w = waiters.pollFirst();
            connecting++;
            w.slot = true;
            w.wake();
        }
    }

    private void lease(PooledConnection c, boolean reused, long now) {
        c.markLeased(now, reused, captureLeaseSite ? new Throwable("leased here") : null);
        c.leased = true;
        c.prev = null;
        c.next = leasedHead;
        if (leasedHead != null) {
            leasedHead.prev = c;
        }
        leasedHead = c;
        leased++;
    }

    private void unlinkLeased(PooledConnection c) {
        if (c.prev != null) {
            c.prev.next = c.next;
        }
        else {
            leasedHead = c.next;
        }
        if (c.next != null) {
            c.next.prev = c.prev;
        }
        c.prev = null;
        c.next = null;
        c.leased = false;
        leased--;
    }

    private void count(CloseReason reason) {
        closed.merge(reason, 1L, Long::sum);
        closedTotal++;
    }

    /** Expiry only (no I/O): idle timeout, server keep-alive, max lifetime. */
    private CloseReason checkExpired(PooledConnection c, long now) {
        if (now - c.keepAliveDeadlineNanos() >= 0 && c.keepAliveDeadlineNanos() != Long.MAX_VALUE) {
            return CloseReason.IDLE_TIMEOUT;
        }
        if (now - c.createdNanos() >= maxLifetimeNanos) {
            return CloseReason.MAX_LIFETIME;
        }
        return null;
    }

    private CloseReason checkReusable(PooledConnection c, long now) {
        CloseReason expired = checkExpired(c, now);
        if (expired != null) {
            return expired;
        }
        if (now - c.lastReturnedNanos() >= idleTimeoutNanos) {
            return CloseReason.IDLE_TIMEOUT;
        }
        return c.transport().isStale() ? CloseReason.STALE : null;
    }

    /** Marks this pool as used now, for the mount's LRU; called by the pool manager. */
    void touch(long now) {
        LAST_USED.setOpaque(this, now);
    }

    long lastUsedNanos() {
        return (long) LAST_USED.getOpaque(this);
    }

    /** Counts an exchange sent on one of this pool's connections (every attempt). */
    public void requestSent() {
        requests.increment();
    }

    /**
     * Closes idle connections past their idle timeout, keep-alive or lifetime. Called by the
     * client's evictor thread.
     */
    public void closeExpired() {
        long now = System.nanoTime();
        List<PooledConnection> expired = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<PooledConnection> it = idle.iterator(); it.hasNext();) {
                PooledConnection c = it.next();
                CloseReason why = checkExpired(c, now);
                if (why == null && now - c.lastReturnedNanos() >= idleTimeoutNanos) {
                    why = CloseReason.IDLE_TIMEOUT;
                }
                if (why != null) {
                    it.remove();
                    count(why);
                    expired.add(c);
                }
            }
            closing += expired.size();
        }
        finally {
            lock.unlock();
        }
        if (!expired.isEmpty()) {
            try {
                expired.forEach(c -> c.transport().close());
            }
            finally {
                closedOutsideLock(expired.size());
            }
        }
    }

    /** Leases held for {@code thresholdNanos} or longer, for leak reports. */
    public List<PooledConnection> leasesOlderThan(long thresholdNanos) {
        long now = System.nanoTime();
        List<PooledConnection> old = new ArrayList<>();
        lock.lock();
        try {
            for (PooledConnection c = leasedHead; c != null; c = c.next) {
                if (now - c.leasedAtNanos() >= thresholdNanos) {
                    old.add(c);
                }
            }
        }
        finally {
            lock.unlock();
        }
        return old;
    }

    /**
     * Takes this pool out of service: idle connections are closed now, leased ones when returned.
     * With {@code shutdown}, waiters fail with {@link PoolClosedException} and new callers are refused.
     */
    public void retire(boolean shutdown) {
        List<PooledConnection> toClose;
        lock.lock();
        try {
            retired = true;
            CloseReason reason = shutdown ? CloseReason.SHUTDOWN : CloseReason.POOL_RETIRED;
            toClose = new ArrayList<>(idle);
            idle.clear();
            toClose.forEach(c -> count(reason));
            if (shutdown) {
                this.shutdown = true;
                for (Waiter w; (w = waiters.pollFirst()) != null;) {
                    w.closed = true;
                    w.wake();
                }
            }
            closing += toClose.size();
        }
        finally {
            lock.unlock();
        }
        if (!toClose.isEmpty()) {
            try {
                toClose.forEach(c -> c.transport().close());
            }
            finally {
                closedOutsideLock(toClose.size());
            }
        }
    }

    private PoolClosedException closedException() {
        return new PoolClosedException("Pool for " + key.hostPort() + " in mount '" + mount + "' is closed", mount,
                key.hostPort(), null);
    }

    /** The counts now, read under the lock so that they add up. */
    public PoolSnapshot snapshot() {
        long now = System.nanoTime();
        lock.lock();
        try {
            long oldest = 0;
            for (PooledConnection c = leasedHead; c != null; c = c.next) {
                oldest = Math.max(oldest, now - c.leasedAtNanos());
            }
            Map<String, Long> reasons = new LinkedHashMap<>();
            closed.forEach((r, n) -> reasons.put(r.name().toLowerCase(Locale.ROOT).replace('_', '-'), n));
            return new PoolSnapshot(key.scheme(), key.uriHost(), key.port(), leased, idle.size(), waiters.size(),
                    maxsize, opened, reused.sum(), discarded, closedTotal, requests.sum(),
                    TimeUnit.NANOSECONDS.toMillis(oldest), reasons, block, timeouts,
                    timeouts == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - lastTimeoutNanos));
        }
        finally {
            lock.unlock();
        }
    }

    public String mount() {
        return mount;
    }

    public HostKey key() {
        return key;
    }

    public int maxsize() {
        return maxsize;
    }

    public boolean isBlocking() {
        return block;
    }

    /** Connections leased now (a racy read, for gauges). */
    public int leased() {
        lock.lock();
        try {
            return leased;
        }
        finally {
            lock.unlock();
        }
    }

    /** Idle connections now (for gauges). */
    public int idle() {
        lock.lock();
        try {
            return idle.size();
        }
        finally {
            lock.unlock();
        }
    }

    /** Callers waiting now (for gauges). */
    public int pending() {
        lock.lock();
        try {
            return waiters.size();
        }
        finally {
            lock.unlock();
        }
    }

    public long opened() {
        lock.lock();
        try {
            return opened;
        }
        finally {
            lock.unlock();
        }
    }

    /** Callers that gave up after {@code pool-timeout} since the pool was created. */
    public long timeouts() {
        lock.lock();
        try {
            return timeouts;
        }
        finally {
            lock.unlock();
        }
    }

    /** Milliseconds since the last pool timeout, or -1 if there was none. */
    public long millisSinceLastTimeout() {
        lock.lock();
        try {
            return timeouts == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastTimeoutNanos);
        }
        finally {
            lock.unlock();
        }
    }

    public long discarded() {
        lock.lock();
        try {
            return discarded;
        }
        finally {
            lock.unlock();
        }
    }

    /** The read-only view of this pool that listeners are given. */
    public HostPoolView view() {
        return view;
    }

    /** What listeners see of this pool: identity, settings and {@link #snapshot()}, nothing that changes it. */
    private final class View implements HostPoolView {

        @Override
        public String mount() {
            return mount;
        }

        @Override
        public String scheme() {
            return key.scheme();
        }

        @Override
        public String host() {
            return key.uriHost();
        }

        @Override
        public int port() {
            return key.port();
        }

        @Override
        public String hostPort() {
            return key.hostPort();
        }

        @Override
        public MountSettings settings() {
            return settings;
        }

        @Override
        public PoolSnapshot snapshot() {
            return HostPool.this.snapshot();
        }

        @Override
        public String toString() {
            return HostPool.this.toString();
        }
    }

    @Override
    public String toString() {
        return "HostPool[" + mount + " " + key + "]";
    }
}
