package io.poolclient.internal;

import java.net.URI;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mounts of one client in match order: configured prefixes longest first, the implicit
 * scheme-only mounts last. Immutable after construction; any thread may read it.
 */
public final class MountTable {

    private final List<Mount> mounts;
    private final Map<String, Mount> byName;

    public MountTable(List<Mount> mounts) {
        this.mounts = mounts.stream()
                .sorted(Comparator.comparing((Mount m) -> m.prefix().isSchemeOnly())
                        .thenComparing(m -> -m.prefix().length())
                        .thenComparing(Mount::name))
                .toList();
        Map<String, Mount> names = new LinkedHashMap<>();
        this.mounts.forEach(m -> names.put(m.name(), m));
        this.byName = names;
    }

    /** The mount a URL goes through: the longest matching prefix, else the implicit mount of its scheme. */
    public Mount resolve(URI uri) {
        for (Mount m : mounts) {
            if (m.prefix().matches(uri)) {
                return m;
            }
        }
        throw new IllegalArgumentException("No mount for " + uri.getScheme() + " URLs");
    }

    /** Every mount, in match order. */
    public List<Mount> all() {
        return mounts;
    }

    public Optional<Mount> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
