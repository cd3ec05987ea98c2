package io.poolclient.internal.pool;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * The callers waiting in a blocking {@link HostPool}, first come first served, and the direct
 * hand-off to them: whoever frees something gives it to the first waiter under the pool's lock (a
 * returned connection, or a slot to open a new one in), so that no newcomer can barge ahead and a
 * woken waiter returns without a second trip through the lock, queueing behind the very callers it
 * serves.
 *
 * <p><b>Concurrency contract.</b> The queue and each {@link Waiter}'s outcome are guarded by the
 * owning pool's lock: every method is called with it held, except {@link #await}, which the waiting
 * thread calls without it. A waiter's outcome is written before its {@code done} flag (volatile), so
 * a waiter that sees {@code done} sees what it was handed. A connection is handed over without
 * waking the waiter: the caller unparks it with {@link Waiter#unpark()} after unlocking, so that the
 * woken thread does not run into a lock still held. Slots and shutdown wake at once (rare paths).
 */
final class WaiterQueue {

    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** Waiters in the queue that wait for an HTTP/2 connection being opened (see {@link #enqueueForOpening()}). */
    private int forOpening;

    /** One caller waiting in the queue; made by {@link #enqueue()} on the caller's own thread. */
    static final class Waiter {
        private final Thread thread = Thread.currentThread();
        private PooledConnection connection;
        private boolean slot;
        private boolean closed;
        private boolean retry;
        private boolean opening;
        private volatile boolean done;

        /** True once the waiter was handed a connection or a slot, or the pool shut down. */
        boolean isDone() {
            return done;
        }

        /** The connection handed over, already leased to this waiter; {@code null} if none. */
        PooledConnection connection() {
            return connection;
        }

        /** True when this waiter was given a slot: it is counted as connecting and must open a connection or free the slot. */
        boolean hasSlot() {
            return slot;
        }

        /** True when the pool shut down while this caller waited. */
        boolean isClosed() {
            return closed;
        }

        /** True when the waiter was sent back to try again (the connection it waited for did not serve it). */
        boolean isRetry() {
            return retry;
        }

        /** True when the waiter queued for an HTTP/2 connection being opened rather than for a slot. */
        boolean isForOpening() {
            return opening;
        }

        /** Wakes the waiting thread; any thread, lock held or not. */
        void unpark() {
            LockSupport.unpark(thread);
        }
    }

    /** Queues the calling thread at the tail. */
    Waiter enqueue() {
        Waiter w = new Waiter();
        queue.addLast(w);
        return w;
    }

    /**
     * Queues the calling thread at the tail to wait for a stream of an HTTP/2 connection being opened;
     * counted by {@link #forOpening()} until it leaves the queue.
     */
    Waiter enqueueForOpening() {
        Waiter w = enqueue();
        w.opening = true;
        forOpening++;
        return w;
    }

    /** How many queued waiters wait for an HTTP/2 connection being opened. */
    int forOpening() {
        return forOpening;
    }

    /**
     * Sends every waiter for an opening connection back to try again (no such connection is left
     * being opened); the caller must unpark those returned after unlocking.
     */
    java.util.List<Waiter> retryForOpening() {
        java.util.List<Waiter> sent = new java.util.ArrayList<>();
        if (forOpening == 0) {
            return sent;
        }
        for (java.util.Iterator<Waiter> it = queue.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if (w.opening) {
                it.remove();
                left(w);
                w.retry = true;
                w.done = true;
                sent.add(w);
            }
        }
        return sent;
    }

    private void left(Waiter w) {
        if (w.opening) {
            forOpening--;
        }
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /**
     * Hands {@code c} to the first waiter and returns that waiter, which the caller must
     * {@link Waiter#unpark() unpark} after unlocking; {@code null} (and nothing changed) when nobody waits.
     */
    Waiter handOver(PooledConnection c) {
        Waiter w = queue.pollFirst();
        if (w != null) {
            left(w);
            w.connection = c;
            w.done = true;
        }
        return w;
    }

    /** Gives the first waiter a slot and wakes it; false when nobody waits. */
    boolean grantSlot() {
        Waiter w = queue.pollFirst();
        if (w == null) {
            return false;
        }
        left(w);
        w.slot = true;
        w.done = true;
        w.unpark();
        return true;
    }

    /** Fails every waiter: the pool shut down. */
    void closeAll() {
        for (Waiter w; (w = queue.pollFirst()) != null;) {
            left(w);
            w.closed = true;
            w.done = true;
            w.unpark();
        }
    }

    /**
     * Takes a waiter that gives up out of the queue. True when it was still waiting; false when it
     * was handed something at that very moment (then it is {@link Waiter#isDone() done}, and must
     * use or pass on what it got).
     */
    boolean withdraw(Waiter w) {
        if (queue.remove(w)) {
            left(w);
            return true;
        }
        return false;
    }

    /**
     * Parks the calling thread, without the lock, until {@code w} is done, {@code deadline} (a
     * {@link System#nanoTime()} value) has passed or the thread is interrupted. The interrupt status
     * is left as it is: the caller sees it, and so does whoever catches what the caller throws.
     *
     * @return {@link Waiter#isDone()} on return
     */
    boolean await(Waiter w, long deadline) {
        Thread self = Thread.currentThread();
        while (!w.done) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || self.isInterrupted()) {
                return w.done;
            }
            LockSupport.parkNanos(this, left);
        }
        return true;
    }
}
