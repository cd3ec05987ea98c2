package io.poolclient.internal;

import io.poolclient.internal.pool.HostKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A normalized mount prefix: scheme and host lower case, default port dropped, empty path read as
 * {@code /}. The implicit mounts have a scheme and nothing else and match every URL of that scheme.
 * A URL matches when scheme, host and port are equal and its path starts with the prefix's path
 * (a plain, case-sensitive string prefix). Immutable.
 */
public final class MountPrefix {

    private final String scheme;
    private final String host;
    private final int port;
    private final String path;
    private final String text;

    private MountPrefix(String scheme, String host, int port, String path) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.path = path;
        if (host == null) {
            this.text = scheme + "://";
        }
        else {
            boolean defaultPort = port == HostKey.defaultPort(scheme);
            this.text = scheme + "://" + HostKey.bracketed(host) + (defaultPort ? "" : ":" + port) + path;
        }
    }

    /** The prefix of an implicit mount: every URL of {@code scheme}. */
    public static MountPrefix schemeOnly(String scheme) {
        return new MountPrefix(scheme, null, -1, "");
    }

    /**
     * Parses a configured prefix.
     *
     * @param property the property to name in errors, e.g. {@code pool-client.mounts.payments.prefix}
     * @throws IllegalArgumentException naming the property when the prefix is not http(s), has user-info or no host
     */
    public static MountPrefix parse(String property, String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException(property + " must be set to an http:// or https:// URL prefix");
        }
        String lower = prefix.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw new IllegalArgumentException(property + " must start with http:// or https://, was '" + redact(prefix) + "'");
        }
        URI uri;
        try {
            uri = new URI(prefix);
        }
        catch (URISyntaxException e) {
            throw new IllegalArgumentException(property + " is not a valid URL prefix ('" + redact(prefix) + "'): "
                    + e.getReason() + " at index " + e.getIndex());
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(property + " must not contain user-info (credentials belong in headers, not in a prefix)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(property + " must name a host, e.g. https://api.example.com/, was '" + redact(prefix) + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(property + " must not contain a query or fragment, was '" + redact(prefix) + "'");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = stripBrackets(uri.getHost().toLowerCase(Locale.ROOT));
        int port = uri.getPort() < 0 ? HostKey.defaultPort(scheme) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return new MountPrefix(scheme, host, port, path);
    }

    /** The prefix with any user-info masked, for error messages: credentials are never echoed. */
    public static String redact(String prefix) {
        return prefix.replaceAll("(?<=//)[^/?#]*@", "***@");
    }

    /** Whether a request URL falls under this prefix. */
    public boolean matches(URI uri) {
        String s = uri.getScheme();
        if (s == null || !s.equalsIgnoreCase(scheme)) {
            return false;
        }
        if (host == null) {
            return true;
        }
        String h = uri.getHost();
        if (h == null || !stripBrackets(h).equalsIgnoreCase(host)) {
            return false;
        }
        int p = uri.getPort() < 0 ? HostKey.defaultPort(scheme) : uri.getPort();
        if (p != port) {
            return false;
        }
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return rawPath.startsWith(path);
    }

    public boolean isSchemeOnly() {
        return host == null;
    }

    /** How specific the prefix is: mounts are matched longest first. */
    public int length() {
        return text.length();
    }

    public String scheme() {
        return scheme;
    }

    public static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MountPrefix p && text.equals(p.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The normalized prefix, e.g. {@code https://api.payments.example/}. */
    @Override
    public String toString() {
        return text;
    }
}
