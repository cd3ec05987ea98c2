package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The generated IDE metadata (Javadoc from the properties classes merged with
 * {@code additional-spring-configuration-metadata.json}) describes every key, with its default.
 */
class ConfigurationMetadataTests {

    private static final List<String> UNSET_BY_DEFAULT = List.of("max-lifetime", "leak-detection-threshold",
            "ssl-bundle", "retry.connect", "retry.read", "retry.status", "retry.budget-percent", "proxy", "no-proxy");

    private static final Map<String, JsonNode> properties = new HashMap<>();

    @BeforeAll
    static void read() throws Exception {
        try (InputStream in = ConfigurationMetadataTests.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            root.path("properties").forEach(p -> properties.put(p.path("name").asString(), p));
        }
    }

    private static List<String> mountKeys() {
        List<String> keys = new ArrayList<>();
        properties.keySet().stream()
            .filter(n -> n.startsWith("pool-client.defaults."))
            .map(n -> n.substring("pool-client.defaults.".length()))
            .filter(k -> !k.equals("prefix"))
            .forEach(keys::add);
        return keys;
    }

    @Test
    void everyPerMountSettingIsThere() {
        assertThat(mountKeys()).containsExactlyInAnyOrder("pool-connections", "pool-maxsize", "pool-block",
                "pool-timeout", "connect-timeout", "read-timeout", "idle-timeout", "max-lifetime", "max-retries",
                "retry.total", "retry.connect", "retry.read", "retry.status", "retry.status-forcelist",
                "retry.allowed-methods", "retry.backoff-factor", "retry.backoff-max", "retry.backoff-jitter",
                "retry.respect-retry-after", "retry.raise-on-status", "ssl-bundle", "redirects", "max-redirects",
                "decompress", "leak-detection-threshold", "max-header-count", "max-header-line", "retry.budget-percent",
                "retry.budget-min-per-second", "retry.budget-window", "proxy", "no-proxy", "trust-env");
    }

    @Test
    void everyKeyHasADescriptionAndEveryDefaultedKeyItsDefault() {
        for (String base : List.of("pool-client.defaults.", "pool-client.mounts.http.", "pool-client.mounts.https.")) {
            for (String key : mountKeys()) {
                JsonNode p = properties.get(base + key);
                assertThat(p).as(base + key).isNotNull();
                assertThat(p.path("description").asString()).as(base + key).isNotBlank();
                if (!UNSET_BY_DEFAULT.contains(key)) {
                    assertThat(p.has("defaultValue")).as(base + key + " default").isTrue();
                }
            }
        }
        assertThat(properties.get("pool-client.defaults.pool-maxsize").path("defaultValue").asInt()).isEqualTo(10);
        assertThat(properties.get("pool-client.defaults.retry.total").path("defaultValue").asInt()).isEqualTo(3);
        assertThat(properties.get("pool-client.enabled").path("defaultValue").asBoolean()).isTrue();
        assertThat(properties.get("pool-client.mounts").path("description").asString()).contains("prefix");
    }
}
