package io.poolclient.internal.http;

import java.util.Iterator;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;

/**
 * Reads from an exchange's messages whether the connection may carry another one (RFC 9112 §9.3)
 * and how long the server keeps it ({@code Keep-Alive: timeout=}). Scans header values in place:
 * no strings are split and no parse context is built per response. Stateless.
 */
final class KeepAlive {

    /** No {@code Keep-Alive: timeout=} hint. */
    static final long NO_HINT = -1;

    private KeepAlive() {
    }

    /**
     * @param request the request as sent
     * @param response the final response
     * @param code its status
     * @param version its protocol version
     * @param hasBody whether the response carries a body
     */
    static boolean reusable(HttpMessage request, HttpMessage response, int code, ProtocolVersion version, boolean hasBody) {
        if (code == 101) {
            return false;
        }
        if (hasToken(request, HttpHeaders.CONNECTION, "close")) {
            return false;
        }
        Header te = response.getFirstHeader(HttpHeaders.TRANSFER_ENCODING);
        if (te != null && !"chunked".equalsIgnoreCase(te.getValue().trim())) {
            return false; // the framing layer knows no other transfer coding
        }
        if (te == null && hasBody && response.countHeaders(HttpHeaders.CONTENT_LENGTH) != 1) {
            return false; // no length, or conflicting ones: the connection's close ends the body
        }
        if (hasToken(response, HttpHeaders.CONNECTION, "close")) {
            return false;
        }
        if (version != null && version.lessEquals(HttpVersion.HTTP_1_0)) {
            return hasToken(response, HttpHeaders.CONNECTION, "keep-alive");
        }
        return true;
    }

    /** The seconds of a {@code Keep-Alive: timeout=N} hint, or {@link #NO_HINT}. */
    static long timeoutSeconds(HttpMessage response) {
        Header header = response.getFirstHeader("Keep-Alive");
        if (header == null) {
            return NO_HINT;
        }
        String v = header.getValue();
        for (int i = skipSeparators(v, 0); i < v.length(); i = skipSeparators(v, elementEnd(v, i))) {
            int end = elementEnd(v, i);
            if (v.regionMatches(true, i, "timeout=", 0, 8)) {
                long seconds = digits(v, i + 8, end);
                if (seconds >= 0) {
                    return seconds;
                }
            }
        }
        return NO_HINT;
    }

    /** The number in {@code v[from, to)} (spaces around it allowed), or -1 when it is not one. */
    private static long digits(String v, int from, int to) {
        while (from < to && v.charAt(from) == ' ') {
            from++;
        }
        while (to > from && v.charAt(to - 1) == ' ') {
            to--;
        }
        if (from == to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Whether any {@code name} header of {@code message} lists {@code token} (case-insensitive). */
    static boolean hasToken(HttpMessage message, String name, String token) {
        // usually none or one such header: looked up without copying or iterating the message's list
        int count = message.countHeaders(name);
        if (count == 0) {
            return false;
        }
        if (count == 1) {
            return listsToken(message.getFirstHeader(name).getValue(), token);
        }
        for (Iterator<Header> it = message.headerIterator(name); it.hasNext(); ) {
            if (listsToken(it.next().getValue(), token)) {
                return true;
            }
        }
        return false;
    }

    static boolean listsToken(String value, String token) {
        for (int i = skipSeparators(value, 0); i < value.length(); i = skipSeparators(value, elementEnd(value, i))) {
            int last = elementEnd(value, i);
            while (last > i && (value.charAt(last - 1) == ' ' || value.charAt(last - 1) == '\t')) {
                last--;
            }
            if (last - i == token.length() && value.regionMatches(true, i, token, 0, token.length())) {
                return true;
            }
        }
        return false;
    }

    /** The index of the first character at or after {@code i} that is not a space, tab or comma. */
    private static int skipSeparators(String v, int i) {
        while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t' || v.charAt(i) == ',')) {
            i++;
        }
        return i;
    }

    /** The end of the list element starting at {@code i}: its comma, or the end of the value. */
    private static int elementEnd(String v, int i) {
        int end = v.indexOf(',', i);
        return end < 0 ? v.length() : end;
    }
}
