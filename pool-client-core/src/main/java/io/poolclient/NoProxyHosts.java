package io.poolclient;

import io.poolclient.internal.proxy.NoProxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The value of a mount's {@code no-proxy} setting: the hosts that bypass any proxy. Each entry is a name,
 * matching itself and its subdomains ({@code example.com}, {@code .example.com}), an IP literal
 * ({@code 10.1.2.3}, {@code ::1}), a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}) or {@code *} for
 * every host; a name or literal may end in {@code :port} to match that port only. Names are never
 * resolved: a name is compared with names, an address literal with literals and ranges. Checked when made.
 *
 * <p>Immutable and thread-safe.
 */
public final class NoProxyHosts {

    private final List<String> entries;

    private NoProxyHosts(List<String> entries) {
        this.entries = entries;
    }

    /**
     * @param entries the entries; blank ones are skipped, each may itself be comma-separated
     * @param property the property they were configured as, named in error messages
     * @throws IllegalArgumentException naming {@code property} for an entry that is none of the forms above
     */
    public static NoProxyHosts parse(Collection<String> entries, String property) {
        List<String> kept = new ArrayList<>();
        for (String entry : entries) {
            if (entry == null) {
                continue;
            }
            for (String part : entry.split(",")) {
                if (!part.isBlank()) {
                    kept.add(part.strip());
                }
            }
        }
        NoProxy.of(kept, property);
        return new NoProxyHosts(List.copyOf(kept));
    }

    /** {@link #parse(Collection, String)} with {@code no-proxy} as the property named in errors. */
    public static NoProxyHosts of(String... entries) {
        return parse(List.of(entries), "no-proxy");
    }

    /** The entries, as given. */
    public List<String> entries() {
        return entries;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof NoProxyHosts n && entries.equals(n.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    /** The entries, comma-separated. */
    @Override
    public String toString() {
        return String.join(",", entries);
    }
}
