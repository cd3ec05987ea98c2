package io.poolclient.internal.proxy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The hosts that bypass a proxy: the {@code no-proxy} setting and the {@code NO_PROXY} environment
 * variable. Entries are given as a list or one comma-separated string (whitespace around entries ignored,
 * empty entries skipped, case-insensitive):
 * <ul>
 *   <li>{@code *} alone: every host bypasses the proxy.</li>
 *   <li>A name: matches itself and every subdomain, on label boundaries. {@code example.com},
 *       {@code .example.com} and {@code *.example.com} all match {@code example.com} and
 *       {@code api.example.com}, never {@code badexample.com}.</li>
 *   <li>An IP literal ({@code 10.1.2.3}, {@code ::1} or {@code [::1]}): matches that address written as
 *       a literal target host.</li>
 *   <li>A CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}): matches address literals inside it.</li>
 *   <li>Any of the above except {@code *} and CIDR may end in {@code :port} ({@code example.com:8443},
 *       {@code [::1]:8080}): it then matches only that port. Without a port every port matches, which is
 *       what an entry almost always means (curl and requests mostly ignore ports too).</li>
 * </ul>
 * Names are never resolved: a name target is compared with name entries, an address literal target with
 * address and CIDR entries.
 *
 * <p>Immutable and thread-safe.
 */
public final class NoProxy {

    /** Matches nothing. */
    public static final NoProxy NONE = new NoProxy(List.of(), false, "");

    private final List<Entry> entries;
    private final boolean all;
    private final String text;

    private NoProxy(List<Entry> entries, boolean all, String text) {
        this.entries = entries;
        this.all = all;
        this.text = text;
    }

    /**
     * Parses a comma-separated list.
     *
     * @param property what the value was configured as, named in error messages
     * @throws IllegalArgumentException for a malformed entry (bad CIDR prefix, bad port), naming
     *     {@code property}
     */
    public static NoProxy parse(String commaSeparated, String property) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return NONE;
        }
        return of(Arrays.asList(commaSeparated.split(",")), property);
    }

    /** Parses a list of entries; an entry may itself be comma-separated. See {@link #parse}. */
    public static NoProxy of(Collection<String> values, String property) {
        List<Entry> entries = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        boolean all = false;
        for (String value : values) {
            if (value == null) {
                continue;
            }
            for (String raw : value.split(",")) {
                String entry = raw.strip().toLowerCase(Locale.ROOT);
                if (entry.isEmpty()) {
                    continue;
                }
                kept.add(entry);
                if (entry.equals("*")) {
                    all = true;
                } else {
                    entries.add(Entry.parse(entry, property));
                }
            }
        }
        return entries.isEmpty() && !all ? NONE : new NoProxy(List.copyOf(entries), all, String.join(",", kept));
    }

    /**
     * Whether a request to {@code host}:{@code port} bypasses the proxy.
     *
     * @param host a name or address literal (IPv6 with or without brackets), any case
     * @param port the target port, default filled in
     */
    public boolean matches(String host, int port) {
        if (all) {
            return true;
        }
        if (entries.isEmpty() || host == null || host.isEmpty()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        byte[] address = IpLiteral.parse(name);
        for (Entry entry : entries) {
            if ((entry.port < 0 || entry.port == port) && entry.matches(name, address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether nothing bypasses the proxy. */
    public boolean isEmpty() {
        return !all && entries.isEmpty();
    }

    /** The normalized entries, comma-separated. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoProxy n && text.equals(n.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** One parsed entry: a name suffix, or an address with a prefix length (a literal is a full-length range). */
    private static final class Entry {

        private final String name;
        private final byte[] network;
        private final int prefixBits;
        private final int port;

        private Entry(String name, byte[] network, int prefixBits, int port) {
            this.name = name;
            this.network = network;
            this.prefixBits = prefixBits;
            this.port = port;
        }

        static Entry parse(String entry, String property) {
            int slash = entry.indexOf('/');
            if (slash >= 0) {
                byte[] network = IpLiteral.parse(entry.substring(0, slash));
                int bits = parseInt(entry.substring(slash + 1));
                if (network == null || bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException(property + ": invalid CIDR range '" + entry
                            + "' (expected e.g. 10.0.0.0/8 or fd00::/8)");
                }
                return new Entry(null, network, bits, -1);
            }
            String hostPart = entry;
            int port = -1;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close > 0 && close + 1 < entry.length() && entry.charAt(close + 1) == ':') {
                    port = portOf(entry.substring(close + 2), entry, property);
                    hostPart = entry.substring(0, close + 1);
                }
            } else if (entry.indexOf(':') == entry.lastIndexOf(':') && entry.indexOf(':') >= 0) {
                int colon = entry.indexOf(':');
                port = portOf(entry.substring(colon + 1), entry, property);
                hostPart = entry.substring(0, colon);
            }
            byte[] address = IpLiteral.parse(hostPart);
            if (address != null) {
                return new Entry(null, address, address.length * 8, port);
            }
            String name = hostPart;
            if (name.startsWith("*.")) {
                name = name.substring(2);
            } else if (name.startsWith(".")) {
                name = name.substring(1);
            }
            if (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            if (name.isEmpty() || name.indexOf('*') >= 0 || name.indexOf('[') >= 0) {
                throw new IllegalArgumentException(property + ": invalid no-proxy entry '" + entry
                        + "' (a host name, .domain, IP address, CIDR range or *)");
            }
            return new Entry(name, null, 0, port);
        }

        boolean matches(String host, byte[] address) {
            if (name != null) {
                return address == null && (host.equals(name) || host.endsWith("." + name));
            }
            return address != null && address.length == network.length && inRange(address);
        }

        private boolean inRange(byte[] address) {
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        private static int portOf(String text, String entry, String property) {
            int port = parseInt(text);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(property + ": invalid port in no-proxy entry '" + entry + "'");
            }
            return port;
        }

        private static int parseInt(String text) {
            if (text.isEmpty() || text.length() > 5) {
                return -1;
            }
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                    return -1;
                }
            }
            return Integer.parseInt(text);
        }
    }
}
