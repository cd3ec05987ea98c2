package io.poolclient.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Whether pool-client takes over Spring Boot's request factories. It does not when the application
 * chose otherwise: {@code spring.http.clients.imperative.factory} set explicitly (to {@code jdk},
 * say), or a {@link ClientHttpRequestFactoryBuilder} bean of its own. Then nothing would send
 * through an auto-configured engine, so none is made (nor its endpoint, meters or health); a
 * {@code PoolClient} bean of the application's own still gets them. Backing off is logged at INFO.
 */
final class PoolClientTakeOverCondition extends SpringBootCondition implements ConfigurationCondition {

    static final String FACTORY_PROPERTY = "spring.http.clients.imperative.factory";

    private static final Logger log = LoggerFactory.getLogger(PoolClientAutoConfiguration.class);

    @Override
    public ConfigurationPhase getConfigurationPhase() {
        return ConfigurationPhase.REGISTER_BEAN;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String factory = context.getEnvironment().getProperty(FACTORY_PROPERTY);
        if (factory != null && !factory.isBlank()) {
            return backOff(FACTORY_PROPERTY + "=" + factory + " chooses another request factory");
        }
        ConfigurableListableBeanFactory beans = context.getBeanFactory();
        String[] own = beans == null ? new String[0]
                : beans.getBeanNamesForType(ClientHttpRequestFactoryBuilder.class, true, false);
        if (own.length > 0) {
            return backOff("the application defines its own ClientHttpRequestFactoryBuilder (bean '" + own[0] + "')");
        }
        return ConditionOutcome.match("no other request factory chosen");
    }

    private static ConditionOutcome backOff(String reason) {
        log.info("pool-client backs off: {}; Spring's clients do not use the pools, and no engine is auto-configured",
                reason);
        return ConditionOutcome.noMatch(reason);
    }
}
