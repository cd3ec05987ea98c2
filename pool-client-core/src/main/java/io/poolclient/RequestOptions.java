package io.poolclient;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What a caller adds to a mount's settings, in three layers, resolved key by key (most specific
 * wins):
 * <ol>
 *   <li>{@link #overrides()}: per-request settings; they beat every other source;</li>
 *   <li>the mount's own settings ({@code pool-client.mounts.<name>.*});</li>
 *   <li>the per-client fallbacks ({@link #connectTimeout()}, {@link #readTimeout()},
 *       {@link #redirects()}, {@link #tls()}): what Spring Boot's {@code HttpClientSettings} hands
 *       one client's request factory where it differs from the global settings;</li>
 *   <li>{@code pool-client.defaults};</li>
 *   <li>{@link #globals()}: application-wide settings below {@code pool-client.defaults}
 *       (Spring Boot's {@code spring.http.clients.*});</li>
 *   <li>the built-in default.</li>
 * </ol>
 * The address filter is not a layer: it always applies, to every resolved address.
 *
 * @param connectTimeout per-client connect timeout, or {@code null}
 * @param readTimeout per-client read timeout, or {@code null}
 * @param redirects per-client redirect handling, or {@code null}
 * @param tls per-client TLS material, or {@code null}
 * @param addressFilter addresses allowed to be connected to, or {@code null} for all
 * @param overrides per-request settings above the mount's own; only connect and read timeout and the
 *     retry policy are read from it
 * @param globals application-wide settings below {@code pool-client.defaults}; only connect and read
 *     timeout, redirects and TLS are read from it
 */
public record RequestOptions(@Nullable Duration connectTimeout, @Nullable Duration readTimeout, @Nullable Redirects redirects,
        @Nullable TlsConfig tls, @Nullable Predicate<InetAddress> addressFilter, MountSettings overrides,
        MountSettings globals) {

    /** No per-request, per-client or global settings: mount settings and built-in defaults only. */
    public static final RequestOptions NONE = new RequestOptions(null, null, null, null, null);

    public RequestOptions {
        overrides = overrides == null ? MountSettings.EMPTY : overrides;
        globals = globals == null ? MountSettings.EMPTY : globals;
    }

    /** Per-client settings only (no per-request or global layer). */
    public RequestOptions(@Nullable Duration connectTimeout, @Nullable Duration readTimeout, @Nullable Redirects redirects,
            @Nullable TlsConfig tls, @Nullable Predicate<InetAddress> addressFilter) {
        this(connectTimeout, readTimeout, redirects, tls, addressFilter, MountSettings.EMPTY, MountSettings.EMPTY);
    }

    /** These options with other per-request settings. */
    public RequestOptions withOverrides(MountSettings overrides) {
        return new RequestOptions(connectTimeout, readTimeout, redirects, tls, addressFilter, overrides, globals);
    }

    /** These options with other application-wide settings below {@code pool-client.defaults}. */
    public RequestOptions withGlobals(MountSettings globals) {
        return new RequestOptions(connectTimeout, readTimeout, redirects, tls, addressFilter, overrides, globals);
    }

    /** The per-client layer as settings. */
    public MountSettings fallbacks() {
        return MountSettings.builder().connectTimeout(connectTimeout).readTimeout(readTimeout).redirects(redirects)
                .tls(tls).build();
    }
}
