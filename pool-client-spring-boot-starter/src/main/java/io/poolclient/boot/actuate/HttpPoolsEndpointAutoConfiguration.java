package io.poolclient.boot.actuate;

import io.poolclient.PoolClient;
import io.poolclient.boot.PoolClientAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code httppools} actuator endpoint: only with Spring Boot Actuator on
 * the classpath, an engine in the context and the endpoint available (access not none, and
 * exposed). The actuator-specific conditions sit on the bean methods so that this class can be
 * read without Actuator on the classpath.
 */
@AutoConfiguration(after = PoolClientAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBooleanProperty(name = "pool-client.enabled", matchIfMissing = true)
@ConditionalOnBean(PoolClient.class)
public final class HttpPoolsEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(HttpPoolsEndpoint.class)
    HttpPoolsEndpoint httpPoolsEndpoint(PoolClient poolClient) {
        return new HttpPoolsEndpoint(poolClient);
    }

    @Bean
    @ConditionalOnBean(HttpPoolsEndpoint.class)
    static MountChangesResolver httpPoolsMountChangesResolver() {
        return new MountChangesResolver();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(HttpPoolsEndpoint.class)
    @ConditionalOnAvailableEndpoint(endpoint = HttpPoolsEndpoint.class, exposure = EndpointExposure.WEB)
    HttpPoolsEndpointWebExtension httpPoolsEndpointWebExtension(HttpPoolsEndpoint endpoint) {
        return new HttpPoolsEndpointWebExtension(endpoint);
    }
}
