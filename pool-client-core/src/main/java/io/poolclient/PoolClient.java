package io.poolclient;

import io.poolclient.internal.Housekeeper;
import io.poolclient.internal.Mount;
import io.poolclient.internal.MountPrefix;
import io.poolclient.internal.MountTable;
import io.poolclient.internal.RequestExecutor;
import io.poolclient.internal.http.Connector;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.PoolListener;
import io.poolclient.internal.pool.PoolListeners;
import io.poolclient.internal.pool.PoolManager;
import io.poolclient.internal.proxy.ProxyEnvironment;
import io.poolclient.internal.proxy.ProxyUrl;
import io.poolclient.PoolSnapshot;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The engine: a table of mounts, each with its own pool manager, that executes requests through
 * the mount whose prefix matches longest. Two implicit mounts, {@code http} and {@code https},
 * catch every URL no configured mount claims.
 *
 * <p><b>Concurrency contract.</b> Thread-safe: build one and share it. {@link #execute} runs on the
 * caller's thread (platform or virtual). One daemon housekeeping thread per client closes expired
 * idle connections and reports leases older than a mount's {@code leak-detection-threshold}.
 * {@link #close()} stops it, closes idle connections, fails waiters with
 * {@link PoolClosedException} and closes leased connections as they come back; {@link #shutdown}
 * does the same but waits a grace period for them and then closes what is still leased.
 * {@link #update} changes a live mount's pool sizes and timeouts; {@link #route} tells which mount
 * and pool serve a URL. Pool listeners may be
 * added and removed at any time ({@link #addListener}).
 */
public final class PoolClient implements Closeable {

    /** Name of the implicit mount for {@code http://}. */
    public static final String HTTP = "http";
    /** Name of the implicit mount for {@code https://}. */
    public static final String HTTPS = "https";

    private static final Logger log = LoggerFactory.getLogger(PoolClient.class);

    private final MountTable table;
    private final RequestExecutor executor;
    private final ProxyEnvironment proxyEnvironment;
    private final PoolListeners listeners;
    private final Housekeeper housekeeper;
    private volatile boolean closed;
    /** Set by the first {@link #close()} or {@link #shutdown}: the one that shuts the pools down. */
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    private PoolClient(Builder b) {
        this.listeners = PoolListeners.of(b.listener);
        List<Mount> list = new ArrayList<>();
        b.mounts.forEach((name, spec) -> list.add(new Mount(name, spec.prefix, spec.own, spec.resolved,
                new PoolManager(name, spec.resolved.poolConnections(), key -> new HostPool(name, key, settingsNow(name), listeners),
                        listeners))));
        this.table = new MountTable(list);
        this.proxyEnvironment = b.proxyEnvironment();
        this.executor = new RequestExecutor(table, new Connector(), proxyEnvironment);
        this.housekeeper = Housekeeper.start(table, b.housekeepingInterval);
    }

    /** A mount's settings now, for a host pool being created: they change with {@link #update}. */
    private MountSettings settingsNow(String mountName) {
        return table.byName(mountName).orElseThrow().settings();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Executes a request with no per-caller fallbacks. */
    public Response execute(Request request) throws IOException {
        return execute(request, RequestOptions.NONE);
    }

    /**
     * Executes a request through its mount and returns the final response (after retries and
     * redirects). The caller must close it or read its body to the end.
     *
     * @throws PoolClientException (an {@link IOException}) for every failure: connect failure, read
     *     timeout, pool timeout, malformed response, retries exhausted, pool closed, an address refused
     *     by the address filter, a request refused before sending
     */
    public Response execute(Request request, @Nullable RequestOptions options) throws IOException {
        if (closed) {
            throw new PoolClosedException("The pool client is closed", null, request.uri().getHost(), null);
        }
        return executor.execute(request, options == null ? RequestOptions.NONE : options);
    }

    /** The mounts in match order; for the engine's own tests. */
    List<Mount> mounts() {
        return table.all();
    }

    Mount resolve(URI uri) {
        return table.resolve(uri);
    }

    Optional<Mount> mount(String name) {
        return table.byName(name);
    }

    /**
     * A mount's settings as resolved from the mount, {@code pool-client.defaults} and the built-in
     * defaults. The keys Spring Boot also knows (timeouts, redirects, TLS) stay unset unless configured
     * in one of those; for them a caller's {@link RequestOptions} may still apply (a per-client value
     * beats {@code pool-client.defaults}, never the mount's own value).
     *
     * @return empty when no mount has that name
     */
    public Optional<MountSettings> settings(String mountName) {
        return table.byName(mountName).map(Mount::settings);
    }

    /** Every mount and pool now, in match order. */
    public ClientSnapshot snapshot() {
        List<MountSnapshot> list = new ArrayList<>(table.all().size());
        table.all().forEach(m -> list.add(snapshot(m)));
        return new ClientSnapshot(List.copyOf(list));
    }

    /** One mount now, if it exists. */
    public Optional<MountSnapshot> snapshot(String mountName) {
        return mount(mountName).map(PoolClient::snapshot);
    }

    private static MountSnapshot snapshot(Mount m) {
        List<PoolSnapshot> pools = new ArrayList<>();
        m.pools().pools().forEach(p -> pools.add(p.snapshot()));
        return new MountSnapshot(m.name(), m.prefix().toString(), m.settings(), m.pools().evicted(),
                List.copyOf(pools));
    }

    /**
     * Adds a pool listener now, next to the one given to {@link Builder#listener} (which stays for
     * good). Any thread may call it at any time after {@link Builder#build()}, also while requests
     * run and pools are created, evicted or dropped. Before it returns the listener is told
     * {@code poolAdded} for every pool that exists now, then hears every later event; it is never
     * told of a pool twice, misses none and never hears {@code poolRemoved} for a pool it was not
     * told of (see {@link PoolListeners} for the full contract). Adding a listener that is already
     * registered (the same instance) changes nothing and returns a registration that removes nothing.
     *
     * @return closing it removes the listener; it then hears no more pools added or removed
     */
    public PoolListener.Registration addListener(PoolListener listener) {
        return listeners.add(listener);
    }

    /**
     * Switches a mount to new TLS material, a reloaded SSL bundle say. Connections opened from now
     * on for this mount use it; the host pools made with the material it replaces are dropped, as
     * by {@link #drop}: their idle connections close now, leased ones when they are returned, so
     * none of them is reused after this returns.
     *
     * @return false when there is no mount of that name
     */
    public boolean useTls(String mountName, TlsConfig tls) {
        Objects.requireNonNull(tls, "tls");
        Mount m = table.byName(mountName).orElse(null);
        if (m == null) {
            return false;
        }
        int dropped = m.useTls(tls);
        log.info("Mount '{}' uses TLS material '{}' from now on; {} host pool(s) of the previous material dropped",
                mountName, tls.name(), dropped);
        return true;
    }

    /**
     * Drops a mount's pools (the endpoint's DELETE): idle connections close now, leased ones when
     * returned; not counted as eviction.
     *
     * @return false when no mount has that name
     */
    public boolean drop(String mountName) {
        Mount m = table.byName(mountName).orElse(null);
        if (m == null) {
            return false;
        }
        m.pools().dropAll();
        return true;
    }

    /** Closes every pool; idempotent. */
    @Override
    public void close() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        housekeeper.close();
        table.all().forEach(m -> m.pools().close());
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The settings {@link #update} can change on a live mount, in this order in messages:
     * {@code pool-maxsize}, {@code pool-block}, {@code pool-timeout}, {@code pool-connections},
     * {@code connect-timeout}, {@code read-timeout}, {@code max-concurrent-streams}.
     */
    public static final List<MountSettings.Key<?>> UPDATABLE_KEYS = List.of(MountSettings.POOL_MAXSIZE,
            MountSettings.POOL_BLOCK, MountSettings.POOL_TIMEOUT, MountSettings.POOL_CONNECTIONS,
            MountSettings.CONNECT_TIMEOUT, MountSettings.READ_TIMEOUT, MountSettings.MAX_CONCURRENT_STREAMS);

    /**
     * Changes a running mount's settings until the client is closed (the endpoint's POST). Only the
     * {@link #UPDATABLE_KEYS} may be set in {@code changes}; the keys it leaves unset keep their value.
     * They are validated as at startup, and either all apply or none. From the moment this returns
     * they apply to every later acquire and request:
     * <ul>
     * <li>a smaller {@code pool-maxsize} closes each host pool's idle connections past it now and its
     * leased ones past it when they are returned (both counted as {@code discarded}); a blocking pool
     * hands no waiter a connection until it holds fewer than the new maxsize;</li>
     * <li>a larger {@code pool-maxsize}, or {@code pool-block} turned off, hands the room to the
     * callers waiting at once;</li>
     * <li>a smaller {@code pool-connections} evicts the least recently used host pools past it
     * (counted in {@code poolsEvicted});</li>
     * <li>{@code pool-timeout}, {@code connect-timeout} and {@code read-timeout} apply to requests
     * started later (a caller already waiting keeps its deadline);</li>
     * <li>{@code max-concurrent-streams} applies to streams opened later on HTTP/2 connections
     * (streams already open run to their end).</li>
     * </ul>
     * Any thread may call it at any time, also under load; changes to one mount apply one at a time.
     *
     * @return false (and nothing changed) when no mount has that name
     * @throws IllegalArgumentException naming the property ({@code pool-client.mounts.<name>.<key>}) for
     *     a key that cannot be changed at run time or an invalid value
     */
    public boolean update(String mountName, MountSettings changes) {
        Objects.requireNonNull(changes, "changes");
        Mount m = table.byName(mountName).orElse(null);
        if (m == null) {
            return false;
        }
        String property = "pool-client.mounts." + mountName;
        for (MountSettings.Key<?> key : MountSettings.keys()) {
            if (changes.get(key) != null && !UPDATABLE_KEYS.contains(key)) {
                throw new IllegalArgumentException(property + "." + key.property()
                        + " cannot be changed on a running mount; only " + UPDATABLE_KEYS + " can");
            }
        }
        changes.validate(property);
        MountSettings now = m.update(changes);
        log.info("Mount '{}' changed at run time: {}; now {}", mountName, changes, now);
        return true;
    }

    /**
     * Which mount, proxy and host pool would serve {@code uri}, without opening a connection or
     * creating a pool. User-info in {@code uri} is never part of the answer.
     *
     * @throws IllegalArgumentException when {@code uri} is not an absolute {@code http} or {@code https}
     *     URL with a host (the message does not repeat the URL)
     */
    public Route route(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        if (scheme == null || uri.isOpaque()) {
            throw new IllegalArgumentException("Not an absolute URL: give an http:// or https:// URL with a host");
        }
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("Not an http:// or https:// URL (scheme '" + scheme + "')");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("The URL has no host (or one that is not valid)");
        }
        Mount m = table.resolve(uri);
        MountSettings settings = m.settings();
        int port = uri.getPort() >= 0 ? uri.getPort() : HostKey.defaultPort(scheme);
        ProxyUrl proxy = m.proxy(proxyEnvironment).select(scheme, uri.getHost(), port);
        HostPool pool = m.pools().find(new HostKey(scheme, uri.getHost(), port, settings.tls(), proxy));
        return new Route(withoutUserInfo(uri), m.name(), m.prefix().toString(),
                proxy == null ? null : proxy.toString(), settings, pool == null ? null : pool.snapshot());
    }

    private static String withoutUserInfo(URI uri) {
        String text = uri.toString();
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null) {
            return text;
        }
        int at = text.indexOf("//" + userInfo + "@");
        return at < 0 ? text : text.substring(0, at + 2) + text.substring(at + 2 + userInfo.length() + 1);
    }

    /**
     * Shuts the client down gracefully (what the Spring Boot starter does when the application
     * stops): new requests and the callers waiting for a connection fail with
     * {@link PoolClosedException}, idle connections close at once, exchanges in flight (their
     * responses read included) get up to {@code grace} to finish and return their connections, which
     * then close; whatever is still leased after {@code grace} is closed, which fails those exchanges.
     * Every connection closed here is counted with close reason {@code shutdown}. Returns once all
     * is closed, at most about {@code grace} later. Idempotent: after {@link #close()} or a first
     * shutdown it does nothing. An interrupt while waiting ends the grace early (the interrupt
     * status is kept).
     *
     * @param grace how long exchanges in flight may still run; zero closes them at once
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        housekeeper.close();
        List<HostPool> pools = new ArrayList<>();
        table.all().forEach(m -> pools.addAll(m.pools().shutdownAll()));
        long deadline = System.nanoTime() + Math.min(grace.toMillis(), MAX_GRACE_MILLIS) * 1_000_000L;
        boolean interrupted = false;
        for (HostPool pool : pools) {
            try {
                if (!pool.awaitNoLeases(deadline)) {
                    break;
                }
            }
            catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        int forced = 0;
        for (HostPool pool : pools) {
            forced += pool.closeLeased();
        }
        if (forced > 0) {
            log.warn("Pool client shut down: {} connection(s) still in use after the grace of {} were closed",
                    forced, MountSettings.format(grace));
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A longer grace is cut to this (a day): every wait is finite. */
    private static final long MAX_GRACE_MILLIS = 86_400_000L;

    /** Builds a {@link PoolClient}; validates everything in {@link #build()}. */
    public static final class Builder {

        private MountSettings defaults = MountSettings.EMPTY;
        private final Map<String, MountSpec> mounts = new LinkedHashMap<>();
        private final Map<String, String> prefixes = new LinkedHashMap<>();
        private final Map<String, MountSettings> implicit = new LinkedHashMap<>();
        private PoolListener listener = PoolListener.NONE;
        private Duration housekeepingInterval = Duration.ofSeconds(1);

        private Builder() {
        }

        /** {@code pool-client.defaults}: settings for every mount, overridden key by key. */
        public Builder defaults(MountSettings defaults) {
            this.defaults = defaults;
            return this;
        }

        /** A mount with a prefix; or, with {@code prefix} {@code null}, settings for implicit {@code http}/{@code https}. */
        public Builder mount(String name, @Nullable String prefix, MountSettings settings) {
            if (prefix == null) {
                implicit.put(name, settings);
            }
            else {
                prefixes.put(name, prefix);
                implicit.put(name, settings);
            }
            return this;
        }

        /** Settings for the implicit {@code http} or {@code https} mount. */
        public Builder mount(String name, MountSettings settings) {
            return mount(name, null, settings);
        }

        /**
         * The listener the client starts with, before any pool exists; it cannot be removed. More can
         * be added to the built client with {@link PoolClient#addListener}.
         */
        public Builder listener(PoolListener listener) {
            this.listener = listener;
            return this;
        }

        /** How often idle connections are expired and leases checked for leaks (default 1s). */
        public Builder housekeepingInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("housekeeping interval must be positive, was " + interval);
            }
            this.housekeepingInterval = interval;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the property, for any invalid setting or prefix
         */
        public PoolClient build() {
            validate();
            return new PoolClient(this);
        }

        /**
         * Checks everything {@link #build()} checks, without starting anything: lets configuration be
         * refused before any client exists (Spring Boot does it when binding the properties).
         *
         * @throws IllegalArgumentException naming the property, for any invalid setting or prefix
         */
        public void validate() {
            defaults.validate("pool-client.defaults");
            MountSettings base = defaults.withFallback(MountSettings.BUILT_IN);
            Map<MountPrefix, String> seen = new LinkedHashMap<>();
            mounts.clear();
            for (String name : List.of(HTTP, HTTPS)) {
                MountPrefix prefix = MountPrefix.schemeOnly(name);
                seen.put(prefix, name);
                if (prefixes.containsKey(name)) {
                    throw new IllegalArgumentException("pool-client.mounts." + name + ".prefix must not be set: the implicit mount '"
                            + name + "' covers every " + name + ":// URL not claimed by another mount");
                }
            }
            for (Map.Entry<String, MountSettings> e : implicit.entrySet()) {
                String name = e.getKey();
                String property = "pool-client.mounts." + name;
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("pool-client.mounts has a mount with an empty name");
                }
                e.getValue().validate(property);
                if (!HTTP.equals(name) && !HTTPS.equals(name)) {
                    MountPrefix prefix = MountPrefix.parse(property + ".prefix", prefixes.get(name));
                    String other = seen.putIfAbsent(prefix, name);
                    if (other != null) {
                        throw new IllegalArgumentException(property + ".prefix '" + prefix + "' is the same prefix as mount '"
                                + other + "'; two mounts cannot share a prefix");
                    }
                    mounts.put(name, MountSpec.of(property, prefix, e.getValue(), base));
                }
            }
            for (String name : List.of(HTTP, HTTPS)) {
                MountSettings own = implicit.getOrDefault(name, MountSettings.EMPTY);
                mounts.put(name, MountSpec.of("pool-client.mounts." + name, MountPrefix.schemeOnly(name), own, base));
            }
        }

        private record MountSpec(MountPrefix prefix, MountSettings own, MountSettings resolved) {

            /**
             * The mount's own settings over {@code base}. Its own {@code protocols} must fit its scheme;
             * inherited ones are filtered to the entries that do.
             */
            static MountSpec of(String property, MountPrefix prefix, MountSettings own, MountSettings base) {
                Protocols protocols = own.protocols();
                if (protocols != null && !protocols.fits(prefix.scheme())) {
                    throw new IllegalArgumentException(property + ".protocols has " + protocols.misfits(prefix.scheme())
                            + ", which does not fit the mount's " + prefix.scheme() + ":// prefix: "
                            + ("https".equals(prefix.scheme()) ? "use h2 (with ALPN) or http/1.1 on https://"
                                    : "use h2c (HTTP/2 with prior knowledge) or http/1.1 on http://"));
                }
                MountSettings resolved = own.withFallback(base);
                Protocols inherited = resolved.protocols();
                if (protocols == null && inherited != null) {
                    resolved = MountSettings.builder().protocols(inherited.forScheme(prefix.scheme())).build()
                            .withFallback(resolved);
                }
                return new MountSpec(prefix, own, resolved);
            }
        }

        /**
         * The proxies of the JVM and the environment, read now, when a mount may use them ({@code trust-env}
         * and no {@code proxy}); a malformed one fails here, naming its property or variable.
         */
        private ProxyEnvironment proxyEnvironment() {
            for (MountSpec spec : mounts.values()) {
                if (!Boolean.FALSE.equals(spec.resolved().trustEnv()) && spec.resolved().proxy() == null) {
                    ProxyEnvironment found = ProxyEnvironment.system();
                    if (!found.isEmpty()) {
                        log.info("Proxies found in the JVM's properties or the environment (trust-env): {}", found);
                    }
                    return found;
                }
            }
            return ProxyEnvironment.NONE;
        }
    }
}
