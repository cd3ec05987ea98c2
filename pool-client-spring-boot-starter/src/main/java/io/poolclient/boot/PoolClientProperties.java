package io.poolclient.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code pool-client.*} properties: a switch, settings for every mount and the mounts
 * themselves. Every mount setting is optional; an unset one falls back to
 * {@code pool-client.defaults}, then (connect/read timeout, redirects, SSL bundle) to Spring Boot's
 * per-client {@code spring.http.*} settings, then to the built-in default.
 *
 * <pre>
 * pool-client:
 *   defaults:
 *     pool-maxsize: 20
 *   mounts:
 *     payments:
 *       prefix: https://api.payments.example/
 *       pool-maxsize: 50
 *     https:
 *       pool-connections: 50
 * </pre>
 *
 * <p>The properties validate themselves while they are bound ({@link Validator}), with the engine's
 * rules: a bad value fails the application at startup, and Spring Boot's failure analysis names the
 * property, the value and where it was set.
 */
@ConfigurationProperties("pool-client")
public class PoolClientProperties implements Validator, EnvironmentAware {

    /**
     * Whether pool-client takes over the auto-configured HTTP clients. When false the starter
     * creates nothing: no engine, no request factory builder, no endpoint, no meters.
     */
    private boolean enabled = true;

    /**
     * Settings for every mount, the implicit "http" and "https" ones included; each mount
     * overrides them key by key. "prefix" is not allowed here.
     */
    @NestedConfigurationProperty
    private MountProperties defaults = new MountProperties();

    /**
     * Mounts by name. Each needs a "prefix" (an http:// or https:// URL prefix); the longest
     * matching prefix wins. The implicit mounts "http" and "https" always exist, take no prefix and
     * can be tuned here under their names.
     */
    private Map<String, MountProperties> mounts = new LinkedHashMap<>();

    private @Nullable Environment environment;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public MountProperties getDefaults() {
        return defaults;
    }

    public void setDefaults(MountProperties defaults) {
        this.defaults = defaults;
    }

    public Map<String, MountProperties> getMounts() {
        return mounts;
    }

    public void setMounts(Map<String, MountProperties> mounts) {
        this.mounts = mounts;
    }

    /** Where the origins (file and line) of rejected values are looked up; set by the container. */
    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    /** Only the properties as a whole are validated: the engine's rules span mounts (shared prefixes). */
    @Override
    public boolean supports(Class<?> type) {
        return PoolClientProperties.class.isAssignableFrom(type);
    }

    /** Runs the bound properties through the engine's validation; the first violation becomes a field error. */
    @Override
    public void validate(Object target, Errors errors) {
        new PoolClientPropertiesValidator(environment).validate((PoolClientProperties) target, errors);
    }
}
