package io.poolclient.boot.actuate;

import io.poolclient.PoolClient;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code httppools} actuator endpoint: every mount of the engine with its resolved settings
 * and host pools, in match order (longest prefix first, implicit mounts last).
 *
 * <ul>
 * <li>read: {@code {"mounts":[...]}}, see {@link HttpPoolsDescriptor};</li>
 * <li>read {@code {name}}: the bare mount object, {@code null} (404 over HTTP) when unknown;</li>
 * <li>delete {@code {name}}: closes the mount's idle connections and drops its pools (leased ones
 * close when returned); not counted as an eviction.</li>
 * </ul>
 *
 * <p>The bodies are this starter's own descriptor types ({@link HttpPoolsDescriptor},
 * {@link MountDescriptor}, {@link PoolDescriptor}), which Actuator writes with its own JSON mapper:
 * an application's {@code spring.jackson.*} settings (a naming strategy, say) do not change them.
 *
 * <p>Read-only by default; {@code management.endpoint.httppools.access=unrestricted} allows the
 * delete operation. Nothing secret is shown: prefixes never carry user-info and an SSL bundle is
 * shown by name only.
 */
@Endpoint(id = HttpPoolsEndpoint.ID, defaultAccess = Access.READ_ONLY)
public class HttpPoolsEndpoint {

    /** The endpoint id. */
    public static final String ID = "httppools";

    private final PoolClient client;

    public HttpPoolsEndpoint(PoolClient client) {
        this.client = client;
    }

    @ReadOperation
    public HttpPoolsDescriptor pools() {
        return HttpPoolsDescriptor.of(client.snapshot());
    }

    @ReadOperation
    public @Nullable MountDescriptor mount(@Selector String name) {
        return client.snapshot(name).map(MountDescriptor::of).orElse(null);
    }

    /**
     * Drops a mount's pools.
     *
     * @return whether a mount of that name exists
     */
    @DeleteOperation
    public boolean drop(@Selector String name) {
        return client.drop(name);
    }
}
