package io.poolclient.internal.pool;

import io.poolclient.HostPoolView;
import io.poolclient.PoolListener;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool listeners of one client, and the one door its pool events go through: a
 * {@link PoolListener} that hands every event to each registered listener, in registration order.
 * A listener that throws is logged and skipped, so that the others still hear the event.
 *
 * <p><b>Concurrency contract.</b> Any thread may {@link #add} or remove a listener at any time, also
 * while pools are being created, evicted or dropped, and from inside a listener's callback.
 * <ul>
 * <li><b>Pools appearing and going</b> ({@code poolAdded}, {@code poolRemoved}). Each
 * {@link PoolManager} records them under its own lock, in the order it changed its map
 * ({@link #recordAdded}, {@link #recordRemoved}), and calls {@link #deliver()} once it has released
 * that lock. Delivery runs under one client-wide lock, outside every pool and manager lock, in the
 * recorded order; {@link #add} and removal take the same lock, and a new listener is first told
 * {@code poolAdded} for every pool already delivered as live. So each listener hears these events
 * one at a time, never concurrently, and for each pool {@code poolAdded} once, then at most one
 * {@code poolRemoved}; never a {@code poolRemoved} without its {@code poolAdded}, no pool twice,
 * none missed: once the engine is quiet, the pools a listener was told of and not told gone are
 * exactly the live ones. Once a removal returns, the listener hears no more of these events (unless
 * it was removed by a callback of the very event being delivered: that one still reaches it).</li>
 * <li><b>The hot path</b> ({@code connectionAcquired}, {@code acquireTimedOut}, {@code connectFinished},
 * {@code leaseEnded}, {@code retryDecided}): one volatile read of
 * an immutable array and a loop over it; no lock, no allocation. These come on the caller's thread.
 * A caller that finds a pool another thread has just created and not yet delivered delivers it first
 * or waits for that delivery ({@link #catchUp()}), so these never reach a listener before the pool's
 * {@code poolAdded}; they may reach it after the {@code poolRemoved} of a pool a caller looked up just
 * before it was evicted; a listener removed a moment ago may still hear a few from calls already
 * under way.</li>
 * </ul>
 * A listener is registered at most once (compared by identity): adding one that is already there
 * changes nothing, and the registration returned then removes nothing.
 */
public final class PoolListeners implements PoolListener {

    private static final Logger log = LoggerFactory.getLogger(PoolListeners.class);

    private static final PoolListener[] NONE = new PoolListener[0];

    /** Never modified: replaced as a whole under {@link #lock}. */
    private volatile PoolListener[] listeners = NONE;
    /** Serialises delivery of pools appearing and going, and changes to {@link #listeners}. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Recorded by the pool managers under their own locks, delivered in this order under {@link #lock}. */
    private final ConcurrentLinkedQueue<Event> recorded = new ConcurrentLinkedQueue<>();
    /** The pools delivered as added and not yet as removed, in that order. Guarded by {@link #lock}. */
    private final Set<HostPoolView> live = new LinkedHashSet<>();

    /** Pools appearing ({@code added}) and going. */
    private record Event(HostPoolView pool, boolean added, boolean evicted) {
    }

    /** Listeners with none registered. */
    public PoolListeners() {
    }

    /** Listeners with {@code first} registered for good, unless it is {@code null} or {@link PoolListener#NONE}. */
    public static PoolListeners of(PoolListener first) {
        PoolListeners all = new PoolListeners();
        if (first != null && first != PoolListener.NONE) {
            all.add(first);
        }
        return all;
    }

    /**
     * Registers {@code listener}: it is told {@code poolAdded} for every live pool before this
     * returns, then hears every later event until the registration is closed.
     *
     * @return closing it removes the listener (idempotent); it removes nothing when the listener was
     *         already registered
     */
    public PoolListener.Registration add(PoolListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        lock.lock();
        try {
            if (indexOf(listeners, listener) >= 0) {
                return () -> {
                };
            }
            for (HostPoolView pool : live) {
                tell(listener, pool, "poolAdded", true, false);
            }
            PoolListener[] now = Arrays.copyOf(listeners, listeners.length + 1);
            now[now.length - 1] = listener;
            listeners = now;
            if (lock.getHoldCount() == 1) {
                deliverLocked(); // what a callback above recorded
            }
        }
        finally {
            lock.unlock();
        }
        return new Handle(listener);
    }

    private void remove(PoolListener listener) {
        lock.lock();
        try {
            PoolListener[] before = listeners;
            int at = indexOf(before, listener);
            if (at < 0) {
                return;
            }
            PoolListener[] now = new PoolListener[before.length - 1];
            System.arraycopy(before, 0, now, 0, at);
            System.arraycopy(before, at + 1, now, at, before.length - at - 1);
            listeners = now;
        }
        finally {
            lock.unlock();
        }
    }

    private static int indexOf(PoolListener[] all, PoolListener listener) {
        for (int i = 0; i < all.length; i++) {
            if (all[i] == listener) {
                return i;
            }
        }
        return -1;
    }

    /** A pool joined a mount; called under the manager's lock, to be followed by {@link #deliver()}. */
    void recordAdded(HostPoolView pool) {
        recorded.add(new Event(pool, true, false));
    }

    /** A pool left a mount; called under the manager's lock, to be followed by {@link #deliver()}. */
    void recordRemoved(HostPoolView pool, boolean evicted) {
        recorded.add(new Event(pool, false, evicted));
    }

    /**
     * Delivers every recorded event, in order; called with no pool or manager lock held. On a thread
     * already delivering or adding a listener (a callback that created or dropped pools) it returns at
     * once: the loop it is in delivers what was recorded.
     */
    void deliver() {
        if (lock.isHeldByCurrentThread()) {
            return;
        }
        lock.lock();
        try {
            deliverLocked();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Makes sure every pool recorded so far has been delivered before the caller goes on: delivers
     * what is recorded, or waits for a delivery under way on another thread. One volatile read or two
     * when nothing is pending (the hot path of a pool lookup).
     */
    void catchUp() {
        if (!recorded.isEmpty() || lock.isLocked()) {
            deliver();
        }
    }

    /** The delivery loop; {@link #lock} held once by this thread. */
    private void deliverLocked() {
        for (Event e; (e = recorded.poll()) != null;) {
            if (e.added) {
                live.add(e.pool);
            }
            else {
                live.remove(e.pool);
            }
            for (PoolListener l : listeners) {
                tell(l, e.pool, e.added ? "poolAdded" : "poolRemoved", e.added, e.evicted);
            }
        }
    }

    private static void tell(PoolListener l, HostPoolView pool, String event, boolean added, boolean evicted) {
        try {
            if (added) {
                l.poolAdded(pool);
            }
            else {
                l.poolRemoved(pool, evicted);
            }
        }
        catch (RuntimeException ex) {
            log.warn("Pool listener {} failed on {}({})", l, event, pool, ex);
        }
    }

    /** Records and delivers at once (for a pool no {@link PoolManager} of this client manages). */
    @Override
    public void poolAdded(HostPoolView pool) {
        recordAdded(pool);
        deliver();
    }

    /** Records and delivers at once (for a pool no {@link PoolManager} of this client manages). */
    @Override
    public void poolRemoved(HostPoolView pool, boolean evicted) {
        recordRemoved(pool, evicted);
        deliver();
    }

    @Override
    public void connectionAcquired(HostPoolView pool, long waitNanos) {
        for (PoolListener l : listeners) {
            try {
                l.connectionAcquired(pool, waitNanos);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on connectionAcquired({})", l, pool, ex);
            }
        }
    }

    @Override
    public void acquireTimedOut(HostPoolView pool, long waitedNanos) {
        for (PoolListener l : listeners) {
            try {
                l.acquireTimedOut(pool, waitedNanos);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on acquireTimedOut({})", l, pool, ex);
            }
        }
    }

    @Override
    public void connectFinished(HostPoolView pool, long nanos, boolean succeeded) {
        for (PoolListener l : listeners) {
            try {
                l.connectFinished(pool, nanos, succeeded);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on connectFinished({})", l, pool, ex);
            }
        }
    }

    @Override
    public void leaseEnded(HostPoolView pool, long heldNanos) {
        for (PoolListener l : listeners) {
            try {
                l.leaseEnded(pool, heldNanos);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on leaseEnded({})", l, pool, ex);
            }
        }
    }

    @Override
    public void retryDecided(HostPoolView pool, String kind, boolean made) {
        for (PoolListener l : listeners) {
            try {
                l.retryDecided(pool, kind, made);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on retryDecided({})", l, pool, ex);
            }
        }
    }

    @Override
    public String toString() {
        return "PoolListeners" + Arrays.toString(listeners);
    }

    /** Removes its listener once. */
    private final class Handle implements PoolListener.Registration {

        private final PoolListener listener;
        /** Guarded by {@link #lock}. */
        private boolean closed;

        Handle(PoolListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    remove(listener);
                }
            }
            finally {
                lock.unlock();
            }
        }
    }
}
