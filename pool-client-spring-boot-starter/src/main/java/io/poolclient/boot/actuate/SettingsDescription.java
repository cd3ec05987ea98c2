package io.poolclient.boot.actuate;

import io.poolclient.MountSettings;
import io.poolclient.NoProxyHosts;
import io.poolclient.Protocols;
import io.poolclient.TlsConfig;
import io.poolclient.retry.Retry;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A mount's settings as the endpoint shows them: every set key under its property name in
 * camelCase ({@code pool-maxsize} is {@code poolMaxsize}, {@code ssl-bundle} is
 * {@code sslBundle}), in the order of {@link MountSettings#keys()}; unset keys are omitted.
 * Durations are written the way properties spell them ({@code 30s}, {@code 250ms}), enums in
 * kebab-case ({@code dont-follow}), TLS material by its name only, a retry policy as an object of its
 * own keys, a proxy as {@code scheme://host:port} (never its user-info), {@code no-proxy} as a list.
 * Nothing secret is included.
 */
public final class SettingsDescription {

    private SettingsDescription() {
    }

    /** The set keys of {@code settings}, in key order. */
    public static Map<String, Object> of(MountSettings settings) {
        Map<String, Object> described = new LinkedHashMap<>();
        for (MountSettings.Key<?> key : MountSettings.keys()) {
            Object value = settings.get(key);
            if (value != null) {
                described.put(camelCase(key.property()), value(value));
            }
        }
        return described;
    }

    private static Object value(Object value) {
        if (value instanceof Duration d) {
            return format(d);
        }
        if (value instanceof TlsConfig tls) {
            return tls.name();
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof Retry retry) {
            return retry(retry);
        }
        if (value instanceof NoProxyHosts hosts) {
            return hosts.entries();
        }
        if (value instanceof Protocols protocols) {
            return protocols.names();
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof String) {
            return value;
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(SettingsDescription::value).toList();
        }
        return value.toString();
    }

    private static Map<String, Object> retry(Retry retry) {
        Map<String, Object> r = new LinkedHashMap<>();
        putIfSet(r, "total", retry.total());
        putIfSet(r, "connect", retry.connect());
        putIfSet(r, "read", retry.read());
        putIfSet(r, "status", retry.status());
        r.put("statusForcelist", List.copyOf(retry.statusForcelist()));
        r.put("allowedMethods", List.copyOf(retry.allowedMethods()));
        r.put("backoffFactor", format(retry.backoffFactor()));
        r.put("backoffMax", format(retry.backoffMax()));
        r.put("backoffJitter", format(retry.backoffJitter()));
        r.put("respectRetryAfter", retry.respectRetryAfter());
        r.put("raiseOnStatus", retry.raiseOnStatus());
        if (retry.hasBudget()) {
            r.put("budgetPercent", retry.budgetPercent());
            r.put("budgetMinPerSecond", retry.budgetMinPerSecond());
            r.put("budgetWindow", format(retry.budgetWindow()));
        }
        return r;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** A duration the way Spring Boot properties spell it: {@code 30s}, {@code 250ms}, {@code 2m}, {@code 1h}. */
    public static String format(Duration d) {
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return (ms / 3_600_000) + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return (ms / 60_000) + "m";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return ms + "ms";
    }

    static String camelCase(String kebab) {
        StringBuilder s = new StringBuilder(kebab.length());
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            }
            else {
                s.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return s.toString();
    }
}
