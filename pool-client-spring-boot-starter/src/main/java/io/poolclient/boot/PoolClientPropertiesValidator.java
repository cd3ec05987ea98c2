package io.poolclient.boot;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginProvider;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.validation.BindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;

/**
 * Checks bound {@code pool-client.*} properties with the engine's own rules
 * ({@link PoolClientPropertiesMapper}, {@link MountSettings#validate(String)},
 * {@link PoolClient.Builder#validate()}) while Spring Boot binds them, so that a bad value stops the
 * application before any bean uses it, and Boot's failure analysis shows the property, its value and
 * where it was set (file and line). The first violation is reported, as a field error on its full
 * property name ({@code pool-client.mounts.payments.pool-maxsize}). {@code ssl-bundle} names are left
 * to the engine, which checks everything again when it is built: the application's SSL bundles do
 * not exist yet while properties are bound.
 *
 * <p>Immutable; safe to call from any thread (the binder calls it on the thread that binds).
 */
final class PoolClientPropertiesValidator {

    private static final String CODE = "invalid";

    /** The user-info of a URL ({@code https://user:secret@host/}): never shown. */
    private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@]*@");

    private final @Nullable Environment environment;

    /**
     * @param environment where the origins of rejected values are looked up; {@code null} reports
     *     errors without value and origin
     */
    PoolClientPropertiesValidator(@Nullable Environment environment) {
        this.environment = environment;
    }

    void validate(PoolClientProperties properties, Errors errors) {
        try {
            new PoolClientPropertiesMapper(null).builder(properties).validate();
        }
        catch (IllegalArgumentException ex) {
            reject(errors, String.valueOf(ex.getMessage()));
        }
    }

    /** Every engine message starts with the property it is about: that becomes the rejected field. */
    private void reject(Errors errors, String message) {
        String property = message.split(" ", 2)[0];
        String root = PoolClientPropertiesMapper.ROOT + ".";
        if (!(errors instanceof BindingResult result) || !property.startsWith(root)
                || !ConfigurationPropertyName.isValid(property)) {
            errors.reject(CODE, message);
            return;
        }
        String field = property.substring(root.length());
        ConfigurationProperty configured = find(ConfigurationPropertyName.of(property));
        result.addError(new PropertyError(errors.getObjectName(), field,
                configured == null ? null : masked(configured.getValue()), message,
                configured == null ? null : configured.getOrigin()));
    }

    /** A URL's credentials are replaced by {@code ******}: the analysis is logged. */
    private static Object masked(Object value) {
        return value instanceof CharSequence text ? USER_INFO.matcher(text).replaceFirst("$1******@") : value;
    }

    private @Nullable ConfigurationProperty find(ConfigurationPropertyName name) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return null;
        }
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(configurable)) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property != null) {
                return property;
            }
        }
        return null;
    }

    /** A field error that knows where its value was set; Boot's failure analysis prints that origin. */
    private static final class PropertyError extends FieldError implements OriginProvider {

        private final @Nullable Origin origin;

        PropertyError(String objectName, String field, @Nullable Object value, String message, @Nullable Origin origin) {
            super(objectName, field, value, false, new String[] { CODE + "." + objectName + "." + field, CODE }, null,
                    message);
            this.origin = origin;
        }

        @Override
        public @Nullable Origin getOrigin() {
            return origin;
        }
    }
}
