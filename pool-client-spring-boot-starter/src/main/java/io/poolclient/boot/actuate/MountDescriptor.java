package io.poolclient.boot.actuate;

import io.poolclient.MountSnapshot;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * One mount as the endpoint shows it (an entry of {@code mounts}, and the body of
 * {@code GET /actuator/httppools/{name}}).
 *
 * @param name the mount's name
 * @param prefix the normalized prefix ({@code http://} and {@code https://} for the implicit mounts)
 * @param settings the resolved settings, see {@link SettingsDescription}: camelCase keys, durations
 *     as {@code 30s}, unset keys omitted
 * @param poolsEvicted host pools evicted by the LRU since start
 * @param pools the host pools, least recently used first
 */
public record MountDescriptor(String name, String prefix, Map<String, Object> settings, long poolsEvicted,
        List<PoolDescriptor> pools) implements OperationResponseBody {

    /** The descriptor of a mount snapshot. */
    public static MountDescriptor of(MountSnapshot mount) {
        return new MountDescriptor(mount.name(), mount.prefix(), SettingsDescription.of(mount.settings()),
                mount.poolsEvicted(), mount.pools().stream().map(PoolDescriptor::of).toList());
    }
}
