package io.poolclient.internal.proxy;

import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the proxy for one request (and again for each redirect hop):
 * <ol>
 *   <li>a target matching the mount's {@code no-proxy} goes direct;</li>
 *   <li>else the mount's explicit {@code proxy}, if set, is used (loopback targets included);</li>
 *   <li>else, with {@code trust-env}, the {@link ProxyEnvironment}'s proxy, except that {@code localhost}
 *       (and names under {@code .localhost}) and loopback literals ({@code 127.0.0.0/8}, {@code ::1})
 *       always go direct;</li>
 *   <li>else direct.</li>
 * </ol>
 * Stateless and thread-safe.
 */
public final class ProxySelection {

    private ProxySelection() {
    }

    /**
     * @param scheme the target's scheme, {@code http} or {@code https}
     * @param host the target host, a name or literal (IPv6 with or without brackets)
     * @param port the target port, default filled in
     * @param explicit the mount's {@code proxy}, or {@code null}
     * @param noProxy the mount's {@code no-proxy}
     * @param trustEnv the mount's {@code trust-env}
     * @param environment the proxies discovered for {@code trust-env}
     * @return the proxy to use, or empty for a direct connection
     */
    public static Optional<ProxyUrl> select(String scheme, String host, int port, ProxyUrl explicit,
            NoProxy noProxy, boolean trustEnv, ProxyEnvironment environment) {
        if (noProxy != null && noProxy.matches(host, port)) {
            return Optional.empty();
        }
        if (explicit != null) {
            return Optional.of(explicit);
        }
        if (!trustEnv || environment == null || environment.isEmpty() || isLoopback(host)) {
            return Optional.empty(); // nothing found outside the configuration: no target needs looking at
        }
        return environment.proxyFor(scheme, host, port);
    }

    /** Whether {@code host} is {@code localhost}, a name under {@code .localhost} or a loopback address literal. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        byte[] address = IpLiteral.parse(h);
        if (address == null) {
            return false;
        }
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }
}
