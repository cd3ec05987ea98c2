package io.poolclient.boot.health;

import io.poolclient.PoolClient;
import io.poolclient.boot.PoolClientAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code httppools} health indicator
 * ({@code management.health.httppools.enabled}, default true); only with Spring Boot's health
 * module on the classpath and an engine in the context. The health-specific condition sits on the
 * bean method so that this class can be read without that module.
 */
@AutoConfiguration(after = PoolClientAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBooleanProperty(name = "pool-client.enabled", matchIfMissing = true)
@ConditionalOnBean(PoolClient.class)
public final class HttpPoolsHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "httppoolsHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("httppools")
    HttpPoolsHealthIndicator httppoolsHealthIndicator(PoolClient poolClient) {
        return new HttpPoolsHealthIndicator(poolClient);
    }
}
