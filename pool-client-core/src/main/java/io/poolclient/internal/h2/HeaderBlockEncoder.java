package io.poolclient.internal.h2;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.Header;

/**
 * Encodes a request's header list as an HPACK header block (RFC 7541) that never touches the
 * dynamic table: a field equal to a static-table entry is sent as that entry's index, any other
 * field as a literal without indexing (never indexed when the header is marked sensitive), naming
 * the static entry when the name is in the table. Strings are sent raw (no Huffman coding), names
 * as given (the caller lower-cases them), values in UTF-8.
 *
 * <p>Stateless: because no block refers to dynamic entries, blocks may be encoded on any thread,
 * in any order, with no lock held, and still be sent in any order on the connection. Thread-safe.
 */
final class HeaderBlockEncoder {

    /** The static table of RFC 7541, Appendix A: index i + 1 is entry i, as name and value ("" for none). */
    private static final String[][] STATIC_TABLE = {
        {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
        {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
        {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
        {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
        {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""},
        {"cache-control", ""}, {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""},
        {"content-length", ""}, {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
        {"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""},
        {"if-match", ""}, {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
        {"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""},
        {"proxy-authenticate", ""}, {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""},
        {"retry-after", ""}, {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""},
        {"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
    };

    /** Name to the index of its first static entry. */
    private static final Map<String, Integer> NAME_INDEX = new HashMap<>();
    /** "name\0value" to the index of the static entry holding both, for entries with a value. */
    private static final Map<String, Integer> FIELD_INDEX = new HashMap<>();

    static {
        for (int i = 0; i < STATIC_TABLE.length; i++) {
            NAME_INDEX.putIfAbsent(STATIC_TABLE[i][0], i + 1);
            if (!STATIC_TABLE[i][1].isEmpty()) {
                FIELD_INDEX.put(STATIC_TABLE[i][0] + '\0' + STATIC_TABLE[i][1], i + 1);
            }
        }
    }

    private HeaderBlockEncoder() {
    }

    /** The header block of {@code fields}, in their order; its length is the array's. */
    static byte[] encode(List<Header> fields) {
        Output out = new Output(64 + fields.size() * 32);
        for (Header f : fields) {
            String name = f.getName();
            String value = f.getValue() == null ? "" : f.getValue();
            if (!f.isSensitive()) {
                Integer both = FIELD_INDEX.get(name + '\0' + value);
                if (both != null) {
                    out.integer(0x80, 7, both); // indexed field
                    continue;
                }
            }
            int prefix = f.isSensitive() ? 0x10 : 0x00; // literal never indexed / without indexing
            Integer named = NAME_INDEX.get(name);
            if (named != null) {
                out.integer(prefix, 4, named);
            } else {
                out.integer(prefix, 4, 0);
                out.string(name);
            }
            out.string(value);
        }
        return out.toArray();
    }

    /** A growing byte array with the HPACK primitives. */
    private static final class Output {

        private byte[] bytes;
        private int count;

        Output(int capacity) {
            bytes = new byte[capacity];
        }

        /** An integer with an {@code bits}-bit prefix (RFC 7541 §5.1); {@code first} holds the bits above it. */
        void integer(int first, int bits, int value) {
            int max = (1 << bits) - 1;
            if (value < max) {
                put(first | value);
                return;
            }
            put(first | max);
            int rest = value - max;
            while (rest >= 0x80) {
                put((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            put(rest);
        }

        /** A string literal without Huffman coding (RFC 7541 §5.2): its length, then its bytes. */
        void string(String s) {
            int n = s.length();
            boolean ascii = true;
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) >= 0x80) {
                    ascii = false;
                    break;
                }
            }
            if (!ascii) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                integer(0x00, 7, utf8.length);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, bytes, count, utf8.length);
                count += utf8.length;
                return;
            }
            integer(0x00, 7, n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                bytes[count++] = (byte) s.charAt(i);
            }
        }

        private void put(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, count);
        }
    }
}
