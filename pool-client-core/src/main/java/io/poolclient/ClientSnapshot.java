package io.poolclient;

import java.util.List;
import java.util.Optional;

/**
 * Every mount at one moment, in match order: what {@code GET /actuator/httppools} shows.
 *
 * @param mounts longest prefix first, implicit mounts last
 */
public record ClientSnapshot(List<MountSnapshot> mounts) {

    /** The mount of that name, if any. */
    public Optional<MountSnapshot> mount(String name) {
        return mounts.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
