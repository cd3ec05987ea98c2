package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.Protocols;
import io.poolclient.retry.Retry;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata shipped in the jar (what IDEs complete and document) against the
 * properties classes, read by reflection: every field of {@link MountProperties} and
 * {@link RetryProperties} (and of any nested properties class added later) is there for
 * {@code pool-client.defaults}, for the named mounts' map and for the implicit {@code http} and
 * {@code https} mounts, described in Spring Boot's style, with the engine's built-in defaults and the
 * value hints.
 */
class ConfigurationMetadataTests {

    private static final String DEFAULTS = "pool-client.defaults.";

    private static final List<String> IMPLICIT = List.of("pool-client.mounts.http.", "pool-client.mounts.https.");

    /** Keys whose default comes from Spring Boot's spring.http.clients.* before the built-in one. */
    private static final Set<String> FROM_SPRING_HTTP_CLIENTS = Set.of("connect-timeout", "read-timeout", "redirects",
            "ssl-bundle");

    private static final Pattern DEFAULT_SENTENCE = Pattern.compile("(^|[.;:]\\s+)Defaults?\\b");

    private static final Map<String, JsonNode> properties = new LinkedHashMap<>();

    private static final Map<String, JsonNode> groups = new LinkedHashMap<>();

    private static final Map<String, JsonNode> hints = new LinkedHashMap<>();

    private static final Map<String, Field> mountKeys = new LinkedHashMap<>();

    @BeforeAll
    static void read() throws Exception {
        try (InputStream in = ConfigurationMetadataTests.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json").isNotNull();
            JsonNode root = JsonMapper.builder().build().readTree(in);
            root.path("properties").forEach(p -> properties.put(p.path("name").asString(), p));
            root.path("groups").forEach(g -> groups.put(g.path("name").asString(), g));
            root.path("hints").forEach(h -> hints.put(h.path("name").asString(), h));
        }
        collect("", MountProperties.class);
        mountKeys.remove("prefix");
    }

