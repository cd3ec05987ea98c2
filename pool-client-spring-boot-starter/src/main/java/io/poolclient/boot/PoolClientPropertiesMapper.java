package io.poolclient.boot;

import io.poolclient.MountSettings;
import io.poolclient.NoProxyHosts;
import io.poolclient.Protocols;
import io.poolclient.PoolClient;
import io.poolclient.ProxyAddress;
import io.poolclient.Redirects;
import io.poolclient.retry.Retry;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.PropertyMapper;
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

    private final @Nullable SslBundleTlsConfigs tls;

    /**
     * @param tls resolves {@code ssl-bundle} names; {@code null} leaves every {@code ssl-bundle} unmapped
     *     (validation while binding, before the application's SSL bundles exist)
     */
    public PoolClientPropertiesMapper(@Nullable SslBundleTlsConfigs tls) {
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

    /** The settings of one mount (or of the defaults) as the engine holds them; unset properties stay unset. */
    public MountSettings settings(String property, MountProperties p) {
        MountSettings.Builder b = MountSettings.builder();
        PropertyMapper map = PropertyMapper.get();
        map.from(p::getPoolConnections).to(b::poolConnections);
        map.from(p::getPoolMaxsize).to(b::poolMaxsize);
        map.from(p::getPoolBlock).to(b::poolBlock);
        map.from(p::getPoolTimeout).to(b::poolTimeout);
        map.from(p::getConnectTimeout).to(b::connectTimeout);
        map.from(p::getReadTimeout).to(b::readTimeout);
        map.from(p::getIdleTimeout).to(b::idleTimeout);
        map.from(p::getMaxLifetime).to(b::maxLifetime);
        map.from(p::getMaxRetries).to(b::maxRetries);
        map.from(p::getRetry).as(r -> retry(property, r)).to(b::retry);
        map.from(p::getSslBundle).whenHasText().when(name -> tls != null)
            .as(name -> tls.named(property + ".ssl-bundle", name)).to(b::tls);
        map.from(p::getRedirects).as(PoolClientPropertiesMapper::redirects).to(b::redirects);
        map.from(p::getMaxRedirects).to(b::maxRedirects);
        map.from(p::getDecompress).to(b::decompress);
        map.from(p::getLeakDetectionThreshold).to(b::leakDetectionThreshold);
        map.from(p::getMaxHeaderCount).to(b::maxHeaderCount);
        map.from(p::getMaxHeaderLine).as(size -> bytes(property + ".max-header-line", size)).to(b::maxHeaderLine);
        map.from(p::getProxy).whenHasText().as(url -> ProxyAddress.parse(url, property + ".proxy")).to(b::proxy);
        map.from(p::getNoProxy).as(hosts -> NoProxyHosts.parse(hosts, property + ".no-proxy")).to(b::noProxy);
        map.from(p::getTrustEnv).to(b::trustEnv);
        map.from(p::getProtocols).as(names -> Protocols.parse(property + ".protocols", names)).to(b::protocols);
        map.from(p::getMaxConcurrentStreams).to(b::maxConcurrentStreams);
        return b.build();
    }

    private static Redirects redirects(MountProperties.RedirectMode mode) {
        return mode == MountProperties.RedirectMode.FOLLOW ? Redirects.FOLLOW : Redirects.DONT_FOLLOW;
    }

    private static Retry retry(String property, RetryProperties r) {
        Retry.Builder b = Retry.builder();
        PropertyMapper map = PropertyMapper.get();
        map.from(r::getTotal).to(named(property, b::total));
        map.from(r::getConnect).to(named(property, b::connect));
        map.from(r::getRead).to(named(property, b::read));
        map.from(r::getStatus).to(named(property, b::status));
        map.from(r::getStatusForcelist).to(named(property, b::statusForcelist));
        map.from(r::getAllowedMethods).to(named(property, b::allowedMethods));
        map.from(r::getBackoffFactor).to(named(property, b::backoffFactor));
        map.from(r::getBackoffMax).to(named(property, b::backoffMax));
        map.from(r::getBackoffJitter).to(named(property, b::backoffJitter));
        map.from(r::getRespectRetryAfter).to(named(property, b::respectRetryAfter));
        map.from(r::getRaiseOnStatus).to(named(property, b::raiseOnStatus));
        map.from(r::getBudgetPercent).to(named(property, b::budgetPercent));
        map.from(r::getBudgetMinPerSecond).to(named(property, b::budgetMinPerSecond));
        map.from(r::getBudgetWindow).to(named(property, b::budgetWindow));
        return b.build();
    }

    /**
     * The engine's retry messages start with the key ({@code retry.total must be >= 0}): this setter
     * prefixes the mount's property. No cause: the message, naming the full property, is meant to be
     * the root cause.
     */
    private static <T> Consumer<T> named(String property, Consumer<T> setter) {
        return value -> {
            try {
                setter.accept(value);
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(property + "." + ex.getMessage());
            }
        };
    }

    private static int bytes(String property, DataSize size) {
        long bytes = size.toBytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(property + " is too large, was " + size);
        }
        return (int) bytes;
    }
}
