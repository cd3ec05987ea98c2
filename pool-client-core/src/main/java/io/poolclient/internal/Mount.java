package io.poolclient.internal;

import io.poolclient.MountSettings;
import io.poolclient.TlsConfig;
import io.poolclient.internal.pool.PoolManager;
import io.poolclient.internal.proxy.MountProxy;
import io.poolclient.internal.proxy.ProxyEnvironment;
import io.poolclient.retry.Retry;
import java.util.concurrent.locks.ReentrantLock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A mount: a name, a URL prefix, its resolved settings and its own pool manager. Thread-safe: the
 * settings are replaced as a whole (their TLS material by {@link #useTls}, pool sizes and timeouts by
 * {@link #update}; both one at a time) and the pool manager is thread-safe.
 */
public final class Mount {

    private final String name;
    private final MountPrefix prefix;
    private volatile MountSettings settings;
    private final Retry retry;
    private final PoolManager pools;
    /** Serialises {@link #update} calls; never held by a request. */
    private final ReentrantLock updates = new ReentrantLock();
    private final RetryBudget retryBudget;
    private volatile MountProxy proxy;
    private final MountSettings own;
    private final Set<MountSettings.Key<?>> overrideLogged = ConcurrentHashMap.newKeySet();

    /** A mount whose every set key counts as its own (no {@code pool-client.defaults} layer). */
    public Mount(String name, MountPrefix prefix, MountSettings settings, PoolManager pools) {
        this(name, prefix, settings, settings, pools);
    }

    /**
     * @param own the keys the mount sets itself; {@code settings} is {@code own} over
     *     {@code pool-client.defaults} and the built-in defaults
     */
    public Mount(String name, MountPrefix prefix, MountSettings own, MountSettings settings, PoolManager pools) {
        this.name = name;
        this.prefix = prefix;
        this.settings = settings;
        this.retry = settings.retryPolicy();
        this.pools = pools;
        this.retryBudget = RetryBudget.of(retry);
        this.own = own;
    }

    public String name() {
        return name;
    }

    public MountPrefix prefix() {
        return prefix;
    }

    /**
     * Resolved from the mount, {@code pool-client.defaults} and the built-in defaults; the keys
     * Spring Boot also knows stay unset here unless configured, so per-client settings can apply.
     */
    public MountSettings settings() {
        return settings;
    }

    /**
     * Switches to new TLS material: requests that resolve this mount from now on connect with it;
     * the host pools of the material replaced are dropped.
     *
     * @return the pools dropped
     */
    public int useTls(TlsConfig tls) {
        TlsConfig old;
        updates.lock();
        try {
            old = settings.tls();
            settings = MountSettings.builder().tls(tls).build().withFallback(settings);
        }
        finally {
            updates.unlock();
        }
        return old == null || old.equals(tls) ? 0 : pools.dropIf(key -> old.equals(key.tls()));
    }

    /** Whether the mount sets this key itself, rather than taking it from {@code pool-client.defaults}. */
    public boolean owns(MountSettings.Key<?> key) {
        return own.get(key) != null;
    }

    /** True the first time it is asked for a key: a mount's value overriding a per-client one is logged once. */
    boolean firstOverride(MountSettings.Key<?> key) {
        return overrideLogged.add(key);
    }

    public Retry retry() {
        return retry;
    }

    public PoolManager pools() {
        return pools;
    }

    /**
     * Applies a live change of settings: the keys set in {@code changes} replace the current ones
     * for every later request and acquire, and the pool manager and its pools follow the new
     * {@code pool-connections}, {@code pool-maxsize} and {@code pool-block} (see
     * {@link PoolManager#resize}). Changes to one mount are applied one at a time, in the order they
     * are made.
     *
     * @return the settings now in force
     */
    public MountSettings update(MountSettings changes) {
        updates.lock();
        try {
            MountSettings updated = changes.withFallback(settings);
            settings = updated;
            pools.resize(updated.poolConnections(), updated);
            return updated;
        }
        finally {
            updates.unlock();
        }
    }

    /** The mount's retry budget (one that allows every retry when {@code retry.budget-percent} is unset). */
    RetryBudget retryBudget() {
        return retryBudget;
    }

    /**
     * The mount's proxy settings parsed, made again when the settings were replaced (a race makes them
     * twice at worst; both are equal).
     */
    public MountProxy proxy(ProxyEnvironment environment) {
        MountSettings current = settings;
        MountProxy p = proxy;
        if (p == null || p.settings() != current) {
            p = MountProxy.of(current, environment);
            proxy = p;
        }
        return p;
    }

    @Override
    public String toString() {
        return "Mount[" + name + " " + prefix + "]";
    }
}
