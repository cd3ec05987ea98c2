package io.poolclient.internal.proxy;

import io.poolclient.MountSettings;
import io.poolclient.NoProxyHosts;
import io.poolclient.ProxyAddress;
import org.jspecify.annotations.Nullable;

/**
 * A mount's proxy settings, parsed once: its {@code proxy}, {@code no-proxy} and {@code trust-env} with the
 * proxies found in the JVM and the environment. {@link #select} chooses the proxy of one request, and again
 * of each redirect hop, by the rules of {@link ProxySelection}. Immutable and thread-safe.
 */
public final class MountProxy {

    private final MountSettings settings;
    private final @Nullable ProxyUrl explicit;
    private final NoProxy noProxy;
    private final boolean trustEnv;
    private final ProxyEnvironment environment;

    private MountProxy(MountSettings settings, @Nullable ProxyUrl explicit, NoProxy noProxy, boolean trustEnv,
            ProxyEnvironment environment) {
        this.settings = settings;
        this.explicit = explicit;
        this.noProxy = noProxy;
        this.trustEnv = trustEnv;
        this.environment = environment;
    }

    /**
     * @param settings a mount's resolved settings
     * @param environment the proxies found in the JVM and the environment, used with {@code trust-env}
     */
    public static MountProxy of(MountSettings settings, ProxyEnvironment environment) {
        ProxyAddress proxy = settings.proxy();
        NoProxyHosts hosts = settings.noProxy();
        return new MountProxy(settings,
                proxy == null ? null : ProxyUrl.parse(proxy.url(), "proxy"),
                hosts == null ? NoProxy.NONE : NoProxy.of(hosts.entries(), "no-proxy"),
                !Boolean.FALSE.equals(settings.trustEnv()),
                environment);
    }

    /** The settings this was made from. */
    public MountSettings settings() {
        return settings;
    }

    /**
     * The proxy for a request to {@code scheme://host:port}, or {@code null} to connect directly.
     *
     * @param scheme {@code http} or {@code https}
     * @param host the target host, name or literal
     * @param port the target port, default filled in
     */
    public @Nullable ProxyUrl select(String scheme, String host, int port) {
        return ProxySelection.select(scheme, host, port, explicit, noProxy, trustEnv, environment).orElse(null);
    }

    /** For messages: the explicit proxy (redacted) and the no-proxy entries. */
    @Override
    public String toString() {
        return "MountProxy[proxy=" + explicit + ", no-proxy=" + noProxy + ", trust-env=" + trustEnv + "]";
    }
}
