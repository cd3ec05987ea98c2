package io.poolclient.internal.proxy;

import java.util.Locale;

/** The kinds of proxy a {@link ProxyUrl} can name, with their default ports. */
public enum ProxyScheme {

    /** An HTTP proxy reached over plain TCP: absolute-form requests for {@code http://}, {@code CONNECT} for {@code https://}. */
    HTTP("http", 80),
    /** An HTTP proxy reached over TLS (the connection to the proxy itself is encrypted). */
    HTTPS("https", 443),
    /** SOCKS5; target names are resolved by the client and the proxy is given an address. */
    SOCKS5("socks5", 1080),
    /** SOCKS5; target names are sent to the proxy, which resolves them. */
    SOCKS5H("socks5h", 1080);

    private final String id;
    private final int defaultPort;

    ProxyScheme(String id, int defaultPort) {
        this.id = id;
        this.defaultPort = defaultPort;
    }

    /** The scheme as written in a URL, lower case. */
    public String id() {
        return id;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Whether this is an HTTP proxy (plain or TLS), as opposed to SOCKS5. */
    public boolean isHttp() {
        return this == HTTP || this == HTTPS;
    }

    /** Whether target host names go to the proxy unresolved ({@code socks5h}). */
    public boolean resolvesAtProxy() {
        return this == SOCKS5H;
    }

    /** The scheme for {@code id} (case-insensitive), or {@code null} if it names no supported proxy. */
    public static ProxyScheme of(String id) {
        String lower = id.toLowerCase(Locale.ROOT);
        for (ProxyScheme scheme : values()) {
            if (scheme.id.equals(lower)) {
                return scheme;
            }
        }
        return null;
    }
}
