package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolClient;
import io.poolclient.boot.PoolingClientHttpRequestFactoryBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.restclient.test.autoconfigure.RestClientTest;
import org.springframework.context.ApplicationContext;

/** The {@code @RestClientTest} slice includes the starter's auto-configuration. */
@RestClientTest(properties = "pool-client.mounts.https.pool-maxsize=3")
class RestClientTestSliceTests {

    @Autowired
    ApplicationContext context;

    @Test
    void sliceHasTheEngineAndItsFactoryBuilder() {
        assertThat(context.getBean(PoolClient.class).settings("https").orElseThrow().poolMaxsize()).isEqualTo(3);
        assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
            .isInstanceOf(PoolingClientHttpRequestFactoryBuilder.class);
    }
}
