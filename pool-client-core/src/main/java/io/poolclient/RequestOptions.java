package io.poolclient;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Per-caller fallbacks below the mount's own settings: what Spring Boot's {@code HttpClientSettings}
 * hands a request factory. A mount's (or {@code pool-client.defaults}) value for the same key always
 * wins; these apply only where the mount left a key unset, and the built-in default applies last.
 * The address filter is not a fallback: it always applies, to every resolved address.
 *
 * @param connectTimeout fallback connect timeout, or {@code null}
 * @param readTimeout fallback read timeout, or {@code null}
 * @param redirects fallback redirect handling, or {@code null}
 * @param tls fallback TLS material, or {@code null}
 * @param addressFilter addresses allowed to be connected to, or {@code null} for all
 */
public record RequestOptions(@Nullable Duration connectTimeout, @Nullable Duration readTimeout, @Nullable Redirects redirects,
        @Nullable TlsConfig tls, @Nullable Predicate<InetAddress> addressFilter) {

    /** No fallbacks: mount settings and built-in defaults only. */
    public static final RequestOptions NONE = new RequestOptions(null, null, null, null, null);
}
