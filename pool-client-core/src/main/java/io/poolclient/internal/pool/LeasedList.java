package io.poolclient.internal.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * The connections a {@link HostPool} has handed out and not yet taken back: an intrusive doubly
 * linked list through {@link PooledConnection}'s {@code prev}/{@code next} fields, so that adding and
 * removing allocate nothing and a connection knows whether it is leased.
 *
 * <p><b>Concurrency contract.</b> Guarded by the owning pool's lock: every method is called with it
 * held, and so are the link fields of the connections it holds read and written.
 */
final class LeasedList {

    private PooledConnection head;
    private int size;

    /** Adds a connection that is not leased now. */
    void add(PooledConnection c) {
        c.leased = true;
        c.prev = null;
        c.next = head;
        if (head != null) {
            head.prev = c;
        }
        head = c;
        size++;
    }

    /** Removes a connection; false when it was not in the list (taken back already), which changes nothing. */
    boolean remove(PooledConnection c) {
        if (!c.leased) {
            return false;
        }
        if (c.prev != null) {
            c.prev.next = c.next;
        }
        else {
            head = c.next;
        }
        if (c.next != null) {
            c.next.prev = c.prev;
        }
        c.prev = null;
        c.next = null;
        c.leased = false;
        size--;
        return true;
    }

    int size() {
        return size;
    }

    /** Removes and returns every connection. */
    List<PooledConnection> drain() {
        List<PooledConnection> all = new ArrayList<>(size);
        while (head != null) {
            PooledConnection c = head;
            remove(c);
            all.add(c);
        }
        return all;
    }

    /** How long the oldest current lease has been held at {@code now}; 0 when there is none. */
    long oldestAgeNanos(long now) {
        long oldest = 0;
        for (PooledConnection c = head; c != null; c = c.next) {
            oldest = Math.max(oldest, now - c.leasedAtNanos());
        }
        return oldest;
    }

    /** The connections leased for {@code thresholdNanos} or longer at {@code now}. */
    List<PooledConnection> olderThan(long thresholdNanos, long now) {
        List<PooledConnection> old = new ArrayList<>();
        for (PooledConnection c = head; c != null; c = c.next) {
            if (now - c.leasedAtNanos() >= thresholdNanos) {
                old.add(c);
            }
        }
        return old;
    }
}
