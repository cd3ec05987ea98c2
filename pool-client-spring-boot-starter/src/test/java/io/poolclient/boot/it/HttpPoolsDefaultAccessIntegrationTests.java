package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Without {@code management.endpoint.httppools.access}, the endpoint is read-only: GET works over
 * HTTP, DELETE and POST are not mapped.
 */
@SpringBootTest(classes = PoolClientTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=httppools",
                "spring.http.serviceclient.upstream.base-url=http://127.0.0.1:9/" })
class HttpPoolsDefaultAccessIntegrationTests {

    @LocalServerPort
    int port;

    @Test
    void readOnlyByDefault() {
        Actuator actuator = new Actuator(port);
        assertThat(actuator.call("GET", "/httppools").status()).isEqualTo(200);
        assertThat(actuator.call("GET", "/httppools/https").status()).isEqualTo(200);
        assertThat(actuator.call("DELETE", "/httppools/https").status()).isEqualTo(405);
        assertThat(actuator.call("DELETE", "/httppools").status()).isEqualTo(405);
        assertThat(actuator.call("POST", "/httppools/https", "{\"poolMaxsize\":2}").status()).isEqualTo(405);
        assertThat(actuator.get("/httppools/https").path("settings").path("poolMaxsize").asInt()).isEqualTo(10);
    }
}
