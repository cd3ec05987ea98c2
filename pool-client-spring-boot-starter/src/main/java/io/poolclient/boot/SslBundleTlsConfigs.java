package io.poolclient.boot;

import io.poolclient.TlsConfig;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * Turns Spring Boot SSL bundles into the engine's {@link TlsConfig}.
 *
 * <p>Host pools are keyed by TLS identity, so the same bundle must always yield the same
 * {@link TlsConfig}: Spring Boot calls the request factory builder many times with the same
 * {@link SslBundle}, and a fresh {@code SSLContext} each time would give every client its own
 * pools. Hence a cache. A configured bundle is cached under its name, holding only its current
 * instance: a reloaded bundle is a new instance, gets a new {@link TlsConfig} (hence new pools)
 * and replaces the old one, whose {@code SSLContext} is then free to go. A bundle handed over that
 * is not (or no longer) among the configured ones is cached only as long as it is in use elsewhere.
 *
 * <p>Thread-safe: any thread may call it, reload handlers included.
 */
public final class SslBundleTlsConfigs {

    private final @Nullable SslBundles bundles;
    private final Map<String, Current> byName = new ConcurrentHashMap<>();
    private final ReentrantLock unnamedLock = new ReentrantLock();
    private final Map<SslBundle, TlsConfig> unnamed = new WeakHashMap<>();

    /** The TLS config made from one instance of a named bundle. */
    private record Current(SslBundle bundle, TlsConfig tls) {
    }

    /**
     * @param bundles the application's bundles, or {@code null} when none are configured
     */
    public SslBundleTlsConfigs(@Nullable SslBundles bundles) {
        this.bundles = bundles;
    }

    /**
     * The TLS config of a named bundle (the {@code ssl-bundle} setting), made from its current
     * instance.
     *
     * @param property the property to name in errors, e.g. {@code pool-client.mounts.payments.ssl-bundle}
     * @throws IllegalArgumentException naming the property when there is no such bundle
     */
    public TlsConfig named(String property, String name) {
        if (bundles == null) {
            throw new IllegalArgumentException(property + " is '" + name
                    + "' but no SSL bundles are configured (spring.ssl.bundle.*)");
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new IllegalArgumentException(property + " is '" + name + "' but there is no such SSL bundle; configured: "
                    + bundles.getBundleNames());
        }
        return current(name, bundle);
    }

    /**
     * The TLS config of a bundle handed over without its name (Spring Boot's
     * {@code HttpClientSettings}); the name shown is looked up among the configured bundles.
     */
    public TlsConfig of(SslBundle bundle) {
        String name = nameOf(bundle);
        if (name != null) {
            return current(name, bundle);
        }
        unnamedLock.lock();
        try {
            return unnamed.computeIfAbsent(bundle,
                    b -> create("ssl-bundle@" + Integer.toHexString(System.identityHashCode(b)), b));
        }
        finally {
            unnamedLock.unlock();
        }
    }

    /** How many TLS configs are cached now; for tests. */
    int cachedCount() {
        unnamedLock.lock();
        try {
            return byName.size() + unnamed.size();
        }
        finally {
            unnamedLock.unlock();
        }
    }

    private TlsConfig current(String name, SslBundle bundle) {
        return byName.compute(name, (n, cached) -> cached != null && cached.bundle() == bundle ? cached
                : new Current(bundle, create(n, bundle))).tls();
    }

    private @Nullable String nameOf(SslBundle bundle) {
        if (bundles != null) {
            for (String name : bundles.getBundleNames()) {
                try {
                    if (bundles.getBundle(name) == bundle) {
                        return name;
                    }
                }
                catch (NoSuchSslBundleException ex) {
                    // removed meanwhile; keep looking
                }
            }
        }
        return null;
    }

    private static TlsConfig create(String name, SslBundle bundle) {
        SslOptions options = bundle.getOptions();
        String[] protocols = options == null ? null : options.getEnabledProtocols();
        String[] ciphers = options == null ? null : options.getCiphers();
        return new TlsConfig(name, bundle.createSslContext(), protocols, ciphers);
    }
}
