package io.poolclient.internal.http;

import io.poolclient.internal.pool.HostKey;
import java.net.URI;

/**
 * Where a request says it goes: the request-target of its request line and the value of its
 * {@code Host} header. Every request's pair is made here and nowhere else.
 *
 * <p>A request sent straight to the origin server uses the origin-form ({@link #origin}): path and
 * query, with {@code /} for an empty path. A request for a plain {@code http://} URL sent through an
 * HTTP proxy uses the absolute-form instead ({@link #absolute}: scheme, authority, path and query),
 * still with the origin's {@code Host} header. Immutable.
 *
 * @param target the request-target, as written after the method in the request line
 * @param host the {@code Host} header value: the host (IPv6 in brackets) and the port unless it is
 *     the scheme's default
 */
public record RequestTarget(String target, String host) {

    /** The origin-form target and {@code Host} for a request sent straight to {@code key}'s server. */
    public static RequestTarget origin(URI uri, HostKey key) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new RequestTarget(target, key.isDefaultPort() ? key.uriHost() : key.hostPort());
    }

    /**
     * The absolute-form target ({@code http://host[:port]/path?query}, never user-info) and {@code Host}
     * for a plain {@code http://} request sent through an HTTP proxy.
     */
    public static RequestTarget absolute(URI uri, HostKey key) {
        RequestTarget origin = origin(uri, key);
        return new RequestTarget(key.scheme() + "://" + origin.host() + origin.target(), origin.host());
    }
}
