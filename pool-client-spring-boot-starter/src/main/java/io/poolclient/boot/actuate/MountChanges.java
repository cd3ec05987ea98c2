package io.poolclient.boot.actuate;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.convert.DurationStyle;

/**
 * The body of {@code POST /actuator/httppools/{name}}: the settings to change on a running mount,
 * under the names the mount object's {@code settings} uses. Durations are written as in properties
 * ({@code 250ms}, {@code 30s}, {@code PT1M}) or as a number of milliseconds; numbers as JSON numbers
 * or digit strings; {@code poolBlock} as a JSON boolean or {@code "true"}/{@code "false"}.
 *
 * <p>Actuator hands an operation only the body keys it declares as parameters; this type carries the
 * whole body instead ({@link MountChangesResolver} supplies it), so that an unknown key is refused
 * rather than silently ignored.
 *
 * @param values the body's keys and values, in the order given
 */
public record MountChanges(Map<String, Object> values) {

    /**
     * The body keys {@link #toSettings()} accepts. {@code maxConcurrentStreams} applies to HTTP/2
     * streams opened later and must be at least 1.
     */
    public static final List<String> KEYS = List.of("poolMaxsize", "poolBlock", "poolTimeout", "poolConnections",
            "connectTimeout", "readTimeout", "maxConcurrentStreams");

    public MountChanges {
        values = new LinkedHashMap<>(values);
    }

    /**
     * The change as engine settings, for {@link PoolClient#update}.
     *
     * @throws IllegalArgumentException naming the key, for an unknown key, a value of the wrong type or
     *     an empty change
     */
    public MountSettings toSettings() {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("Nothing to change: give at least one of " + KEYS);
        }
        MountSettings.Builder b = MountSettings.builder();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (value == null) {
                throw new IllegalArgumentException(key + " must have a value, was null");
            }
            switch (key) {
                case "poolMaxsize" -> b.poolMaxsize(integer(key, value));
                case "poolConnections" -> b.poolConnections(integer(key, value));
                case "poolBlock" -> b.poolBlock(bool(key, value));
                case "poolTimeout" -> b.poolTimeout(duration(key, value));
                case "connectTimeout" -> b.connectTimeout(duration(key, value));
                case "readTimeout" -> b.readTimeout(duration(key, value));
                case "maxConcurrentStreams" -> b.maxConcurrentStreams(atLeastOne(key, integer(key, value)));
                default -> throw new IllegalArgumentException("Unknown key '" + key + "': a running mount can change "
                        + KEYS);
            }
        }
        return b.build();
    }

    private static int integer(String key, Object value) {
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof String s && s.matches("-?\\d{1,9}")) {
            return Integer.parseInt(s);
        }
        throw new IllegalArgumentException(key + " must be a whole number, was " + shown(value));
    }

    private static int atLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, was " + value);
        }
        return value;
    }

    private static boolean bool(String key, Object value) {
        if (value instanceof Boolean flag) {
            return flag;
        }
        if ("true".equals(value) || "false".equals(value)) {
            return Boolean.parseBoolean((String) value);
        }
        throw new IllegalArgumentException(key + " must be true or false, was " + shown(value));
    }

    private static Duration duration(String key, Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return Duration.ofMillis(((Number) value).longValue());
        }
        if (value instanceof String s) {
            try {
                return DurationStyle.detectAndParse(s.trim());
            }
            catch (IllegalArgumentException ex) {
                // reported below, naming the key
            }
        }
        throw new IllegalArgumentException(key + " must be a duration such as 250ms, 30s or PT1M, was " + shown(value));
    }

    private static String shown(Object value) {
        String text = value instanceof String s ? "'" + s + "'" : String.valueOf(value);
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
