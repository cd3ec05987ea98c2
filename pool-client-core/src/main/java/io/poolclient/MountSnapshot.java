package io.poolclient;

import io.poolclient.PoolSnapshot;
import java.util.List;
import java.util.Map;

/**
 * One mount at one moment: the object {@code GET /actuator/httppools/{name}} returns.
 *
 * @param name the mount's name
 * @param prefix the normalized prefix ({@code http://} and {@code https://} for the implicit mounts)
 * @param settings resolved settings, camelCase keys; unset keys omitted
 * @param poolsEvicted host pools evicted by the LRU since start
 * @param pools the host pools, least recently used first
 */
public record MountSnapshot(String name, String prefix, Map<String, Object> settings, long poolsEvicted,
        List<PoolSnapshot> pools) {
}
