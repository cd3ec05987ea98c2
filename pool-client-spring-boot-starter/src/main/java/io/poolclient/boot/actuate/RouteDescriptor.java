package io.poolclient.boot.actuate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.poolclient.Route;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The body of {@code GET /actuator/httppools?url=…}: which mount, proxy, settings and host pool
 * would serve that URL. Asking opens no connection and creates no pool. {@code proxy} and
 * {@code pool} are written as {@code null} when there is none (the actuator's mapper omits other nulls).
 *
 * @param url the URL asked about, without user-info
 * @param mount the name of the mount whose prefix matches longest
 * @param prefix that mount's normalized prefix
 * @param proxy the proxy URL the request would go through, without user-info; {@code null} for a direct connection
 * @param settings the mount's settings now, as in the mount object (see {@link SettingsDescription})
 * @param pool the host pool now, as in a mount's {@code pools}; {@code null} when none is open for that host yet
 */
public record RouteDescriptor(String url, String mount, String prefix,
        @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable String proxy, Map<String, Object> settings,
        @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable PoolDescriptor pool) implements OperationResponseBody {

    /** The descriptor of a route the engine found. */
    public static RouteDescriptor of(Route route) {
        return new RouteDescriptor(route.url(), route.mount(), route.prefix(), route.proxy(),
                SettingsDescription.of(route.settings()), route.pool() == null ? null : PoolDescriptor.of(route.pool()));
    }
}
