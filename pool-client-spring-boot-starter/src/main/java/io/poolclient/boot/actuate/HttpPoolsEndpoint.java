package io.poolclient.boot.actuate;

import io.poolclient.PoolClient;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code httppools} actuator endpoint: every mount of the engine with its resolved settings
 * and host pools, in match order (longest prefix first, implicit mounts last).
 *
 * <ul>
 * <li>read: {@code {"mounts":[...]}}, see {@link HttpPoolsDescriptor};</li>
 * <li>read {@code ?url=}: which mount, proxy, settings and pool would serve that URL, see
 * {@link RouteDescriptor}; nothing is opened;</li>
 * <li>write {@code {name}}: changes a running mount's pool sizes, timeouts and HTTP/2 stream limit from a JSON body with
 * the keys of {@code settings} ({@link MountChanges}) and answers the mount object;</li>
 * <li>delete: drops the pools of every mount;</li>
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
 * write and delete operations. Nothing secret is shown: prefixes never carry user-info and an SSL bundle is
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

    /** Every mount: {@code {"mounts":[...]}}. */
    public HttpPoolsDescriptor pools() {
        return HttpPoolsDescriptor.of(client.snapshot());
    }

    /**
     * Without {@code url}, every mount ({@link #pools()}); with it, which mount and pool would serve
     * that URL ({@link RouteDescriptor}), found without opening anything.
     *
     * @throws InvalidEndpointRequestException (400 over HTTP) when {@code url} is not an absolute
     *     http(s) URL
     */
    @ReadOperation
    public OperationResponseBody pools(@Nullable String url) {
        return url == null ? pools() : route(url);
    }

    /**
     * Which mount and pool would serve {@code url}.
     *
     * @throws InvalidEndpointRequestException when it is not an absolute http(s) URL; the message
     *     never repeats the URL's user-info
     */
    public RouteDescriptor route(String url) {
        try {
            return RouteDescriptor.of(client.route(new URI(url.trim())));
        }
        catch (URISyntaxException ex) {
            String message = "url is not a valid URL (" + ex.getReason() + ")";
            throw new InvalidEndpointRequestException(message, message);
        }
        catch (IllegalArgumentException ex) {
            String message = "url: " + ex.getMessage();
            throw new InvalidEndpointRequestException(message, message);
        }
    }

    /**
     * Changes a running mount's {@code poolMaxsize}, {@code poolBlock}, {@code poolTimeout},
     * {@code poolConnections}, {@code connectTimeout}, {@code readTimeout} and
     * {@code maxConcurrentStreams} until restart (see
     * {@link PoolClient#update}); needs {@code access=unrestricted}.
     *
     * @return the mount object after the change; {@code null} (404 over HTTP) when no mount has that name
     * @throws InvalidEndpointRequestException (400 over HTTP) naming an unknown key or an invalid value
     */
    @WriteOperation
    public @Nullable MountDescriptor update(@Selector String name, MountChanges changes) {
        try {
            if (!client.update(name, changes.toSettings())) {
                return null;
            }
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
        }
        return mount(name);
    }

    /** Drops the pools of every mount, as {@link #drop} does for one. */
    @DeleteOperation
    public void dropAll() {
        client.snapshot().mounts().forEach(m -> client.drop(m.name()));
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
