package io.poolclient.internal;

import io.poolclient.MountSettings;
import io.poolclient.Protocols;
import io.poolclient.MountSettings.Key;
import io.poolclient.Redirects;
import io.poolclient.RequestOptions;
import io.poolclient.TlsConfig;
import io.poolclient.retry.Retry;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings one try of a request runs with, resolved key by key, most specific first: the
 * per-request overrides, the mount's own value, the per-client value, {@code pool-client.defaults},
 * the global layer, the built-in default. Only connect and read timeout, redirects and TLS have
 * per-client and global layers; only the timeouts and the retry policy have a per-request one.
 * Every other key is the mount's resolved setting. Where the mount's own value overrides a
 * different per-client value, that is logged once per mount and key at INFO.
 *
 * <p>Immutable; made per try by the calling thread.
 */
final class ResolvedSettings {

    private static final Logger log = LoggerFactory.getLogger(ResolvedSettings.class);

    private final MountSettings mount;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Redirects redirects;
    private final @Nullable TlsConfig tls;

    private ResolvedSettings(MountSettings mount, Duration connectTimeout, Duration readTimeout, Redirects redirects,
            @Nullable TlsConfig tls) {
        this.mount = mount;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.redirects = redirects;
        this.tls = tls;
    }

    static ResolvedSettings of(Mount mount, RequestOptions options) {
        MountSettings overrides = options.overrides();
        MountSettings globals = options.globals();
        return new ResolvedSettings(mount.settings(),
                resolve(mount, MountSettings.CONNECT_TIMEOUT, overrides.connectTimeout(), options.connectTimeout(),
                        globals.connectTimeout(), MountSettings.DEFAULT_CONNECT_TIMEOUT),
                resolve(mount, MountSettings.READ_TIMEOUT, overrides.readTimeout(), options.readTimeout(),
                        globals.readTimeout(), MountSettings.DEFAULT_READ_TIMEOUT),
                resolve(mount, MountSettings.REDIRECTS, null, options.redirects(), globals.redirects(), Redirects.FOLLOW),
                resolve(mount, MountSettings.TLS, null, options.tls(), globals.tls(), null));
    }

    /** The retry policy of a call: the per-request one when set, else the mount's. */
    static Retry retry(Mount mount, RequestOptions options) {
        Retry perRequest = options.overrides().retry();
        return perRequest != null ? perRequest : mount.retry();
    }

    private static <T> @Nullable T resolve(Mount mount, Key<T> key, @Nullable T perRequest, @Nullable T perClient,
            @Nullable T global, @Nullable T builtIn) {
        if (perRequest != null) {
            return perRequest;
        }
        T mountValue = mount.settings().get(key);
        if (mountValue != null && mount.owns(key)) {
            if (perClient != null && !perClient.equals(mountValue) && mount.firstOverride(key)) {
                log.info("Mount '{}' sets {} itself, so its value {} overrides the client's {} for requests through it",
                        mount.name(), key.property(), describe(mountValue), describe(perClient));
            }
            return mountValue;
        }
        if (perClient != null) {
            return perClient;
        }
        if (mountValue != null) {
            return mountValue;
        }
        return global != null ? global : builtIn;
    }

    /** Durations as properties spell them; TLS material by its name only (never key material). */
    private static String describe(Object value) {
        if (value instanceof Duration d) {
            return MountSettings.format(d);
        }
        if (value instanceof TlsConfig t) {
            return "'" + t.name() + "'";
        }
        return String.valueOf(value);
    }

    /** The mount's resolved settings (pool sizes, limits, decompression and the rest). */
    MountSettings mount() {
        return mount;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    Redirects redirects() {
        return redirects;
    }

    /**
     * The HTTP versions this try may speak, in order of preference, already fitted to the mount's
     * scheme ({@code http/1.1} when nothing is set).
     */
    Protocols protocols() {
        Protocols p = mount.protocols();
        return p == null ? Protocols.HTTP_1_1 : p;
    }

    /** The TLS material, or {@code null} for the JDK's defaults. */
    @Nullable TlsConfig tls() {
        return tls;
    }
}
