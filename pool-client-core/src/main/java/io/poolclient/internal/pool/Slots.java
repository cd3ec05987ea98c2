package io.poolclient.internal.pool;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code maxsize} slots of a {@link HostPool}. A connection holds a slot while it is idle,
 * leased, being opened or being closed: a closed connection's slot is freed only once its socket is
 * closed, so a blocking pool never has more than {@code maxsize} sockets open at once. In a
 * blocking pool a freed slot goes straight to the first waiter (who then opens a connection in it);
 * a non-blocking pool counts the same but always has room.
 *
 * <p><b>Concurrency contract.</b> Guarded by the owning pool's lock, as are the idle stack, leased
 * list and waiter queue it reads: every method is called with it held, except
 * {@link #closeAndFree(PooledConnection)} and {@link #closeAndFree(List)}, which close sockets
 * without it and then take it to free the slots.
 */
final class Slots {

    private final ReentrantLock lock;
    private int maxsize;
    private boolean block;
    private final IdleStack idle;
    private final LeasedList leased;
    private final WaiterQueue waiters;
    /** Slots taken by callers opening a new connection. */
    private int opening;
    /** Connections already counted as closed whose sockets are being closed outside the lock. */
    private int closing;

    Slots(ReentrantLock lock, int maxsize, boolean block, IdleStack idle, LeasedList leased, WaiterQueue waiters) {
        this.lock = lock;
        this.maxsize = maxsize;
        this.block = block;
        this.idle = idle;
        this.leased = leased;
        this.waiters = waiters;
    }

    /** Whether a caller may open one more connection now: always without {@code block}. */
    boolean available() {
        return !block || idle.size() + leased.size() + opening + closing < maxsize;
    }

    /** The caller takes a slot (a free one, or the one of a connection it closes) to open a connection in. */
    void reserve() {
        opening++;
    }

    /** The connection opened in a reserved slot is leased now: it holds the slot from here on. */
    void filled() {
        opening--;
    }

    /** A reserved slot is not used after all (the open failed, or the waiter gave up): it goes to the first waiter. */
    void abandon() {
        opening--;
        offerToWaiter();
    }

    /** {@code n} connections are taken out of the pool and are about to be closed outside the lock. */
    void closing(int n) {
        closing += n;
    }

    /** Closes a connection counted by {@link #closing}, then frees its slot. Lock not held. */
    void closeAndFree(PooledConnection c) {
        try {
            c.transport().close();
        }
        finally {
            closed(1);
        }
    }

    /** Closes connections counted by {@link #closing}, then frees their slots. Lock not held. */
    void closeAndFree(List<PooledConnection> connections) {
        if (!connections.isEmpty()) {
            try {
                connections.forEach(c -> c.transport().close());
            }
            finally {
                closed(connections.size());
            }
        }
    }

    /** {@code n} sockets counted by {@link #closing} are closed now: their slots go to waiters. */
    private void closed(int n) {
        lock.lock();
        try {
            closing -= n;
            for (int i = 0; i < n; i++) {
                offerToWaiter();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /** Follows a live change of {@code pool-maxsize} or {@code pool-block}; see {@link #offerToWaiters()}. */
    void resize(int maxsize, boolean block) {
        this.maxsize = maxsize;
        this.block = block;
    }

    /** The connections idle, leased or being opened: those still to count against {@code maxsize}. */
    int held() {
        return idle.size() + leased.size() + opening;
    }

    /**
     * Gives a slot to each waiter that fits now (after the pool grew), or to every waiter when the
     * pool no longer blocks.
     */
    void offerToWaiters() {
        while (!waiters.isEmpty() && (!block || available())) {
            opening++;
            waiters.grantSlot();
        }
    }

    private void offerToWaiter() {
        if (block && !waiters.isEmpty() && available()) {
            opening++;
            waiters.grantSlot();
        }
    }
}
