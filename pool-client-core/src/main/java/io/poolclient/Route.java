package io.poolclient;

import org.jspecify.annotations.Nullable;

/**
 * Which mount and host pool would serve a URL, as {@link PoolClient#route} finds it without opening
 * anything (what {@code GET /actuator/httppools?url=} shows).
 *
 * @param url the URL asked about, without user-info
 * @param mount the name of the mount whose prefix matches longest
 * @param prefix that mount's normalized prefix ({@code http://} or {@code https://} for the implicit mounts)
 * @param proxy the proxy the request would go through, without user-info; {@code null} for a direct connection
 * @param settings the mount's settings now, resolved from the mount, {@code pool-client.defaults} and
 *     the built-in defaults (the keys Spring Boot also knows stay unset unless one of those sets them)
 * @param pool the host pool's counts now; {@code null} when no pool for that host is open yet
 */
public record Route(String url, String mount, String prefix, @Nullable String proxy, MountSettings settings,
        @Nullable PoolSnapshot pool) {
}
