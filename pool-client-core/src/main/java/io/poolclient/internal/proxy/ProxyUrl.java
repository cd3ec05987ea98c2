package io.poolclient.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A parsed proxy URL: {@code http://[user:password@]host[:port]}, {@code https://…}, {@code socks5://…} or
 * {@code socks5h://…}. The user-info is percent-decoded (UTF-8); a missing port is the scheme's default
 * (80, 443, 1080). A trailing {@code /} is accepted; any other path, a query or a fragment is refused.
 *
 * <p>{@link #toString()} is the redacted form {@code scheme://host:port} and is what logs, the endpoint
 * and meters show; nothing here ever puts the user name or password in a string meant for display,
 * error messages included (they quote the redacted value).
 *
 * <p>Immutable and thread-safe. Two values are equal when scheme, host, port, user name and password are
 * all equal, so a pool keyed by a proxy never mixes connections authenticated differently.
 */
public final class ProxyUrl {

    private final ProxyScheme scheme;
    private final String host;
    private final int port;
    private final String username;
    private final String password;

    private ProxyUrl(ProxyScheme scheme, String host, int port, String username, String password) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
    }

    /**
     * Parses {@code value}.
     *
     * @param value the proxy URL
     * @param property what the value was configured as (a property key or an environment variable), named in
     *     error messages
     * @throws IllegalArgumentException if the value is not a supported proxy URL; the message names
     *     {@code property} and shows the value without its user-info
     */
    public static ProxyUrl parse(String value, String property) {
        Objects.requireNonNull(property, "property");
        if (value == null || value.isBlank()) {
            throw invalid(property, "", "is empty");
        }
        String text = value.strip();
        int schemeEnd = text.indexOf("://");
        if (schemeEnd <= 0) {
            throw invalid(property, redact(text), "needs a scheme: http://, https://, socks5:// or socks5h://");
        }
        ProxyScheme scheme = ProxyScheme.of(text.substring(0, schemeEnd));
        if (scheme == null) {
            throw invalid(property, redact(text), "has an unsupported scheme '" + text.substring(0, schemeEnd)
                    + "' (supported: http, https, socks5, socks5h)");
        }
        String rest = text.substring(schemeEnd + 3);
        // The last '@' ends the user-info: a password may hold '@', '/', '?' or '#' unescaped and must
        // never end up in an error message, so everything before it is cut off before anything is shown.
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? null : rest.substring(0, at);
        String afterUserInfo = rest.substring(at + 1);
        int authorityEnd = indexOfAny(afterUserInfo, "/?#");
        String hostPort = authorityEnd < 0 ? afterUserInfo : afterUserInfo.substring(0, authorityEnd);
        String tail = authorityEnd < 0 ? "" : afterUserInfo.substring(authorityEnd);
        String shown = scheme.id() + "://" + afterUserInfo;
        if (!tail.isEmpty() && !tail.equals("/")) {
            throw invalid(property, shown, "must not have a path, query or fragment");
        }
        String host;
        String portText;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw invalid(property, shown, "has an unclosed '[' in its IPv6 address");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw invalid(property, shown, "has characters after its IPv6 address");
            }
            portText = after.isEmpty() ? null : after.substring(1);
            if (host.isEmpty() || IpLiteral.parse(host) == null || host.indexOf(':') < 0) {
                throw invalid(property, shown, "has an invalid IPv6 address");
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0 && hostPort.indexOf(':') != colon) {
                throw invalid(property, shown, "has an IPv6 address without brackets");
            }
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? null : hostPort.substring(colon + 1);
            if (host.isEmpty()) {
                throw invalid(property, shown, "has no host");
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
                    throw invalid(property, shown, "has an invalid character in its host");
                }
            }
        }
        int port = scheme.defaultPort();
        if (portText != null) {
            port = parsePort(portText);
            if (port < 0) {
                throw invalid(property, shown, "has an invalid port '" + portText + "' (1-65535)");
            }
        }
        String username = null;
        String password = null;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
            String rawPassword = colon < 0 ? "" : userInfo.substring(colon + 1);
            username = percentDecode(rawUser);
            password = percentDecode(rawPassword);
            if (username == null || password == null) {
                throw invalid(property, shown, "has invalid percent-encoding in its user-info");
            }
            if (username.isEmpty()) {
                throw invalid(property, shown, "has user-info without a user name");
            }
        }
        return new ProxyUrl(scheme, host.toLowerCase(Locale.ROOT), port, username, password);
    }

    public ProxyScheme scheme() {
        return scheme;
    }

    /** The host, lower case; an IPv6 literal without brackets. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port} with an IPv6 literal in brackets. */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Whether the URL carried user-info (a user name; the password may be empty). */
    public boolean hasCredentials() {
        return username != null;
    }

    /** The decoded user name, or {@code null}. Never log it together with {@link #password()}. */
    public String username() {
        return username;
    }

    /** The decoded password ({@code ""} if the user-info had none), or {@code null} without user-info. Never log it. */
    public String password() {
        return password;
    }

    /** This proxy without its user-info. */
    public ProxyUrl withoutCredentials() {
        return username == null ? this : new ProxyUrl(scheme, host, port, null, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyUrl p && scheme == p.scheme && port == p.port && host.equals(p.host)
                && Objects.equals(username, p.username) && Objects.equals(password, p.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, host, port, username, password);
    }

    /** The redacted form {@code scheme://host:port}: no user-info, safe to log, show and tag. */
    @Override
    public String toString() {
        return scheme.id() + "://" + authority();
    }

    private static IllegalArgumentException invalid(String property, String shown, String problem) {
        return new IllegalArgumentException(property + ": proxy URL '" + shown + "' " + problem);
    }

    /** The value with everything before its last {@code @} (any user-info) removed. */
    private static String redact(String text) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return text;
        }
        int schemeEnd = text.indexOf("://");
        return (schemeEnd >= 0 && schemeEnd < at ? text.substring(0, schemeEnd + 3) : "") + text.substring(at + 1);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port >= 1 && port <= 65535 ? port : -1;
    }

    /** RFC 3986 percent-decoding as UTF-8 ({@code +} stays a plus); {@code null} if malformed. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    encoded = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
