package io.poolclient;

import java.util.List;

/**
 * One mount at one moment: its name, prefix, resolved settings and host pools (what
 * {@code GET /actuator/httppools/{name}} shows).
 *
 * @param name the mount's name
 * @param prefix the normalized prefix ({@code http://} and {@code https://} for the implicit mounts)
 * @param settings resolved from the mount, {@code pool-client.defaults} and the built-in defaults; the
 *     keys Spring Boot also knows stay unset unless one of those sets them
 * @param poolsEvicted host pools evicted by the LRU since start
 * @param pools the host pools, least recently used first
 */
public record MountSnapshot(String name, String prefix, MountSettings settings, long poolsEvicted,
        List<PoolSnapshot> pools) {
}
