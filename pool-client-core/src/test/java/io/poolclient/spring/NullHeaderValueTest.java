package io.poolclient.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolClient;
import java.io.IOException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.client.RestClient;

/**
 * A header Spring hands over with a {@code null} value (as {@code headers.add("X-Test", null)}
 * allows) is sent with an empty value, as Spring's other request factories do, instead of failing.
 */
@Timeout(30)
class NullHeaderValueTest {

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        server.start();
        client = PoolClient.builder().build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void aNullHeaderValueIsSentEmpty() throws Exception {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        RestClient rest = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();

        String body = rest.get().uri("http://127.0.0.1:" + server.getPort() + "/null-header")
                .headers(h -> h.add("X-Test", null))
                .retrieve().body(String.class);

        assertThat(body).isEqualTo("ok");
        RecordedRequest recorded = server.takeRequest();
        assertThat(recorded.getHeaders().values("X-Test")).containsExactly("");
        assertThat(client.snapshot("http").orElseThrow().pools().get(0).leased()).isZero();
    }
}
