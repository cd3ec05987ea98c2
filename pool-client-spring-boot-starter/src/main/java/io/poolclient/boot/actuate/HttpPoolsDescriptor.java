package io.poolclient.boot.actuate;

import io.poolclient.ClientSnapshot;
import java.util.List;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The body of {@code GET /actuator/httppools}: {@code {"mounts":[...]}}. Written by the actuator's
 * own JSON mapper (it is an {@link OperationResponseBody}), so an application's
 * {@code spring.jackson.*} settings do not change it.
 *
 * @param mounts every mount in match order: longest prefix first, implicit mounts last
 */
public record HttpPoolsDescriptor(List<MountDescriptor> mounts) implements OperationResponseBody {

    /** The descriptor of an engine snapshot. */
    public static HttpPoolsDescriptor of(ClientSnapshot snapshot) {
        return new HttpPoolsDescriptor(snapshot.mounts().stream().map(MountDescriptor::of).toList());
    }
}
