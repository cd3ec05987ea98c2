package io.poolclient.internal;

import io.poolclient.MountSettings;
import io.poolclient.TlsConfig;
import io.poolclient.internal.pool.PoolManager;
import io.poolclient.retry.Retry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A mount: a name, a URL prefix, its resolved settings and its own pool manager. Thread-safe: the
 * settings are replaced as a whole (only their TLS material changes, see {@link #useTls}) and the
 * pool manager is thread-safe.
 */
public final class Mount {

    private final String name;
    private final MountPrefix prefix;
    private volatile MountSettings settings;
    private final Retry retry;
    private final PoolManager pools;
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
        TlsConfig old = settings.tls();
        settings = MountSettings.builder().tls(tls).build().withFallback(settings);
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

    @Override
    public String toString() {
        return "Mount[" + name + " " + prefix + "]";
    }
}
