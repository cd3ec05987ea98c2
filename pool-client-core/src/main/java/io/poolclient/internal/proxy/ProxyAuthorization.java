package io.poolclient.internal.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code Proxy-Authorization} header for an HTTP proxy: {@code Basic} with the proxy URL's user-info
 * (UTF-8), sent preemptively on the {@code CONNECT} and on plain proxied {@code http://} requests, and only
 * ever to the proxy. The value is a secret: never log it.
 */
public final class ProxyAuthorization {

    public static final String HEADER = "Proxy-Authorization";

    private ProxyAuthorization() {
    }

    /** {@code Basic base64(user:password)}, or empty if the proxy URL has no user-info. */
    public static Optional<String> basic(ProxyUrl proxy) {
        if (!proxy.hasCredentials()) {
            return Optional.empty();
        }
        byte[] pair = (proxy.username() + ":" + proxy.password()).getBytes(StandardCharsets.UTF_8);
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair));
    }
}
