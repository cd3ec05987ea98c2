package io.poolclient.internal.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The idle connections of a {@link HostPool}, most recently returned on top, at most
 * {@code capacity} of them. The pool takes from the top (last in, first out: the connection most
 * likely still alive) and, to make room, from the bottom.
 *
 * <p><b>Concurrency contract.</b> Guarded by the owning pool's lock: every method is called with it
 * held.
 */
final class IdleStack {

    private final ArrayDeque<PooledConnection> stack = new ArrayDeque<>();
    private int capacity;

    IdleStack(int capacity) {
        this.capacity = capacity;
    }

    /** Puts a connection on top; false (and nothing changed) when the stack is full. */
    boolean push(PooledConnection c) {
        if (stack.size() < capacity) {
            stack.addFirst(c);
            return true;
        }
        return false;
    }

    /** The most recently returned connection, or {@code null}. */
    PooledConnection popNewest() {
        return stack.pollFirst();
    }

    /** The least recently returned connection, or {@code null}. */
    PooledConnection popOldest() {
        return stack.pollLast();
    }

    /** Changes how many connections the stack keeps; the caller takes out any surplus. */
    void capacity(int capacity) {
        this.capacity = capacity;
    }

    int size() {
        return stack.size();
    }

    boolean isEmpty() {
        return stack.isEmpty();
    }

    /** The connections, newest first, to look at (not to change) under the lock. */
    Iterable<PooledConnection> all() {
        return stack;
    }

    /** Takes {@code c} out; false when it was not here. */
    boolean remove(PooledConnection c) {
        return stack.remove(c);
    }

    /** Takes every connection out, newest first. */
    List<PooledConnection> drain() {
        List<PooledConnection> all = new ArrayList<>(stack);
        stack.clear();
        return all;
    }

    /** Takes out, and returns, every connection that {@code close} is true for. */
    List<PooledConnection> removeIf(Predicate<PooledConnection> close) {
        List<PooledConnection> removed = new ArrayList<>();
        for (Iterator<PooledConnection> it = stack.iterator(); it.hasNext();) {
            PooledConnection c = it.next();
            if (close.test(c)) {
                it.remove();
                removed.add(c);
            }
        }
        return removed;
    }
}