    /** Every bindable field, kebab-case, nested properties classes flattened with their prefix ("retry.total"). */
    private static void collect(String prefix, Class<?> type) {
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            String key = prefix + kebab(field.getName());
            if (isNested(field)) {
                collect(key + ".", field.getType());
            }
            else {
                mountKeys.put(key, field);
            }
        }
    }

    private static boolean isNested(Field field) {
        Class<?> type = field.getType();
        return field.isAnnotationPresent(NestedConfigurationProperty.class)
                || (type.getPackageName().equals(MountProperties.class.getPackageName()) && !type.isEnum());
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static boolean isList(Field field) {
        return Collection.class.isAssignableFrom(field.getType()) || field.getType().isArray();
    }

    @Test
    void reflectionSeesTheKnownKeys() {
        assertThat(mountKeys).containsKeys("pool-maxsize", "pool-block", "retry.total", "retry.allowed-methods",
                "max-header-line").doesNotContainKey("retry").doesNotContainKey("prefix");
    }

    @Test
    void everyMountKeyIsDescribedForTheDefaultsAndTheImplicitMountsAlike() {
        for (Map.Entry<String, Field> key : mountKeys.entrySet()) {
            JsonNode defaults = properties.get(DEFAULTS + key.getKey());
            assertThat(defaults).as(DEFAULTS + key.getKey()).isNotNull();
            for (String mount : IMPLICIT) {
                JsonNode copy = properties.get(mount + key.getKey());
                assertThat(copy).as(mount + key.getKey()).isNotNull();
                assertThat(copy.path("type").asString()).isEqualTo(defaults.path("type").asString());
                assertThat(copy.path("description").asString()).isEqualTo(defaults.path("description").asString());
                assertThat(copy.path("defaultValue")).isEqualTo(defaults.path("defaultValue"));
            }
        }
    }

    @Test
    void noKeyIsDescribedThatTheClassesDoNotHave() {
        for (String base : List.of(DEFAULTS, IMPLICIT.get(0), IMPLICIT.get(1))) {
            Set<String> described = properties.keySet().stream()
                .filter(name -> name.startsWith(base))
                .map(name -> name.substring(base.length()))
                .collect(Collectors.toCollection(LinkedHashSet::new));
            assertThat(described).as(base + "*").containsExactlyInAnyOrderElementsOf(mountKeys.keySet());
        }
    }

    @Test
    void namedMountsAreAMapOfMountProperties() {
        JsonNode mounts = properties.get("pool-client.mounts");
        assertThat(mounts.path("type").asString())
            .isEqualTo("java.util.Map<java.lang.String," + MountProperties.class.getName() + ">");
        assertThat(mounts.path("description").asString()).contains("prefix");
        for (String mount : IMPLICIT) {
            String group = mount.substring(0, mount.length() - 1);
            assertThat(groups.get(group)).as(group).isNotNull();
            assertThat(groups.get(group).path("type").asString()).isEqualTo(MountProperties.class.getName());
            assertThat(groups.get(group).path("description").asString()).contains("takes no prefix");
        }
        assertThat(values("pool-client.mounts.keys")).containsExactly("http", "https");
    }

    @Test
    void descriptionsAreInSpringBootsStyle() {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : properties.entrySet()) {
            if (!p.getKey().startsWith("pool-client.") && !p.getKey().startsWith("management.health.httppools.")) {
                continue;
            }
            String description = p.getValue().path("description").asString();
            assertThat(description).as(p.getKey()).isNotBlank().endsWith(".").doesNotContain("{@", "<", "e.g.")
                .doesNotStartWith("A ").doesNotStartWith("An ").doesNotStartWith("The ")
                .doesNotContainPattern(DEFAULT_SENTENCE);
            assertThat(Character.isUpperCase(description.charAt(0))).as(p.getKey() + ": " + description).isTrue();
            checked.add(p.getKey());
        }
        for (Map.Entry<String, Field> key : mountKeys.entrySet()) {
            if (isList(key.getValue())) {
                assertThat(properties.get(DEFAULTS + key.getKey()).path("description").asString()).as(key.getKey())
                    .startsWith("Comma-separated list of ");
            }
        }
        assertThat(checked).hasSizeGreaterThan(3 * mountKeys.size());
    }

    @Test
    void keysThatSpringBootAlsoKnowsHaveNoDefaultButNameTheirFallback() {
        for (String key : FROM_SPRING_HTTP_CLIENTS) {
            JsonNode p = properties.get(DEFAULTS + key);
            assertThat(p.has("defaultValue")).as(key).isFalse();
            assertThat(p.path("description").asString()).as(key).contains("spring.http.clients.");
        }
    }

    @Test
    void defaultsAreTheEnginesBuiltInOnes() throws Exception {
        List<String> compared = new ArrayList<>();
        for (MountSettings.Key<?> key : MountSettings.keys()) {
            Object builtIn = MountSettings.BUILT_IN.get(key);
            Field field = mountKeys.get(key.property());
            if (builtIn == null || field == null) {
                continue;
            }
            assertDefault(key.property(), field, builtIn);
            compared.add(key.property());
        }
        Retry retry = Retry.builder().build();
        for (Map.Entry<String, Field> key : mountKeys.entrySet()) {
            if (!key.getKey().startsWith("retry.")) {
                continue;
            }
            Method getter;
            try {
                getter = Retry.class.getMethod(key.getValue().getName());
            }
            catch (NoSuchMethodException ex) {
                continue;
            }
            Object builtIn = getter.invoke(retry);
            if (builtIn == null || (builtIn instanceof Collection<?> c && c.isEmpty())) {
                continue;
            }
            assertDefault(key.getKey(), key.getValue(), builtIn);
            compared.add(key.getKey());
        }
        assertThat(compared).contains("pool-maxsize", "pool-timeout", "max-header-line", "retry.total",
                "retry.allowed-methods", "retry.backoff-max", "retry.respect-retry-after");
        assertThat(properties.get("pool-client.enabled").path("defaultValue").asBoolean()).isTrue();
    }

    private static void assertDefault(String key, Field field, Object builtIn) {
        if (builtIn instanceof Protocols protocols) {
            builtIn = protocols.names();
        }
        JsonNode value = properties.get(DEFAULTS + key).path("defaultValue");
        assertThat(value.isMissingNode()).as(key + " has a defaultValue").isFalse();
        if (builtIn instanceof Collection<?> expected) {
            List<String> actual = new ArrayList<>();
            value.forEach(v -> actual.add(v.asString()));
            assertThat(actual).as(key).containsExactlyInAnyOrderElementsOf(
                    expected.stream().map(String::valueOf).toList());
            return;
        }
        Object converted = ApplicationConversionService.getSharedInstance().convert(value.asString(), field.getType());
        if (converted instanceof DataSize size) {
            converted = (int) size.toBytes();
        }
        assertThat(converted).as(key).isEqualTo(builtIn);
    }

    @Test
    void valueHintsForTheKeysWithAFixedSetOfValues() {
        for (String base : List.of(DEFAULTS, IMPLICIT.get(0), IMPLICIT.get(1))) {
            assertThat(values(base + "redirects")).containsExactly("follow", "dont-follow");
            assertThat(values(base + "retry.allowed-methods")).containsAll(Retry.DEFAULT_ALLOWED_METHODS)
                .contains("POST", "PATCH");
            assertThat(values(base + "retry.status-forcelist")).contains("429", "502", "503", "504");
            assertThat(values(base + "protocols")).containsExactly("h2", "h2c", "http/1.1");
        }
        List<String> redirectModes = new ArrayList<>();
        for (MountProperties.RedirectMode mode : MountProperties.RedirectMode.values()) {
            redirectModes.add(kebab(mode.name().toLowerCase().replace('_', '-')));
        }
        assertThat(values(DEFAULTS + "redirects")).containsExactlyElementsOf(redirectModes);
    }

    @Test
    void theHealthIndicatorSwitchIsDescribed() {
        JsonNode p = properties.get("management.health.httppools.enabled");
        assertThat(p).isNotNull();
        assertThat(p.path("type").asString()).isEqualTo("java.lang.Boolean");
        assertThat(p.path("defaultValue").asBoolean()).isTrue();
    }

    @Test
    void autoConfigurationMetadataIsGenerated() throws Exception {
        Properties metadata = new Properties();
        try (InputStream in = ConfigurationMetadataTests.class
            .getResourceAsStream("/META-INF/spring-autoconfigure-metadata.properties")) {
            assertThat(in).as("spring-autoconfigure-metadata.properties").isNotNull();
            metadata.load(in);
        }
        assertThat(metadata.getProperty(PoolClientAutoConfiguration.class.getName() + ".ConditionalOnClass"))
            .contains("io.poolclient.PoolClient");
    }

    private static List<String> values(String hint) {
        JsonNode node = hints.get(hint);
        assertThat(node).as("hint " + hint).isNotNull();
        List<String> values = new ArrayList<>();
        node.path("values").forEach(v -> {
            assertThat(v.path("description").asString()).as(hint + " " + v.path("value")).isNotBlank();
            values.add(v.path("value").asString());
        });
        return values;
    }
}
