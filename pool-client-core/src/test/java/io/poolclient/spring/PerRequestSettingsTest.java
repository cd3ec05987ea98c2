package io.poolclient.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.ReadTimeoutException;
import io.poolclient.retry.Retry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * {@link PoolClientAttributes} set on a request beat the mount's own settings for that request
 * only. Read timeouts are shown against a server that holds its answer back for two seconds: a
 * 200 ms timeout fails the request, a 60 s one lets it through.
 */
@Timeout(60)
class PerRequestSettingsTest {

    private static final Duration SHORT = Duration.ofMillis(200);
    private static final Duration LONG = Duration.ofSeconds(60);

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    @Test
    void aShortReadTimeoutAttributeBeatsTheMountsLongOne() throws Exception {
        RestClient rest = restClient(MountSettings.builder().readTimeout(LONG).build());
        server.enqueue(slow());

        assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> rest.get().uri(url("/slow")).attribute(PoolClientAttributes.READ_TIMEOUT, SHORT)
                        .retrieve().body(String.class))
                .withCauseInstanceOf(ReadTimeoutException.class);
    }

    @Test
    void aLongReadTimeoutAttributeBeatsTheMountsShortOneForThatRequestOnly() throws Exception {
        RestClient rest = restClient(MountSettings.builder().readTimeout(SHORT).build());
        server.enqueue(slow());
        server.enqueue(slow());

        assertThat(rest.get().uri(url("/slow")).attribute(PoolClientAttributes.READ_TIMEOUT, LONG)
                .retrieve().body(String.class)).isEqualTo("late");
        assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> rest.get().uri(url("/slow")).retrieve().body(String.class))
                .withCauseInstanceOf(ReadTimeoutException.class);
    }

    @Test
    void retryFalseSendsTheRequestOnceWhateverTheMountsPolicy() throws Exception {
        RestClient rest = restClient(MountSettings.builder()
                .retry(Retry.builder().total(3).statusForcelist(Set.of(503)).build()).build());
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());

        ResponseEntity<String> once = rest.get().uri(url("/r")).attribute(PoolClientAttributes.RETRY, Boolean.FALSE)
                .retrieve().onStatus(s -> true, (req, res) -> { }).toEntity(String.class);
        assertThat(once.getStatusCode().value()).isEqualTo(503);
        assertThat(server.getRequestCount()).isEqualTo(1);

        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        server.enqueue(new MockResponse.Builder().body("fine").build());
        assertThat(rest.get().uri(url("/r")).retrieve().body(String.class)).as("without the attribute the mount retries")
                .isEqualTo("fine");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void anAttributeOfTheWrongTypeFailsBeforeAnythingIsSent() {
        RestClient rest = restClient(MountSettings.EMPTY);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> rest.get().uri(url("/x")).attribute(PoolClientAttributes.READ_TIMEOUT, "5s")
                        .retrieve().body(String.class))
                .withMessageContaining(PoolClientAttributes.READ_TIMEOUT).withMessageContaining("java.time.Duration");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> rest.get().uri(url("/x")).attribute(PoolClientAttributes.RETRY, "false")
                        .retrieve().body(String.class))
                .withMessageContaining(PoolClientAttributes.RETRY).withMessageContaining("Boolean");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void restTemplateHasNoAttributesOfItsOwnButAnInterceptorCanSetThem() throws Exception {
        client = PoolClient.builder().mount("up", "http://127.0.0.1:" + server.getPort() + "/",
                MountSettings.builder().readTimeout(LONG).build()).build();
        RestTemplate plain = new RestTemplate(new PoolingClientHttpRequestFactory(client));
        RestTemplate intercepted = new RestTemplate(new PoolingClientHttpRequestFactory(client));
        intercepted.setInterceptors(List.<ClientHttpRequestInterceptor>of((request, body, execution) -> {
            request.getAttributes().put(PoolClientAttributes.READ_TIMEOUT, SHORT);
            return execution.execute(request, body);
        }));
        server.enqueue(slow());
        server.enqueue(slow());

        assertThat(plain.getForObject(url("/slow"), String.class)).as("the mount's 60 s").isEqualTo("late");
        assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> intercepted.getForObject(url("/slow"), String.class))
                .withCauseInstanceOf(ReadTimeoutException.class);
    }

    private RestClient restClient(MountSettings mount) {
        client = PoolClient.builder().mount("up", "http://127.0.0.1:" + server.getPort() + "/", mount).build();
        return RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();
    }

    private static MockResponse slow() {
        return new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("late").build();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }
}
