package io.poolclient.internal.h2;

import io.poolclient.Header;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * Builds the header list of a request stream: the pseudo-headers {@code :method :scheme :authority
 * :path} first, then the caller's fields with lower-case names, leaving out the connection-specific
 * fields HTTP/2 forbids ({@code connection}, {@code keep-alive}, {@code proxy-connection},
 * {@code transfer-encoding}, {@code upgrade}, any field named in {@code Connection}, {@code te} other
 * than {@code trailers}) and {@code host}, which {@code :authority} replaces.
 */
final class RequestHeaders {

    private static final Set<String> CONNECTION_SPECIFIC = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "host");

    private RequestHeaders() {
    }

    /**
     * @throws IllegalArgumentException if a name is empty, starts with {@code :}, or a name or value
     *     holds CR, LF or NUL (nothing has been sent)
     */
    static List<org.apache.hc.core5.http.Header> build(String method, String scheme, String authority, String path,
            List<Header> headers) {
        check("method", method);
        check("path", path);
        check("authority", authority);
        Set<String> named = new HashSet<>();
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("connection")) {
                for (String token : h.value().split(",")) {
                    named.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        List<org.apache.hc.core5.http.Header> out = new ArrayList<>(headers.size() + 4);
        out.add(new BasicHeader(":method", method));
        out.add(new BasicHeader(":scheme", scheme));
        out.add(new BasicHeader(":authority", authority));
        out.add(new BasicHeader(":path", path.isEmpty() ? "/" : path));
        for (Header h : headers) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || name.charAt(0) == ':') {
                throw new IllegalArgumentException("Header name '" + escape(h.name()) + "' is empty or a pseudo-header");
            }
            check("header '" + escape(h.name()) + "'", h.name());
            check("value of header '" + escape(h.name()) + "'", h.value());
            if (CONNECTION_SPECIFIC.contains(name) || named.contains(name)
                    || (name.equals("te") && !h.value().trim().equalsIgnoreCase("trailers"))) {
                continue;
            }
            out.add(new BasicHeader(name, h.value()));
        }
        return out;
    }

    private static void check(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("The " + what + " holds a CR, LF or NUL character; nothing was sent");
            }
        }
    }

    private static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
