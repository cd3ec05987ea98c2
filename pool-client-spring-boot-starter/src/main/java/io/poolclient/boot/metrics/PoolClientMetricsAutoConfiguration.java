package io.poolclient.boot.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolclient.PoolClient;
import io.poolclient.boot.PoolClientAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the pool meters: only with Micrometer on the classpath, a
 * {@link MeterRegistry} bean and an engine in the context. {@link PoolMeters} is both the
 * {@code MeterBinder} Spring Boot binds once the registry is ready and a {@code PoolListener} bean
 * the engine is built with, so pools created later still get their meters.
 */
@AutoConfiguration(after = PoolClientAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = "pool-client.enabled", matchIfMissing = true)
@ConditionalOnBean({ MeterRegistry.class, PoolClient.class })
public final class PoolClientMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PoolMeters poolClientMeters(ObjectProvider<PoolClient> poolClient) {
        return new PoolMeters(poolClient::getObject);
    }
}
