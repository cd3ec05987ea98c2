package io.poolclient.boot;

import io.poolclient.TlsConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * Turns Spring Boot SSL bundles into the engine's {@link TlsConfig}, one per bundle instance.
 *
 * <p>Host pools are keyed by TLS identity, so the same bundle must always yield the same
 * {@link TlsConfig}: Spring Boot calls the request factory builder many times with the same
 * {@link SslBundle}, and a fresh {@code SSLContext} each time would give every client its own
 * pools. Hence the cache, keyed by bundle instance (a reloaded bundle is a new instance and gets
 * new pools). Thread-safe.
 */
public final class SslBundleTlsConfigs {

    private final SslBundles bundles;
    private final Map<SslBundle, TlsConfig> cache = new ConcurrentHashMap<>();

    /**
     * @param bundles the application's bundles, or {@code null} when none are configured
     */
    public SslBundleTlsConfigs(SslBundles bundles) {
        this.bundles = bundles;
    }

    /**
     * The TLS config of a named bundle (the {@code ssl-bundle} setting).
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
        return cache.computeIfAbsent(bundle, b -> create(name, b));
    }

    /**
     * The TLS config of a bundle handed over without its name (Spring Boot's
     * {@code HttpClientSettings}); the name shown is looked up among the configured bundles.
     */
    public TlsConfig of(SslBundle bundle) {
        return cache.computeIfAbsent(bundle, b -> create(nameOf(b), b));
    }

    private String nameOf(SslBundle bundle) {
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
        return "ssl-bundle@" + Integer.toHexString(System.identityHashCode(bundle));
    }

    private static TlsConfig create(String name, SslBundle bundle) {
        SslOptions options = bundle.getOptions();
        String[] protocols = options == null ? null : options.getEnabledProtocols();
        String[] ciphers = options == null ? null : options.getCiphers();
        return new TlsConfig(name, bundle.createSslContext(), protocols, ciphers);
    }
}
