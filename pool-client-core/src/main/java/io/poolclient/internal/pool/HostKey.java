package io.poolclient.internal.pool;

import io.poolclient.TlsConfig;
import io.poolclient.internal.proxy.ProxyUrl;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a host pool is keyed by: scheme, host and port, plus the TLS material for HTTPS so that
 * connections made with different trust or client certificates never mix, and the proxy the
 * connections go through so that direct and proxied connections (or connections through different
 * proxies or as different proxy users) never mix. The host is stored
 * normalized (lower case, IPv6 without brackets); {@link #hostPort()} adds brackets.
 *
 * @param scheme {@code http} or {@code https}
 * @param host lower-case host name or address literal
 * @param port explicit port, defaults filled in
 * @param tls TLS material for https, {@code null} for the JDK default (and always for http)
 * @param proxy the proxy (with its credentials) the connections go through, {@code null} for direct
 */
public record HostKey(String scheme, String host, int port, TlsConfig tls, @Nullable ProxyUrl proxy) {

    /** A key for direct connections. */
    public HostKey(String scheme, String host, int port, TlsConfig tls) {
        this(scheme, host, port, tls, null);
    }

    public HostKey {
        scheme = scheme.toLowerCase(Locale.ROOT);
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!"https".equals(scheme)) {
            tls = null;
        }
    }

    /** {@code host:port}, IPv6 in brackets: the form used in logs, the endpoint and meter tags. */
    public String hostPort() {
        return bracketed(host) + ":" + port;
    }

    /** The host as it is written in a URL or {@code Host} header: IPv6 in brackets. */
    public String uriHost() {
        return bracketed(host);
    }

    /** Whether the port is the scheme's default (80 for http, 443 for https). */
    public boolean isDefaultPort() {
        return port == defaultPort(scheme);
    }

    /** A host name or address as written in a URL: an IPv6 literal gets brackets. */
    public static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** 443 for https, 80 otherwise. */
    public static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }

    public boolean isTls() {
        return "https".equals(scheme);
    }

    @Override
    public String toString() {
        return scheme + "://" + hostPort() + (tls == null ? "" : " (tls " + tls.name() + ")")
                + (proxy == null ? "" : " via " + proxy);
    }
}
