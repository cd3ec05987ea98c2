package io.poolclient;

import io.poolclient.internal.proxy.ProxyUrl;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The value of a mount's {@code proxy} setting: {@code http://[user:password@]host[:port]},
 * {@code https://…} (TLS to the proxy itself), {@code socks5://…} or {@code socks5h://…} (target names
 * resolved by the proxy). Checked when it is made; a missing port is the scheme's default (80, 443, 1080).
 *
 * <p>{@link #toString()} is the redacted form {@code scheme://host:port}, without user name or password:
 * that is what logs, messages, the endpoint and meters show. Only {@link #url()} returns the value as
 * given, credentials included.
 *
 * <p>Immutable and thread-safe; two values are equal when their URLs are equal.
 */
public final class ProxyAddress {

    private final String url;
    private final String redacted;

    private ProxyAddress(String url, String redacted) {
        this.url = url;
        this.redacted = redacted;
    }

    /**
     * Parses a proxy URL.
     *
     * @param url the proxy URL, user-info (percent-encoded) allowed
     * @param property the property it was configured as, named in error messages
     *     ({@code pool-client.mounts.payments.proxy})
     * @throws IllegalArgumentException naming {@code property} when the URL is not a supported proxy URL;
     *     the message never repeats the user-info
     */
    public static ProxyAddress parse(@Nullable String url, String property) {
        ProxyUrl parsed = ProxyUrl.parse(url, property);
        return new ProxyAddress(Objects.requireNonNull(url).strip(), parsed.toString());
    }

    /** {@link #parse(String, String)} with {@code proxy} as the property named in errors. */
    public static ProxyAddress of(String url) {
        return parse(url, "proxy");
    }

    /** The URL as given, user name and password included: a secret, never log or show it. */
    public String url() {
        return url;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ProxyAddress p && url.equals(p.url);
    }

    @Override
    public int hashCode() {
        return url.hashCode();
    }

    /** {@code scheme://host:port}: no user-info, safe to log and show. */
    @Override
    public String toString() {
        return redacted;
    }
}
