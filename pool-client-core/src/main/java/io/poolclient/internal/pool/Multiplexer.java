package io.poolclient.internal.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The HTTP/2 bookkeeping of one {@link HostPool}: which of its leased connections carry streams and
 * have room for one more, the stream limit to expect of a connection being opened, and how many
 * callers such openings are expected to serve, so that concurrent first requests wait for one
 * connection instead of each opening its own.
 *
 * <p>A multiplexed connection with at least one stream is in the pool's leased list; with none, in
 * its idle stack. {@link PooledConnection#streams} counts the leases (streams) on it.
 *
 * <p><b>Concurrency contract.</b> Guarded by the owning pool's lock: every method is called with it
 * held. The transports' own queries it makes take their locks briefly (pool lock first, never the
 * other way round).
 */
final class Multiplexer {

    /** Connections with at least one stream, in the order they became busy; entries that left the pool are dropped lazily. */
    private final List<PooledConnection> busy = new ArrayList<>();
    /** {@code max-concurrent-streams}: our cap on streams per connection. */
    private int cap;
    /** The stream limit the last connection opened had: what a connection being opened is expected to take. */
    private int expectedLimit;
    /** Connections being opened that are expected to speak HTTP/2. */
    private int opening;
    /** True once a connection of this pool negotiated HTTP/2. */
    private boolean negotiated;
    /** True once a connection expected to speak HTTP/2 turned out to speak HTTP/1.1 (ALPN chose it). */
    private boolean declined;

    Multiplexer(int cap) {
        this.cap = cap;
        this.expectedLimit = cap;
    }

    /** Follows a live change of {@code max-concurrent-streams}. */
    void cap(int cap) {
        this.cap = cap;
        this.expectedLimit = Math.min(expectedLimit, cap);
        if (!negotiated) {
            expectedLimit = cap;
        }
    }

    int cap() {
        return cap;
    }

    /** The streams {@code c} may carry now. */
    int limit(PooledConnection c) {
        return Math.min(cap, ((Multiplexed) c.transport()).streamLimit());
    }

    /** Whether {@code c} takes one more stream now (it must be in the pool). */
    boolean hasRoom(PooledConnection c) {
        return ((Multiplexed) c.transport()).acceptsStreams() && c.streams < limit(c);
    }

    /**
     * A busy connection that takes one more stream and is not expired at {@code now} (past its
     * lifetime: it takes no new streams), or {@code null}.
     */
    PooledConnection withRoom(ConnectionExpiry expiry, long now) {
        for (Iterator<PooledConnection> it = busy.iterator(); it.hasNext();) {
            PooledConnection c = it.next();
            if (!c.leased || c.streams == 0) {
                it.remove(); // left the pool, or went idle
                continue;
            }
            if (hasRoom(c) && expiry.expired(c, now) == null) {
                return c;
            }
        }
        return null;
    }

    /** One more stream leased on {@code c}. */
    void addStream(PooledConnection c) {
        if (c.streams++ == 0) {
            busy.add(c);
        }
    }

    /** One stream of {@code c} ended; true when it was the last. */
    boolean removeStream(PooledConnection c) {
        if (c.streams > 0) {
            c.streams--;
        }
        if (c.streams == 0) {
            busy.remove(c);
            return true;
        }
        return false;
    }

    /** Streams leased now on connections still in the pool. */
    int activeStreams() {
        int n = 0;
        for (PooledConnection c : busy) {
            if (c.leased) {
                n += c.streams;
            }
        }
        return n;
    }

    /** The smallest current stream limit among the busy connections and {@code idle}; the cap when there are none. */
    int smallestLimit(Iterable<PooledConnection> idle) {
        int min = Integer.MAX_VALUE;
        for (PooledConnection c : busy) {
            if (c.leased) {
                min = Math.min(min, limit(c));
            }
        }
        for (PooledConnection c : idle) {
            if (c.isMultiplexed()) {
                min = Math.min(min, limit(c));
            }
        }
        return min == Integer.MAX_VALUE ? cap : min;
    }

    /** Whether a new connection of a pool that offers HTTP/2 is expected to speak it. */
    boolean expectsH2(boolean priorKnowledge) {
        return priorKnowledge || negotiated || !declined;
    }

    /** A connection expected to speak HTTP/2 is being opened. */
    void openingStarted() {
        opening++;
    }

    /**
     * The opening of a connection expected to speak HTTP/2 ended: {@code c} is what was opened
     * ({@code null} when it failed).
     */
    void openingEnded(PooledConnection c) {
        opening--;
        if (c == null) {
            return;
        }
        if (c.isMultiplexed()) {
            negotiated = true;
            expectedLimit = Math.max(1, limit(c));
        }
        else {
            declined = true;
        }
    }

    /** Whether the connections being opened are expected to serve one more caller besides those waiting for them. */
    boolean coversNewcomer(int waiting) {
        return opening > 0 && waiting < opening * (expectedLimit - 1);
    }

    /** Connections being opened that are expected to speak HTTP/2. */
    int opening() {
        return opening;
    }

    /** Whether any connection of this pool negotiated HTTP/2. */
    boolean negotiated() {
        return negotiated;
    }

    /** The busy connections still in the pool. */
    List<PooledConnection> busy() {
        List<PooledConnection> list = new ArrayList<>(busy.size());
        for (PooledConnection c : busy) {
            if (c.leased && c.streams > 0) {
                list.add(c);
            }
        }
        return list;
    }

    /** A connection with streams left the pool (closed): no longer offered. */
    void dropped(PooledConnection c) {
        busy.remove(c);
    }
}
