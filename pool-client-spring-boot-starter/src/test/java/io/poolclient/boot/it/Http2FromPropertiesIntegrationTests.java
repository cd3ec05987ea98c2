package io.poolclient.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * HTTP/2 turned on from properties ({@code protocols: [h2c]} and {@code max-concurrent-streams} on a
 * mount): the auto-configured {@code RestClient} multiplexes concurrent requests as streams of one
 * connection (MockWebServer's connection index says how many the server saw), and
 * {@code /actuator/httppools} and the {@code http.client.pool.streams} gauge show the streams while
 * they are open and the counts adding up once they have ended.
 */
@SpringBootTest(classes = PoolClientTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "server.address=127.0.0.1", "management.endpoints.web.exposure.include=httppools",
                "spring.http.serviceclient.upstream.base-url=http://127.0.0.1:9/" })
class Http2FromPropertiesIntegrationTests {

    private static final int IN_FLIGHT = 3;
    private static final long BOUND_SECONDS = 20;

    private static MockWebServer upstream;
    private static final Set<Integer> connections = ConcurrentHashMap.newKeySet();
    private static final CountDownLatch arrived = new CountDownLatch(IN_FLIGHT);
    private static final CountDownLatch answer = new CountDownLatch(1);

    @LocalServerPort
    int port;

    @Autowired
    RestClient.Builder restClient;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void start() throws IOException {
        upstream = new MockWebServer();
        upstream.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                connections.add(request.getConnectionIndex());
                arrived.countDown();
                // held until the test has looked at the open streams (bounded: the test fails on its own count)
                answer.await(BOUND_SECONDS, TimeUnit.SECONDS);
                return new MockResponse.Builder().body("stream " + request.getUrl().encodedPath()).build();
            }
        });
        upstream.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @DynamicPropertySource
    static void h2Properties(DynamicPropertyRegistry registry) {
        registry.add("pool-client.mounts.h2.prefix", () -> "http://127.0.0.1:" + upstream.getPort() + "/");
        registry.add("pool-client.mounts.h2.protocols", () -> "h2c");
        registry.add("pool-client.mounts.h2.max-concurrent-streams", () -> "8");
    }

    @AfterAll
    static void stop() throws IOException {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void concurrentRequestsAreStreamsOfOneConnectionAndShowAsSuch() throws Exception {
        RestClient client = restClient.build();
        String base = "http://127.0.0.1:" + upstream.getPort() + "/";
        ExecutorService callers = Executors.newFixedThreadPool(IN_FLIGHT);
        List<Future<String>> bodies = new ArrayList<>();
        try {
            for (int i = 0; i < IN_FLIGHT; i++) {
                String path = "r" + i;
                bodies.add(callers.submit(() -> client.get().uri(base + path).retrieve().body(String.class)));
            }
            assertThat(arrived.await(BOUND_SECONDS, TimeUnit.SECONDS)).as("all requests in flight at once").isTrue();

            Actuator actuator = new Actuator(port);
            JsonNode mount = actuator.get("/httppools/h2");
            assertThat(mount.path("settings").path("protocols").path(0).asString()).isEqualTo("h2c");
            JsonNode busy = mount.path("pools").path(0);
            assertThat(busy.path("protocol").asString()).isEqualTo("h2");
            assertThat(busy.path("activeStreams").asInt()).isEqualTo(IN_FLIGHT);
            assertThat(busy.path("leased").asInt()).as("one connection carries every stream").isEqualTo(1);
            assertThat(busy.path("opened").asLong()).isEqualTo(1);
            assertThat(busy.path("maxConcurrentStreams").asInt()).isEqualTo(8);
            Gauge streams = meters.get("http.client.pool.streams").tag("mount", "h2").gauge();
            assertThat(streams.value()).isEqualTo(IN_FLIGHT);
        }
        finally {
            answer.countDown();
            callers.shutdown();
        }
        for (int i = 0; i < IN_FLIGHT; i++) {
            assertThat(bodies.get(i).get(BOUND_SECONDS, TimeUnit.SECONDS)).isEqualTo("stream /r" + i);
        }
        assertThat(callers.awaitTermination(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(connections).as("connections the server saw").hasSize(1);

        JsonNode done = new Actuator(port).get("/httppools/h2").path("pools").path(0);
        assertThat(done.path("activeStreams").asInt()).isZero();
        assertThat(done.path("leased").asInt()).isZero();
        assertThat(done.path("requests").asLong()).as("streams opened").isEqualTo(IN_FLIGHT);
        assertThat(done.path("opened").asLong()).isEqualTo(done.path("idle").asLong() + done.path("leased").asLong()
                + done.path("discarded").asLong() + done.path("closed").asLong());
        assertThat(meters.get("http.client.pool.streams").tag("mount", "h2").gauge().value()).isZero();
    }
}
