package io.poolclient.internal.pool;

import io.poolclient.HostPoolView;
import io.poolclient.MountSettings;
import io.poolclient.PoolClosedException;
import io.poolclient.PoolInterruptedException;
import io.poolclient.PoolListener;
import io.poolclient.PoolSnapshot;
import io.poolclient.PoolTimeoutException;
import io.poolclient.Protocols;
import io.poolclient.internal.pool.WaiterQueue.Waiter;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one host (scheme + host + port + TLS identity) within one mount: urllib3's
 * {@code HTTPConnectionPool}. This class is the policy: when to reuse, open, wait, close or discard.
 * The mechanisms it drives, all under its lock, are the {@link IdleStack}, the {@link LeasedList}
 * (connections handed out), the {@link WaiterQueue} (callers waiting, direct hand-off), the
 * {@link Slots} (maxsize accounting) and the {@link PoolCounters}; {@link ConnectionExpiry} decides
 * whether a connection may be reused.
 *
 * <p><b>Concurrency contract.</b> Any thread may call {@link #acquire}; every {@link Lease} it returns
 * must be ended exactly once (ending it again does nothing). All state lives under one
 * {@link ReentrantLock} that is never held across I/O or a wait: sockets are opened, checked and
 * closed outside it, and a waiting caller parks without it until it is handed a connection or a slot
 * directly, so virtual threads are never pinned.
 *
 * <p><b>Guarantees.</b> Idle connections are reused last-in first-out and are checked (expiry and a
 * non-blocking stale probe) before being handed out. Without {@code block}, a caller that finds
 * nothing idle opens a new connection even past {@code maxsize}, and a returned connection that does
 * not fit among {@code maxsize} idle ones is discarded with a WARN. With {@code block}, at most
 * {@code maxsize} connections exist (idle + leased + being opened + being closed: a closed
 * connection's slot is handed on only once its socket is closed); callers wait first come first
 * served for at most the pool timeout (a caller waiting in a non-blocking pool for an HTTP/2
 * connection being opened stops after it and opens its own). A waiter handed a connection that turns out dead (or that
 * asked for a new one) closes it and opens a new one in its slot: it keeps its turn. Counters satisfy
 * {@code opened = idle + leased + discarded + closed} whenever no call is in progress.
 *
 * <p>An interrupted waiter fails with {@link PoolInterruptedException}, its interrupt status still
 * set; whatever it was handed at that moment goes back to the pool. A retired pool (evicted or
 * dropped) keeps no idle connection: each returned one is closed. A shut-down pool also refuses new
 * callers and fails its waiters with {@link PoolClosedException}.
 *
 * <p><b>HTTP/2.</b> A multiplexed connection ({@link Multiplexed}) is leased per stream: a
 * {@link Lease} is one stream, and {@link Multiplexer} keeps which connections carry streams. A
 * caller takes a stream of a busy connection with room first; a new connection opens only when none
 * has room (its limit: {@code max-concurrent-streams} lowered by the server's), and while one that
 * is expected to speak HTTP/2 is being opened, callers its expected streams cover wait for it
 * instead of opening more. Waiters of a blocking pool are handed streams first come first served as
 * streams end. A multiplexed connection counts as leased while it carries a stream and idle when it
 * carries none; after {@code GOAWAY}, past {@code max-lifetime} or in a retired pool it takes no new
 * stream and is closed when its last one ends, and one that closes on its own leaves the pool at once
 * (counted {@link CloseReason#GOAWAY} or {@link CloseReason#ERROR}). {@code requests} counts streams.
 *
 * <p>{@link #resize} changes {@code maxsize} and {@code block} while the pool is in use, under the same
 * lock: from then on a blocking pool keeps at most the new {@code maxsize} connections once the
 * leased surplus has come back (each such return is discarded, never handed to a waiter), and waiters
 * that fit the new size are handed a slot at once.
 */
public final class HostPool {

    private static final Logger log = LoggerFactory.getLogger(HostPool.class);

    private final String mount;
    private final HostKey key;
    /** Replaced by {@link #resize}; volatile for the view, read under the lock by the pool itself. */
    private volatile MountSettings settings;
    private final HostPoolView view = new PoolView(this);
    /** {@code pool-maxsize} and {@code pool-block} now: guarded by the lock, changed by {@link #resize}. */
    private int maxsize;
    private boolean block;
    private final ConnectionExpiry expiry;
    private final boolean captureLeaseSite;
    private final AcquireEvents events;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a shut-down pool has no lease left. */
    private final Condition noLeases = lock.newCondition();
    private final IdleStack idle;
    private final WaiterQueue waiters = new WaiterQueue();
    private final LeasedList leased = new LeasedList();
    private final PoolCounters counters = new PoolCounters();
    private final Slots slots;
    /** The HTTP/2 side: which connections carry streams, and the openings callers may wait for. */
    private final Multiplexer mux;
    /** Whether this pool's connections may speak HTTP/2 ({@code h2} offered or {@code h2c}), and whether by prior knowledge. */
    private final boolean offersH2;
    private final boolean priorKnowledge;
    private boolean retired;
    private boolean shutdown;
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
        this.mount = mount;
        this.key = key;
        this.settings = settings;
        this.maxsize = maxsize;
        this.block = Boolean.TRUE.equals(settings.poolBlock());
        this.expiry = new ConnectionExpiry(settings);
        this.idle = new IdleStack(maxsize);
        this.slots = new Slots(lock, maxsize, block, idle, leased, waiters);
        this.captureLeaseSite = settings.leakDetectionThreshold() != null;
        this.events = new AcquireEvents(view, listener);
        this.mux = new Multiplexer(streamCap(settings));
        this.priorKnowledge = priorKnowledge(settings, key);
        this.offersH2 = priorKnowledge || offersH2(settings, key);
    }

    /**
     * Hands out a connection: a checked idle one, else a new one from {@code opener}; with
     * {@code block} at maxsize, waits up to {@code timeout} for one to come back.
     *
     * @throws PoolTimeoutException when a blocking pool had nothing within the timeout
     * @throws PoolInterruptedException when the thread was interrupted while waiting (its interrupt status stays set)
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
            events.timedOut(e.waited().toNanos());
            throw e;
        }
    }

    private PooledConnection acquireOrWait(Duration timeout, Opener opener, boolean newOnly) throws IOException {
        // one clock read on the fast path: it stamps the lease and checks expiry
        long start = System.nanoTime();
        boolean waitForOpening = true;
        while (true) {
            PooledConnection candidate = null;
            PooledConnection replaced = null;
            Waiter waiter = null;
            boolean opensH2 = false;
            lock.lock();
            try {
                if (shutdown) {
                    throw closedException();
                }
                if (block && !waiters.isEmpty()) {
                    waiter = waiters.enqueue(); // first come first served: behind those already waiting
                }
                else if (offersH2 && !newOnly && (candidate = mux.withRoom(expiry, start)) != null) {
                    mux.addStream(candidate); // one more stream on a busy HTTP/2 connection
                    counters.countReused();
                    events.acquired(0);
                    return candidate;
                }
                else if (!newOnly && (candidate = idle.popNewest()) != null) {
                    lease(candidate, true, start);
                }
                else if (!newOnly && waitForOpening && offersH2 && mux.coversNewcomer(waiters.forOpening())) {
                    waiter = waiters.enqueueForOpening(); // a connection being opened will have a stream for it
                }
                else if (slots.available()) {
                    slots.reserve();
                    opensH2 = offersH2 && mux.expectsH2(priorKnowledge);
                    if (opensH2) {
                        mux.openingStarted();
                    }
                }
                else if (newOnly && !idle.isEmpty()) {
                    replaced = idle.popOldest(); // its slot goes to the new connection
                    counters.countClosed(CloseReason.REPLACED);
                    slots.reserve();
                }
                else {
                    waiter = waiters.enqueue();
                }
            }
            finally {
                lock.unlock();
            }
            if (waiter != null) {
                PooledConnection got = awaitTurn(waiter, start, timeout.toNanos(), opener, newOnly);
                if (got != null) {
                    return got;
                }
                // sent back (the opening it waited for is over): it looks again; tired of waiting: it opens its own
                waitForOpening = waiter.isRetry();
                continue;
            }
            if (replaced != null) {
                replaced.transport().close();
            }
            if (candidate == null) {
                return open(opener, start, opensH2);
            }
            CloseReason unusable = expiry.unusable(candidate, start);
            if (unusable == null) {
                counters.countReused();
                events.acquired(0);
                return candidate;
            }
            discarded(candidate, unusable); // closed and its slot freed: try the next idle one
        }
    }

    /**
     * Waits in the queue for a connection or a slot. A handed connection that is dead (or not wanted:
     * {@code newOnly}) is replaced in place: the waiter keeps the slot and opens a new connection in it.
     */
    private PooledConnection awaitTurn(Waiter w, long start, long timeoutNanos, Opener opener, boolean newOnly)
            throws IOException {
        if (!waiters.await(w, start + timeoutNanos) || Thread.currentThread().isInterrupted()) {
            if (giveUp(w, start)) {
                return null; // a non-blocking pool's caller stops waiting for an opening and opens its own
            }
        }
        if (w.isClosed()) {
            throw closedException();
        }
        if (w.isRetry()) {
            return null;
        }
        PooledConnection handed = w.connection();
        if (handed == null) {
            return open(opener, start, false); // handed a slot
        }
        long now = System.nanoTime();
        if (handed.isMultiplexed()) {
            counters.countReused(); // a stream, checked as it was handed: closing the connection would fail the others
            events.acquired(now - start);
            return handed;
        }
        CloseReason unusable = newOnly ? CloseReason.REPLACED : expiry.unusable(handed, now);
        if (unusable == null) {
            counters.countReused();
            events.acquired(now - start);
            return handed;
        }
        lock.lock();
        try {
            leased.remove(handed);
            counters.countClosed(unusable);
            slots.reserve(); // the slot stays with this waiter
        }
        finally {
            lock.unlock();
        }
        handed.transport().close();
        return open(opener, start, false);
    }

    /**
     * A waiter timed out or was interrupted: it leaves the queue and throws. If it was handed
     * something at that very moment, a timed-out waiter takes it (this returns), an interrupted one
     * passes it on before throwing.
     */
    private boolean giveUp(Waiter w, long start) throws IOException {
        boolean interrupted = Thread.currentThread().isInterrupted();
        long now = System.nanoTime();
        PooledConnection handBack;
        lock.lock();
        try {
            if (waiters.withdraw(w)) {
                if (interrupted) {
                    throw interruptedException();
                }
                if (w.isForOpening() && !block) {
                    return true;
                }
                counters.countTimeout(now);
                throw new PoolTimeoutException(mount, key.hostPort(), maxsize, Duration.ofNanos(now - start));
            }
            if (!interrupted) {
                return false;
            }
            if (w.hasSlot()) {
                slots.abandon();
            }
            handBack = w.connection();
        }
        finally {
            lock.unlock();
        }
        if (handBack != null) {
            returned(handBack); // to the next waiter or the idle stack, as any returned connection
        }
        throw interruptedException();
    }

    /**
     * Opens a connection in the slot the caller reserved. {@code opensH2}: the pool expects it to speak
     * HTTP/2 and callers may be waiting for its streams; whatever comes of it, they are served (if it
     * does) or sent back to try again once no such opening is left.
     */
    private PooledConnection open(Opener opener, long start, boolean opensH2) throws IOException {
        PooledConnection fresh;
        long connectStart = System.nanoTime();
        try {
            fresh = opener.open();
        }
        catch (IOException | RuntimeException | Error e) {
            connectFailed(opensH2);
            events.connectFinished(System.nanoTime() - connectStart, false);
            throw e;
        }
        long now = System.nanoTime();
        events.connectFinished(now - connectStart, true);
        if (fresh.transport() instanceof Multiplexed m) {
            m.listen(new StreamEvents(fresh));
        }
        long opened;
        List<Waiter> wake = new ArrayList<>();
        lock.lock();
        try {
            slots.filled();
            opened = counters.countOpened();
            lease(fresh, false, now);
            if (opensH2) {
                mux.openingEnded(fresh);
            }
            if (fresh.isMultiplexed()) {
                serveStreams(fresh, now, wake);
            }
            if (opensH2 && mux.opening() == 0) {
                wake.addAll(waiters.retryForOpening());
            }
        }
        finally {
            lock.unlock();
        }
        wake.forEach(Waiter::unpark);
        if (log.isDebugEnabled()) {
            log.debug("Starting new {} connection ({}): {}", key.isTls() ? "HTTPS" : "HTTP", opened, key.hostPort());
        }
        events.acquired(now - start);
        return fresh;
    }

    private void connectFailed(boolean opensH2) {
        List<Waiter> wake = List.of();
        lock.lock();
        try {
            slots.abandon();
            if (opensH2) {
                mux.openingEnded(null);
                if (mux.opening() == 0) {
                    wake = waiters.retryForOpening();
                }
            }
        }
        finally {
            lock.unlock();
        }
        wake.forEach(Waiter::unpark);
    }

    /**
     * Hands streams of the multiplexed connection {@code c} to the first waiters while it has room
     * (and is usable: accepting streams, within its lifetime, pool not retired); adds them to
     * {@code served}, whom the caller must unpark after unlocking. Lock held.
     */
    private void serveStreams(PooledConnection c, long now, List<Waiter> served) {
        while (!waiters.isEmpty() && c.leased && !retired && mux.hasRoom(c) && expiry.expired(c, now) == null) {
            mux.addStream(c);
            served.add(waiters.handOver(c));
        }
    }

    /**
     * A stream of the multiplexed connection {@code c} ended ({@code discard}: and the connection is to
     * be closed for that reason). The freed stream goes to the first waiter; a connection left
     * without streams goes idle (or is discarded when a non-blocking pool keeps enough idle ones),
     * or is closed when it is no longer usable: after {@code GOAWAY}, past its lifetime, pool retired.
     */
    private void streamEnded(PooledConnection c, CloseReason discard) {
        long now = System.nanoTime();
        List<Waiter> served = new ArrayList<>();
        boolean close = false;
        boolean full = false;
        int size;
        lock.lock();
        try {
            size = maxsize;
            if (!c.leased) {
                if (c.streams > 0) {
                    c.streams--; // the connection left the pool already (it closed)
                }
                return;
            }
            boolean last = mux.removeStream(c);
            CloseReason why = discard;
            if (why == null && !((Multiplexed) c.transport()).acceptsStreams()) {
                why = CloseReason.GOAWAY;
            }
            if (why == null) {
                why = expiry.expired(c, now);
            }
            if (why == null && retired) {
                why = shutdown ? CloseReason.SHUTDOWN : CloseReason.POOL_RETIRED;
            }
            if (why != null) {
                if (discard != null || last) {
                    leased.remove(c);
                    mux.dropped(c);
                    counters.countClosed(why);
                    slots.closing(1);
                    close = true;
                } // else it takes no new streams and closes when its last one ends
            }
            else {
                serveStreams(c, now, served);
                if (c.streams == 0) { // nobody wanted its room: the connection is idle now
                    leased.remove(c);
                    c.returned(now);
                    full = (block && !slots.available()) || !idle.push(c);
                    if (full) {
                        counters.countDiscarded();
                        slots.closing(1);
                        close = true;
                    }
                }
            }
        }
        finally {
            signalIfNoLeases();
            lock.unlock();
        }
        served.forEach(Waiter::unpark);
        if (close) {
            slots.closeAndFree(c);
        }
        if (full) {
            log.warn("Connection pool is full, discarding connection: {}. Connection pool size: {}", key.hostPort(), size);
        }
    }

    /** A multiplexed connection closed on its own (after {@code GOAWAY}, or failed): it leaves the pool. */
    private void connectionClosed(PooledConnection c, CloseReason reason) {
        lock.lock();
        try {
            if (c.leased) {
                leased.remove(c);
                mux.dropped(c);
            }
            else if (!idle.remove(c)) {
                return; // not in the pool: closed by the pool itself, or not adopted yet
            }
            counters.countClosed(reason);
            slots.closing(1);
        }
        finally {
            signalIfNoLeases();
            lock.unlock();
        }
        slots.closeAndFree(c);
    }

    /** A multiplexed connection's stream limit may have grown: its room goes to the waiters. */
    private void limitChanged(PooledConnection c) {
        List<Waiter> served = new ArrayList<>();
        lock.lock();
        try {
            serveStreams(c, System.nanoTime(), served);
        }
        finally {
            lock.unlock();
        }
        served.forEach(Waiter::unpark);
    }

    /** The events of one multiplexed connection, forwarded to this pool. */
    private final class StreamEvents implements Multiplexed.Events {
        private final PooledConnection connection;

        StreamEvents(PooledConnection connection) {
            this.connection = connection;
        }

        @Override
        public void limitChanged() {
            HostPool.this.limitChanged(connection);
        }

        @Override
        public void closed(CloseReason reason) {
            connectionClosed(connection, reason);
        }
    }

    /**
     * Takes back a connection its {@link Lease} returns for reuse: to the first waiter, else the idle
     * stack, else (non-blocking pool full) it is discarded with a WARN. Closed instead when expired or
     * when this pool is retired. Does nothing if the connection was already taken back.
     */
    void returned(PooledConnection c) {
        if (c.isMultiplexed()) {
            streamEnded(c, null);
            return;
        }
        long now = System.nanoTime();
        Waiter served = null;
        CloseReason why;
        boolean full = false;
        int size;
        lock.lock();
        try {
            size = maxsize;
            if (!leased.remove(c)) {
                return;
            }
            why = expiry.expired(c, now);
            if (why == null && retired) {
                why = shutdown ? CloseReason.SHUTDOWN : CloseReason.POOL_RETIRED;
            }
            if (why != null) {
                counters.countClosed(why);
                slots.closing(1);
            }
            else if (block && !slots.available()) {
                full = true; // a blocking pool shrunk below what it holds: this one is surplus
                counters.countDiscarded();
                slots.closing(1);
            }
            else {
                served = handOff(c, now);
                full = served == null && !idle.push(c);
                if (full) {
                    counters.countDiscarded();
                    slots.closing(1);
                }
            }
        }
        finally {
            signalIfNoLeases();
            lock.unlock();
        }
        if (served != null) {
            served.unpark();
            return;
        }
        if (why != null || full) {
            slots.closeAndFree(c);
        }
        if (full) {
            log.warn("Connection pool is full, discarding connection: {}. Connection pool size: {}", key.hostPort(), size);
        }
    }

    /**
     * Takes back a connection its {@link Lease} discards: closed and counted under {@code reason}.
     * Does nothing if the connection was already taken back.
     */
    void discarded(PooledConnection c, CloseReason reason) {
        if (c.isMultiplexed()) {
            streamEnded(c, reason);
            return;
        }
        lock.lock();
        try {
            if (!leased.remove(c)) {
                return;
            }
            counters.countClosed(reason);
            slots.closing(1);
        }
        finally {
            signalIfNoLeases();
            lock.unlock();
        }
        slots.closeAndFree(c);
    }

    /**
     * Leases a reusable connection to the first waiter, if any, and returns that waiter, which the
     * caller must unpark after unlocking. Lock held.
     */
    private Waiter handOff(PooledConnection c, long now) {
        c.returned(now);
        if (waiters.isEmpty()) {
            return null;
        }
        lease(c, true, now);
        return waiters.handOver(c);
    }

    private void lease(PooledConnection c, boolean reused, long now) {
        c.markLeased(now, reused, captureLeaseSite ? new Throwable("leased here") : null);
        leased.add(c);
        if (c.isMultiplexed()) {
            mux.addStream(c);
        }
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
        counters.countRequest();
    }

    /**
     * Closes idle connections past their idle timeout, keep-alive or lifetime. Called by the
     * client's evictor thread.
     */
    public void closeExpired() {
        long now = System.nanoTime();
        List<PooledConnection> expired;
        lock.lock();
        try {
            expired = idle.removeIf(c -> {
                CloseReason why = expiry.expiredWhileIdle(c, now);
                if (why != null) {
                    counters.countClosed(why);
                }
                return why != null;
            });
            slots.closing(expired.size());
        }
        finally {
            lock.unlock();
        }
        slots.closeAndFree(expired);
    }

    /**
     * Leases held for {@code thresholdNanos} or longer, for leak reports. HTTP/2 connections are left
     * out: one stays leased for as long as any of its streams is open, so its age says nothing of a
     * leak (a dropped HTTP/2 response is reclaimed and reported by its body).
     */
    public List<PooledConnection> leasesOlderThan(long thresholdNanos) {
        long now = System.nanoTime();
        lock.lock();
        try {
            List<PooledConnection> old = leased.olderThan(thresholdNanos, now);
            old.removeIf(PooledConnection::isMultiplexed);
            return old;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Takes this pool out of service after the mount evicted or dropped it: idle connections are
     * closed now, leased ones when returned. Callers that still hold a reference may go on using it.
     */
    void retire() {
        List<PooledConnection> toClose;
        lock.lock();
        try {
            retired = true;
            toClose = drainIdle(CloseReason.POOL_RETIRED);
        }
        finally {
            lock.unlock();
        }
        slots.closeAndFree(toClose);
    }

    /**
     * Shuts this pool down for good: idle connections are closed now, leased ones when returned,
     * waiters fail with {@link PoolClosedException} and new callers are refused.
     */
    public void shutdown() {
        List<PooledConnection> toClose;
        lock.lock();
        try {
            retired = true;
            shutdown = true;
            toClose = drainIdle(CloseReason.SHUTDOWN);
            waiters.closeAll();
        }
        finally {
            lock.unlock();
        }
        slots.closeAndFree(toClose);
    }

    /** Empties the idle stack, counting each connection closed for {@code reason}. Lock held. */
    private List<PooledConnection> drainIdle(CloseReason reason) {
        List<PooledConnection> drained = idle.drain();
        counters.countClosed(reason, drained.size());
        slots.closing(drained.size());
        return drained;
    }

    /** {@code max-concurrent-streams} of the mount. */
    private static int streamCap(MountSettings settings) {
        Integer cap = settings.maxConcurrentStreams();
        return cap == null ? MountSettings.DEFAULT_MAX_CONCURRENT_STREAMS : cap;
    }

    /** The mount's {@code protocols} that fit this pool's scheme. */
    private static Protocols protocols(MountSettings settings, HostKey key) {
        Protocols p = settings.protocols();
        return (p == null ? Protocols.HTTP_1_1 : p).forScheme(key.scheme());
    }

    /** Whether the mount speaks HTTP/2 with prior knowledge ({@code h2c}) to this pool's host. */
    private static boolean priorKnowledge(MountSettings settings, HostKey key) {
        return protocols(settings, key).h2c() && (key.proxy() == null || !key.proxy().scheme().isHttp());
    }

    /** Whether the mount offers HTTP/2 through ALPN ({@code h2}) to this pool's host. */
    private static boolean offersH2(MountSettings settings, HostKey key) {
        return protocols(settings, key).offersH2() && key.isTls();
    }

    private PoolClosedException closedException() {
        return new PoolClosedException("Pool for " + key.hostPort() + " in mount '" + mount + "' is closed", mount,
                key.hostPort(), null);
    }

    /** For an interrupted waiter, whose interrupt status is still set. */
    private PoolInterruptedException interruptedException() {
        return new PoolInterruptedException("Interrupted while waiting for a connection to " + key.hostPort()
                + " from mount '" + mount + "'", mount, key.hostPort(), null);
    }

    /** The counts now, with the gauges, read in one critical section so that they add up. */
    public PoolSnapshot snapshot() {
        long now = System.nanoTime();
        lock.lock();
        try {
            boolean h2 = priorKnowledge || mux.negotiated();
            return counters.snapshot(key, maxsize, block, leased.size(), idle.size(), waiters.size(),
                    leased.oldestAgeNanos(now), now, h2 ? "h2" : "http/1.1",
                    h2 ? mux.activeStreams() : leased.size(), h2 ? mux.smallestLimit(idle.all()) : 1);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Follows a live change of the mount's {@code pool-maxsize} or {@code pool-block}: every later
     * acquire and return uses the new values. A smaller maxsize closes the idle connections past it
     * now and the leased ones past it when they come back (both counted as discarded: the pool is
     * full); a larger one, or turning blocking off, hands the room freed to the callers waiting.
     */
    public void resize(MountSettings newSettings) {
        int newMaxsize = newSettings.poolMaxsize();
        if (newMaxsize < 1) {
            throw new IllegalArgumentException("maxsize must be >= 1, was " + newMaxsize);
        }
        List<PooledConnection> surplus;
        List<Waiter> served = new ArrayList<>();
        lock.lock();
        try {
            settings = newSettings;
            maxsize = newMaxsize;
            block = Boolean.TRUE.equals(newSettings.poolBlock());
            idle.capacity(newMaxsize);
            slots.resize(newMaxsize, block);
            mux.cap(streamCap(newSettings));
            for (PooledConnection c : mux.busy()) {
                serveStreams(c, System.nanoTime(), served); // a larger cap makes room on busy connections
            }
            int excess = Math.max(idle.size(), block ? slots.held() : 0) - newMaxsize;
            surplus = new ArrayList<>();
            for (int i = Math.min(excess, idle.size()); i > 0; i--) {
                surplus.add(idle.popOldest()); // the least recently used go first
            }
            counters.countDiscarded(surplus.size());
            slots.closing(surplus.size());
            slots.offerToWaiters();
        }
        finally {
            lock.unlock();
        }
        served.forEach(Waiter::unpark);
        slots.closeAndFree(surplus);
    }

    /**
     * Waits, after {@link #shutdown()}, until no connection of this pool is leased or until
     * {@code deadlineNanos} (a {@link System#nanoTime()} value) has passed.
     *
     * @return true when nothing is leased any more
     * @throws InterruptedException when the thread was interrupted while waiting
     */
    public boolean awaitNoLeases(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (leased.size() > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                noLeases.awaitNanos(left);
            }
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Closes every connection still leased, after {@link #shutdown()} and its grace: counted as closed
     * for shutdown; the exchange using it fails and its lease then ends without counting again.
     *
     * @return how many were closed
     */
    public int closeLeased() {
        List<PooledConnection> toClose;
        lock.lock();
        try {
            toClose = leased.drain();
            counters.countClosed(CloseReason.SHUTDOWN, toClose.size());
            slots.closing(toClose.size());
            signalIfNoLeases();
        }
        finally {
            lock.unlock();
        }
        slots.closeAndFree(toClose);
        return toClose.size();
    }

    /** Wakes {@link #awaitNoLeases} when a shut-down pool has no lease left. Lock held. */
    private void signalIfNoLeases() {
        if (shutdown && leased.size() == 0) {
            noLeases.signalAll();
        }
    }

    public String mount() {
        return mount;
    }

    public HostKey key() {
        return key;
    }

    MountSettings settings() {
        return settings;
    }

    /** The read-only view of this pool that listeners are given. */
    public HostPoolView view() {
        return view;
    }

    /** Where this pool's connect, lease and retry events go. */
    AcquireEvents events() {
        return events;
    }

    @Override
    public String toString() {
        return "HostPool[" + mount + " " + key + "]";
    }
}
