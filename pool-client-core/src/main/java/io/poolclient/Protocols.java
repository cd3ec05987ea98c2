package io.poolclient;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The value of a mount's {@code protocols} setting: the HTTP versions it may speak, in order of
 * preference. The names are {@code h2} (HTTP/2 over TLS, chosen by ALPN), {@code http/1.1} and
 * {@code h2c} (HTTP/2 over plain TCP with prior knowledge, no {@code Upgrade}).
 * <ul>
 *   <li>On an {@code https://} mount the list is the ALPN offer ({@code h2}, {@code http/1.1}); the
 *       server's choice decides per connection, so a server that only speaks HTTP/1.1 still gets
 *       HTTP/1.1 when the list has it.</li>
 *   <li>On an {@code http://} mount {@code h2c} means HTTP/2 from the first byte; {@code http/1.1}
 *       alone is the default.</li>
 * </ul>
 * {@code h2} does not fit {@code http://} and {@code h2c} does not fit {@code https://}: set on a
 * mount itself that fails at startup; inherited from {@code pool-client.defaults} such entries are
 * skipped ({@link #forScheme}). Immutable and thread-safe.
 */
public final class Protocols {

    /** HTTP/2 over TLS, negotiated with ALPN. */
    public static final String H2 = "h2";
    /** HTTP/1.1. */
    public static final String HTTP_1_1_NAME = "http/1.1";
    /** HTTP/2 over plain TCP with prior knowledge. */
    public static final String H2C = "h2c";

    /** The built-in default: HTTP/1.1 only. */
    public static final Protocols HTTP_1_1 = new Protocols(List.of(HTTP_1_1_NAME));

    private static final Set<String> KNOWN = Set.of(H2, HTTP_1_1_NAME, H2C);

    private final List<String> names;

    private Protocols(List<String> names) {
        this.names = names;
    }

    /**
     * @param property the property the names were configured as, named in error messages
     * @param names the names in order of preference; case does not matter, blank entries are skipped
     * @throws IllegalArgumentException naming {@code property} for an unknown name, a name given twice
     *     or no name at all
     */
    public static Protocols parse(String property, Collection<String> names) {
        Set<String> kept = new LinkedHashSet<>();
        for (String raw : names) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException(property + " has '" + raw.strip()
                        + "', which is not a protocol; use h2, http/1.1 or h2c");
            }
            if (!kept.add(name)) {
                throw new IllegalArgumentException(property + " lists '" + name + "' twice");
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(property + " must name at least one protocol (h2, http/1.1 or h2c)");
        }
        return new Protocols(List.copyOf(kept));
    }

    /** {@link #parse} with {@code protocols} as the property named in errors. */
    public static Protocols of(String... names) {
        return parse("protocols", List.of(names));
    }

    /** The names, in order of preference. */
    public List<String> names() {
        return names;
    }

    /** Whether HTTP/2 over TLS ({@code h2}) is offered. */
    public boolean offersH2() {
        return names.contains(H2);
    }

    /** Whether HTTP/2 with prior knowledge over plain TCP ({@code h2c}) is asked for. */
    public boolean h2c() {
        return names.contains(H2C);
    }

    /** The names that are ALPN protocol ids ({@code h2}, {@code http/1.1}), in order of preference. */
    public List<String> alpn() {
        return names.stream().filter(n -> !H2C.equals(n)).toList();
    }

    /** Whether every name fits URLs of {@code scheme}: no {@code h2} on http, no {@code h2c} on https. */
    public boolean fits(String scheme) {
        return misfits(scheme).isEmpty();
    }

    /** The names that do not fit {@code scheme}. */
    public List<String> misfits(String scheme) {
        String wrong = "https".equalsIgnoreCase(scheme) ? H2C : H2;
        return names.contains(wrong) ? List.of(wrong) : List.of();
    }

    /**
     * These protocols without the names that do not fit {@code scheme}; {@code http/1.1} when none is
     * left.
     */
    public Protocols forScheme(String scheme) {
        List<String> misfits = misfits(scheme);
        if (misfits.isEmpty()) {
            return this;
        }
        List<String> kept = new ArrayList<>(names);
        kept.removeAll(misfits);
        return kept.isEmpty() ? HTTP_1_1 : new Protocols(List.copyOf(kept));
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Protocols p && names.equals(p.names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    /** The names, comma-separated, as a property would list them. */
    @Override
    public String toString() {
        return String.join(",", names);
    }
}
