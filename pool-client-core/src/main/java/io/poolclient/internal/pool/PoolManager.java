package io.poolclient.internal.pool;

import io.poolclient.MountSettings;
import io.poolclient.PoolListener;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host pools of one mount, least recently used first: urllib3's {@code PoolManager}.
 *
 * <p><b>Concurrency contract.</b> Any thread may call any method. Finding an existing pool takes no
 * lock: a concurrent map lookup and a use stamp written on the pool. Creating a pool (cheap, no I/O)
 * and evicting one happen under one lock, so the mount never holds more than
 * {@code poolConnections} pools; pools are retired outside it. Past {@code poolConnections} the
 * pool with the oldest use stamp is evicted: counted, removed from the map and retired (its idle
 * connections closed now, its leased ones when returned). A caller that looked up a pool just before
 * it was evicted may still use it; its connections then close on return. Pools appearing and going
 * are recorded with the client's {@link PoolListeners} under the lock, in the order the map changed,
 * and delivered to the listeners once it is released. {@link #resize} lowers or raises
 * {@code poolConnections} under the same lock (evicting the surplus as above) and then has each pool
 * follow the new settings.
 */
public final class PoolManager {

    private static final Logger log = LoggerFactory.getLogger(PoolManager.class);

    private final String mount;
    /** Changed by {@link #resize}; read without the lock by {@link #poolConnections()} only. */
    private volatile int poolConnections;
    private final Function<HostKey, HostPool> factory;
    private final PoolListeners listeners;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentHashMap<HostKey, HostPool> pools = new ConcurrentHashMap<>();
    private volatile long evicted;
    private boolean closed;

    /**
     * @param mount the mount's name
     * @param poolConnections how many host pools to keep, at least 1
     * @param factory creates the pool for a key (no I/O)
     * @param listener told of pools added and removed
     */
    public PoolManager(String mount, int poolConnections, Function<HostKey, HostPool> factory, PoolListener listener) {
        this(mount, poolConnections, factory, PoolListeners.of(listener));
    }

    /**
     * @param mount the mount's name
     * @param poolConnections how many host pools to keep, at least 1
     * @param factory creates the pool for a key (no I/O)
     * @param listeners the client's listeners, told of pools added and removed
     */
    public PoolManager(String mount, int poolConnections, Function<HostKey, HostPool> factory, PoolListeners listeners) {
        if (poolConnections < 1) {
            throw new IllegalArgumentException("poolConnections must be >= 1, was " + poolConnections);
        }
        this.mount = mount;
        this.poolConnections = poolConnections;
        this.factory = factory;
        this.listeners = listeners;
    }

    /**
     * The pool for {@code key}, created (and the LRU one evicted) when missing; marks it most recently
     * used. Its {@code poolAdded} has reached the listeners when this returns, also when another thread
     * created it a moment ago, so the events of its use come after it (not so on a thread inside a
     * listener's callback, which cannot wait for the delivery it is part of).
     */
    public HostPool pool(HostKey key) {
        HostPool pool = findOrCreate(key);
        listeners.catchUp();
        return pool;
    }

    private HostPool findOrCreate(HostKey key) {
        HostPool existing = pools.get(key);
        if (existing != null) {
            existing.touch(System.nanoTime());
            return existing;
        }
        HostPool created;
        HostPool eldest = null;
        lock.lock();
        try {
            existing = pools.get(key);
            if (existing != null) {
                existing.touch(System.nanoTime());
                return existing;
            }
            created = factory.apply(key);
            created.touch(System.nanoTime());
            if (closed) {
                created.shutdown();
                return created;
            }
            if (pools.size() >= poolConnections) {
                eldest = leastRecentlyUsed();
                pools.remove(eldest.key());
                evicted++;
            }
            pools.put(key, created);
            listeners.recordAdded(created.view());
            if (eldest != null) {
                listeners.recordRemoved(eldest.view(), true);
            }
        }
        finally {
            lock.unlock();
        }
        listeners.deliver();
        if (eldest != null) {
            log.debug("Mount '{}' keeps {} host pools: evicting {}", mount, poolConnections, eldest.key());
            eldest.retire();
        }
        return created;
    }

    /** The pool with the oldest use stamp; the map is not empty. A scan: it runs only when a pool is created. */
    private HostPool leastRecentlyUsed() {
        HostPool eldest = null;
        for (HostPool p : pools.values()) {
            if (eldest == null || p.lastUsedNanos() - eldest.lastUsedNanos() < 0) {
                eldest = p;
            }
        }
        return eldest;
    }

    /**
     * Drops every pool of this mount (the endpoint's DELETE): idle connections close now, leased
     * ones when returned. Not counted as eviction.
     */
    public void dropAll() {
        dropIf(key -> true);
    }

    /**
     * Drops the pools whose key matches, as {@link #dropAll()} drops every pool.
     *
     * @return how many pools were dropped
     */
    public int dropIf(Predicate<HostKey> which) {
        List<HostPool> dropped = remove(which, false);
        dropped.forEach(HostPool::retire);
        return dropped.size();
    }

    /** Shuts every pool down for good; later lookups get closed pools. */
    public void close() {
        remove(key -> true, true).forEach(HostPool::shutdown);
    }

    /**
     * Takes the matching pools out of the map (and, with {@code close}, marks the mount closed for
     * later lookups), tells the listeners, and returns the pools for the caller to retire or shut down.
     */
    private List<HostPool> remove(Predicate<HostKey> which, boolean close) {
        List<HostPool> dropped = new ArrayList<>();
        lock.lock();
        try {
            closed |= close;
            for (Iterator<HostPool> it = pools.values().iterator(); it.hasNext();) {
                HostPool p = it.next();
                if (which.test(p.key())) {
                    it.remove();
                    dropped.add(p);
                    listeners.recordRemoved(p.view(), false);
                }
            }
        }
        finally {
            lock.unlock();
        }
        listeners.deliver();
        return dropped;
    }

    /** The pools now, least recently used first. */
    public List<HostPool> pools() {
        List<HostPool> list = new ArrayList<>(pools.values());
        list.sort((a, b) -> Long.compare(a.lastUsedNanos() - b.lastUsedNanos(), 0));
        return list;
    }

    /**
     * The pool for {@code key} if one exists now; creates nothing and does not mark it used.
     */
    public HostPool find(HostKey key) {
        return pools.get(key);
    }

    /**
     * Follows a live change of the mount's settings: keeps at most {@code poolConnections} pools from
     * now on, evicting the least recently used past that (counted as evictions), and has every
     * remaining pool {@link HostPool#resize follow} {@code settings}. Pools created later are made by
     * the factory, which must already use the new settings.
     */
    public void resize(int poolConnections, MountSettings settings) {
        if (poolConnections < 1) {
            throw new IllegalArgumentException("poolConnections must be >= 1, was " + poolConnections);
        }
        List<HostPool> surplus = new ArrayList<>();
        List<HostPool> kept;
        lock.lock();
        try {
            this.poolConnections = poolConnections;
            while (pools.size() > poolConnections) {
                HostPool eldest = leastRecentlyUsed();
                pools.remove(eldest.key());
                evicted++;
                listeners.recordRemoved(eldest.view(), true);
                surplus.add(eldest);
            }
            kept = new ArrayList<>(pools.values());
        }
        finally {
            lock.unlock();
        }
        listeners.deliver();
        for (HostPool p : surplus) {
            log.debug("Mount '{}' keeps {} host pools now: evicting {}", mount, poolConnections, p.key());
            p.retire();
        }
        kept.forEach(p -> p.resize(settings));
    }

    /** As {@link #close()}, returning the pools it shut down. */
    public List<HostPool> shutdownAll() {
        List<HostPool> pools = remove(key -> true, true);
        pools.forEach(HostPool::shutdown);
        return pools;
    }

    /** Pools evicted by the LRU since start. */
    public long evicted() {
        return evicted;
    }

    public String mount() {
        return mount;
    }

    public int poolConnections() {
        return poolConnections;
    }

    /**
     * Tells the listeners that a failed try of a request to {@code key} is retried ({@code made}) or
     * not, the retry budget being exhausted; nothing when that host has no pool in this mount now
     * (evicted meanwhile). Any thread, no lock.
     */
    public void retryDecided(HostKey key, String kind, boolean made) {
        HostPool pool = pools.get(key);
        if (pool != null) {
            pool.events().retryDecided(kind, made);
        }
    }

    @Override
    public String toString() {
        return "PoolManager[" + mount + ", " + Map.of("pools", pools().size(), "evicted", evicted()) + "]";
    }
}
