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

    /** One caller waiting in the queue; made by {@link #enqueue()} on the caller's own thread. */
    static final class Waiter {
        private final Thread thread = Thread.currentThread();
        private PooledConnection connection;
        private boolean slot;
        private boolean closed;
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
        w.slot = true;
        w.done = true;
        w.unpark();
        return true;
    }

    /** Fails every waiter: the pool shut down. */
    void closeAll() {
        for (Waiter w; (w = queue.pollFirst()) != null;) {
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
        return queue.remove(w);
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
