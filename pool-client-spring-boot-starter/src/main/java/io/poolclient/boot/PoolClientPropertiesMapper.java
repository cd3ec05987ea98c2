package io.poolclient.boot;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Redirects;
import io.poolclient.retry.Retry;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.util.unit.DataSize;

/**
 * Maps {@link PoolClientProperties} onto a {@link PoolClient.Builder}: one {@link MountSettings} per
 * mount, unset keys left {@code null} so that the engine's fallback order (mount, defaults,
 * Spring Boot's per-client settings, built-in default) still applies.
 *
 * <p>Every error names the offending property, e.g.
 * {@code pool-client.mounts.payments.retry.total must be >= 0, was -1}; the engine's
 * {@link PoolClient.Builder#build()} adds its own checks with messages of the same form.
 */
public final class PoolClientPropertiesMapper {

    static final String ROOT = "pool-client";

    private final SslBundleTlsConfigs tls;

    public PoolClientPropertiesMapper(SslBundleTlsConfigs tls) {
        this.tls = tls;
    }

    /**
     * A builder holding every configured mount and the defaults; the caller adds a listener and
     * calls {@link PoolClient.Builder#build()}, which validates.
     *
     * @throws IllegalArgumentException naming the property, for settings the engine cannot even hold
     */
    public PoolClient.Builder builder(PoolClientProperties properties) {
        PoolClient.Builder builder = PoolClient.builder();
        MountProperties defaults = properties.getDefaults();
        if (defaults != null) {
            if (defaults.getPrefix() != null) {
                throw new IllegalArgumentException(ROOT + ".defaults.prefix must not be set: a prefix belongs to one mount "
                        + "(pool-client.mounts.<name>.prefix)");
            }
            builder.defaults(settings(ROOT + ".defaults", defaults));
        }
        for (Map.Entry<String, MountProperties> e : properties.getMounts().entrySet()) {
            String name = e.getKey();
            MountProperties mount = e.getValue() == null ? new MountProperties() : e.getValue();
            String property = ROOT + ".mounts." + name;
            boolean implicit = PoolClient.HTTP.equals(name) || PoolClient.HTTPS.equals(name);
            if (implicit && mount.getPrefix() == null) {
                builder.mount(name, settings(property, mount));
            }
            else {
                if (mount.getPrefix() == null) {
                    throw new IllegalArgumentException(property + ".prefix must be set to an http:// or https:// URL prefix");
                }
                builder.mount(name, mount.getPrefix(), settings(property, mount));
            }
        }
        return builder;
    }

    /** The settings of one mount (or of the defaults) as the engine holds them. */
    public MountSettings settings(String property, MountProperties p) {
        MountSettings.Builder b = MountSettings.builder()
                .poolConnections(p.getPoolConnections())
                .poolMaxsize(p.getPoolMaxsize())
                .poolBlock(p.getPoolBlock())
                .poolTimeout(p.getPoolTimeout())
                .connectTimeout(p.getConnectTimeout())
                .readTimeout(p.getReadTimeout())
                .idleTimeout(p.getIdleTimeout())
                .maxLifetime(p.getMaxLifetime())
                .maxRetries(p.getMaxRetries())
                .maxRedirects(p.getMaxRedirects())
                .decompress(p.getDecompress())
                .leakDetectionThreshold(p.getLeakDetectionThreshold())
                .maxHeaderCount(p.getMaxHeaderCount())
                .maxHeaderLine(bytes(property + ".max-header-line", p.getMaxHeaderLine()));
        if (p.getRedirects() != null) {
            b.redirects(p.getRedirects() == MountProperties.RedirectMode.FOLLOW ? Redirects.FOLLOW : Redirects.DONT_FOLLOW);
        }
        if (p.getRetry() != null) {
            b.retry(retry(property, p.getRetry()));
        }
        if (p.getSslBundle() != null && !p.getSslBundle().isBlank()) {
            b.tls(tls.named(property + ".ssl-bundle", p.getSslBundle()));
        }
        return b.build();
    }

    private static Retry retry(String property, RetryProperties r) {
        Retry.Builder b = Retry.builder();
        // The engine's messages start with the key ("retry.total must be >= 0"): prefix the mount.
        set(property, b::total, r::getTotal);
        set(property, b::connect, r::getConnect);
        set(property, b::read, r::getRead);
        set(property, b::status, r::getStatus);
        set(property, b::statusForcelist, r::getStatusForcelist);
        set(property, b::allowedMethods, r::getAllowedMethods);
        set(property, b::backoffFactor, r::getBackoffFactor);
        set(property, b::backoffMax, r::getBackoffMax);
        set(property, b::backoffJitter, r::getBackoffJitter);
        set(property, b::respectRetryAfter, r::getRespectRetryAfter);
        set(property, b::raiseOnStatus, r::getRaiseOnStatus);
        return b.build();
    }

    private static <T> void set(String property, Consumer<T> setter, Supplier<T> value) {
        T v = value.get();
        if (v == null) {
            return;
        }
        try {
            setter.accept(v);
        }
        catch (IllegalArgumentException ex) {
            // No cause: this message, naming the full property, is meant to be the root cause.
            throw new IllegalArgumentException(property + "." + ex.getMessage());
        }
    }

    private static Integer bytes(String property, DataSize size) {
        if (size == null) {
            return null;
        }
        long bytes = size.toBytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(property + " is too large, was " + size);
        }
        return (int) bytes;
    }
}
