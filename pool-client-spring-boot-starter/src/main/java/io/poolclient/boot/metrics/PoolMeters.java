package io.poolclient.boot.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.poolclient.HostPoolView;
import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import io.poolclient.PoolListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The Micrometer meters of the host pools, kept in step with the engine's host pools: meters appear
 * when a pool appears ({@link #poolAdded}) and are removed when it is evicted or dropped
 * ({@link #poolRemoved}), including pools created long after the registry was bound.
 *
 * <p>Meters per host pool, tagged {@code mount}, {@code host} ({@code host:port}) and
 * {@code scheme}: gauges {@code http.client.pool.connections} ({@code state=leased|idle}),
 * {@code http.client.pool.pending}, {@code http.client.pool.max}; function counters
 * {@code http.client.pool.connections.opened}, {@code http.client.pool.connections.discarded},
 * {@code http.client.pool.connections.reused}, {@code http.client.pool.connections.closed} (tag
 * {@code reason}, one series per reason in {@link #CLOSE_REASONS}) and {@code http.client.pool.timeouts}
 * (pool waits that timed out); timers {@code http.client.pool.acquire} (the wait for a connection),
 * {@code http.client.pool.connect} (opening a connection, tag {@code outcome=success|failure}) and
 * {@code http.client.pool.lease} (how long a connection is held per exchange); counter
 * {@code http.client.pool.retries} (tags {@code kind} and {@code outcome=retried|budget-exhausted}),
 * whose series appear with the first retry of their kind and outcome; gauge {@code http.client.pool.streams}
 * (exchanges in progress: open HTTP/2 streams, or leased connections of an HTTP/1.1 pool; base unit
 * {@code streams}). Connection gauges and counters have base unit {@code connections}. Per mount (tag {@code mount}): function counter
 * {@code http.client.pool.evictions}.
 *
 * <p><b>Attaching.</b> When first bound to a registry it adds itself to the engine as a listener
 * ({@link PoolClient#addListener}), so it follows any engine, also one built without it, and is told
 * of the pools that exist by then. An engine that already has it as a listener (the auto-configured
 * one, or one built with {@code PoolClient.Builder.listener(poolMeters)}) is left as it is: each
 * event is still heard once. (Wrapped inside another listener that forwards to it, it would hear
 * every event twice.)
 *
 * <p><b>Concurrency contract.</b> Pool events may arrive on any thread, before or after
 * {@link #bindTo}; pools heard of before binding get their meters at binding. Registration and
 * removal run under one lock (no I/O inside it). The hot path ({@link #connectionAcquired},
 * {@link #connectFinished}, {@link #leaseEnded}, {@link #retryDecided}) takes no lock: it reads the
 * pool's meters from a concurrent map; only the first retry of a kind and outcome in a pool takes the
 * lock, to register its counter. Meters are grouped by their tags, so two
 * live pools with the same tags (the same host under two TLS identities in one mount, or an evicted
 * pool still being notified while its successor appears) share one set of meters that reports their
 * sum and is removed when the last of them goes.
 */
public final class PoolMeters implements PoolListener, MeterBinder {

    /**
     * The values of the {@code reason} tag of {@code http.client.pool.connections.closed}: why
     * connections were closed (other than {@code discarded}). {@code evicted} counts the connections of
     * a pool evicted or dropped from its mount that were closed while its meters still existed.
     */
    public static final List<String> CLOSE_REASONS = List.of("idle-timeout", "max-lifetime", "stale", "not-reusable",
            "error", "evicted", "leaked", "shutdown", "replaced", "goaway");

    private static final String CONNECTIONS = "connections";

    private static final String STREAMS = "streams";

    private final Supplier<PoolClient> client;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final List<MeterRegistry> registries = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private final Map<Tags, Slot> slots = new HashMap<>();
    /** Pools whose removal was heard before their addition (a notification race). Guarded by {@link #lock}. */
    private final Set<HostPoolView> removedEarly = new HashSet<>();
    private final Map<HostPoolView, Slot> slotOfPool = new ConcurrentHashMap<>();

    /**
     * @param client the engine, asked for its mounts when binding (the evictions counters) and then
     *        listened to
     */
    public PoolMeters(Supplier<PoolClient> client) {
        this.client = client;
    }

    /** Registers the meters in {@code registry}, then listens to the engine (once). */
    @Override
    public void bindTo(MeterRegistry registry) {
        PoolClient engine = client.get();
        lock.lock();
        try {
            if (registries.contains(registry)) {
                return;
            }
            registries.add(registry);
            for (MountSnapshot mount : engine.snapshot().mounts()) {
                String name = mount.name();
                FunctionCounter.builder("http.client.pool.evictions", engine,
                                e -> e.snapshot(name).map(MountSnapshot::poolsEvicted).orElse(0L))
                        .tag("mount", name)
                        .description("Host pools evicted from the mount's LRU (pool-connections)")
                        .register(registry);
            }
            slots.values().forEach(slot -> slot.register(registry));
        }
        finally {
            lock.unlock();
        }
        // outside the lock: the engine tells of its pools (poolAdded) under its own listener lock
        engine.addListener(this);
    }

    @Override
    public void poolAdded(HostPoolView pool) {
        lock.lock();
        try {
            if (removedEarly.remove(pool) || slotOfPool.containsKey(pool)) {
                return;
            }
            Tags tags = tags(pool);
            Slot slot = slots.get(tags);
            if (slot == null) {
                slot = new Slot(tags);
                slots.put(tags, slot);
                for (MeterRegistry registry : registries) {
                    slot.register(registry);
                }
            }
            slot.pools.add(pool);
            slotOfPool.put(pool, slot);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void poolRemoved(HostPoolView pool, boolean evicted) {
        lock.lock();
        try {
            Slot slot = slotOfPool.remove(pool);
            if (slot == null) {
                removedEarly.add(pool);
                return;
            }
            slot.pools.remove(pool);
            if (slot.pools.isEmpty()) {
                slots.remove(slot.tags);
                slot.removeMeters();
            }
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void connectionAcquired(HostPoolView pool, long waitNanos) {
        Slot slot = slotOfPool.get(pool);
        if (slot != null) {
            for (Timer timer : slot.timers) {
                timer.record(waitNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void connectFinished(HostPoolView pool, long nanos, boolean succeeded) {
        Slot slot = slotOfPool.get(pool);
        if (slot != null) {
            for (Timer timer : succeeded ? slot.connectSucceeded : slot.connectFailed) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void leaseEnded(HostPoolView pool, long heldNanos) {
        Slot slot = slotOfPool.get(pool);
        if (slot != null) {
            for (Timer timer : slot.leases) {
                timer.record(heldNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void retryDecided(HostPoolView pool, String kind, boolean made) {
        Slot slot = slotOfPool.get(pool);
        if (slot == null) {
            return;
        }
        Tags retryTags = Tags.of("kind", kind, "outcome", made ? "retried" : "budget-exhausted");
        List<Counter> counters = slot.retries.get(retryTags);
        if (counters == null) {
            lock.lock();
            try {
                if (slots.get(slot.tags) != slot) {
                    return; // its pools went meanwhile: their meters are gone
                }
                counters = slot.retries.get(retryTags);
                if (counters == null) {
                    counters = new CopyOnWriteArrayList<>();
                    for (MeterRegistry registry : registries) {
                        slot.registerRetries(registry, retryTags, counters);
                    }
                    slot.retries.put(retryTags, counters); // published complete: lock-free readers count at once
                }
            }
            finally {
                lock.unlock();
            }
        }
        for (Counter counter : counters) {
            counter.increment();
        }
    }

    private static Tags tags(HostPoolView pool) {
        return Tags.of("mount", pool.mount(), "host", pool.hostPort(), "scheme", pool.scheme());
    }

    /** The meters of every live pool with one set of tags, in every bound registry. */
    private static final class Slot {

        final Tags tags;
        final List<HostPoolView> pools = new CopyOnWriteArrayList<>();
        final List<Timer> timers = new CopyOnWriteArrayList<>();
        final List<Timer> connectSucceeded = new CopyOnWriteArrayList<>();
        final List<Timer> connectFailed = new CopyOnWriteArrayList<>();
        final List<Timer> leases = new CopyOnWriteArrayList<>();
        /** The retry counters by their {@code kind} and {@code outcome} tags; added to under the owner's lock. */
        final Map<Tags, List<Counter>> retries = new ConcurrentHashMap<>();
        /** Every meter with the registry it lives in; touched under the owner's lock only. */
        private final List<Map.Entry<MeterRegistry, Meter>> meters = new ArrayList<>();

        Slot(Tags tags) {
            this.tags = tags;
        }

        void register(MeterRegistry registry) {
            gauge(registry, "http.client.pool.connections", Tags.of("state", "leased"), pool -> pool.snapshot().leased(),
                    "Connections leased now", CONNECTIONS);
            gauge(registry, "http.client.pool.connections", Tags.of("state", "idle"), pool -> pool.snapshot().idle(),
                    "Idle connections kept for reuse now", CONNECTIONS);
            gauge(registry, "http.client.pool.pending", Tags.empty(), pool -> pool.snapshot().pending(),
                    "Callers waiting for a connection now", null);
            // from the settings the pool was made with: no snapshot (and no pool lock) needed
            gauge(registry, "http.client.pool.max", Tags.empty(), Slot::maxsize, "pool-maxsize of the host pool",
                    CONNECTIONS);
            counter(registry, "http.client.pool.connections.opened", Tags.empty(), PoolSnapshot::opened,
                    "Connections established", CONNECTIONS);
            counter(registry, "http.client.pool.connections.discarded", Tags.empty(), PoolSnapshot::discarded,
                    "Connections closed on return because the pool was full", CONNECTIONS);
            counter(registry, "http.client.pool.connections.reused", Tags.empty(), PoolSnapshot::reused,
                    "Times an idle connection was handed out again", CONNECTIONS);
            for (String reason : CLOSE_REASONS) {
                String key = reason.equals("evicted") ? "pool-retired" : reason;
                counter(registry, "http.client.pool.connections.closed", Tags.of("reason", reason),
                        snapshot -> snapshot.closedReasons().getOrDefault(key, 0L), "Connections closed, by reason",
                        CONNECTIONS);
            }
            counter(registry, "http.client.pool.timeouts", Tags.empty(), PoolSnapshot::timeouts,
                    "Callers that gave up waiting for a connection (pool-timeout)", null);
            connectSucceeded.add(timer(registry, "http.client.pool.connect", Tags.of("outcome", "success"),
                    "Time to open a connection: DNS, TCP connect, proxy tunnel and TLS handshake"));
            connectFailed.add(timer(registry, "http.client.pool.connect", Tags.of("outcome", "failure"),
                    "Time to open a connection: DNS, TCP connect, proxy tunnel and TLS handshake"));
            leases.add(timer(registry, "http.client.pool.lease", Tags.empty(),
                    "Time a connection was held per exchange, from hand-out to return"));
            retries.forEach((retryTags, counters) -> registerRetries(registry, retryTags, counters));
            gauge(registry, "http.client.pool.streams", Tags.empty(), pool -> pool.snapshot().activeStreams(),
                    "Exchanges in progress now: open HTTP/2 streams, or leased HTTP/1.1 connections", STREAMS);
            Timer timer = Timer.builder("http.client.pool.acquire")
                    .tags(tags)
                    .description("Time waited for a connection from the pool")
                    .register(registry);
            meters.add(Map.entry(registry, timer));
            timers.add(timer);
        }

        private void gauge(MeterRegistry registry, String name, Tags extra, ToIntFunction<HostPoolView> value,
                String description, String baseUnit) {
            Gauge gauge = Gauge.builder(name, this, s -> s.sumInt(value))
                    .tags(tags.and(extra))
                    .description(description)
                    .baseUnit(baseUnit)
                    .strongReference(true)
                    .register(registry);
            meters.add(Map.entry(registry, gauge));
        }

        private void counter(MeterRegistry registry, String name, Tags extra, ToLongFunction<PoolSnapshot> value,
                String description, String baseUnit) {
            FunctionCounter counter = FunctionCounter.builder(name, this, s -> s.sumLong(value))
                    .tags(tags.and(extra))
                    .description(description)
                    .baseUnit(baseUnit)
                    .register(registry);
            meters.add(Map.entry(registry, counter));
        }

        private Timer timer(MeterRegistry registry, String name, Tags extra, String description) {
            Timer timer = Timer.builder(name).tags(tags.and(extra)).description(description).register(registry);
            meters.add(Map.entry(registry, timer));
            return timer;
        }

        /** Registers the retry counter with {@code retryTags} in {@code registry}, adding it to {@code counters}. */
        void registerRetries(MeterRegistry registry, Tags retryTags, List<Counter> counters) {
            Counter counter = Counter.builder("http.client.pool.retries")
                    .tags(tags.and(retryTags))
                    .description("Failed tries retried, or not retried because the retry budget was exhausted")
                    .register(registry);
            meters.add(Map.entry(registry, counter));
            counters.add(counter);
        }

        private double sumInt(ToIntFunction<HostPoolView> value) {
            long sum = 0;
            for (HostPoolView pool : pools) {
                sum += value.applyAsInt(pool);
            }
            return sum;
        }

        private static int maxsize(HostPoolView pool) {
            Integer maxsize = pool.settings().poolMaxsize();
            return maxsize != null ? maxsize : pool.snapshot().maxsize();
        }

        private double sumLong(ToLongFunction<PoolSnapshot> value) {
            long sum = 0;
            for (HostPoolView pool : pools) {
                sum += value.applyAsLong(pool.snapshot());
            }
            return sum;
        }

        void removeMeters() {
            timers.clear();
            connectSucceeded.clear();
            connectFailed.clear();
            leases.clear();
            retries.clear();
            for (Map.Entry<MeterRegistry, Meter> e : meters) {
                e.getKey().remove(e.getValue());
            }
            meters.clear();
        }
    }
}
