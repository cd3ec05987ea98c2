package io.poolclient.internal.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.Header;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Precise cases against MockWebServer speaking HTTP/2 with prior knowledge: what goes on the wire, reuse. */
class MockWebServerH2Test {

    private final MockWebServer server = new MockWebServer();
    private final H2Clients.Readers readers = new H2Clients.Readers();

    @BeforeEach
    void start() throws Exception {
        server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void requestHeadIsLowerCaseWithPseudoHeadersAndNoConnectionSpecificFields() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("X-Answer", "42").body("hello").build());
        try (H2Connection connection = H2Clients.h2c(server.getPort(), H2Clients.settings(), readers,
                H2ConnectionListener.NONE)) {
            H2Stream stream = connection.reserve();
            stream.open("GET", "/path?q=1", List.of(new Header("X-Custom", "v"), new Header("Connection", "x-hop"),
                    new Header("X-Hop", "dropped"), new Header("Keep-Alive", "timeout=5"),
                    new Header("Transfer-Encoding", "chunked"), new Header("Host", "elsewhere")), true);
            H2Response response = stream.awaitResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-answer")).isEqualTo("42");
            assertThat(response.headers()).allSatisfy(h -> assertThat(h.name()).isLowerCase());
            assertThat(new String(H2Clients.readAll(stream.responseBody()), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded.getVersion()).isEqualTo("HTTP/2");
        assertThat(recorded.getMethod()).isEqualTo("GET");
        assertThat(recorded.getTarget()).isEqualTo("/path?q=1");
        assertThat(recorded.getHeaders().get("x-custom")).isEqualTo("v");
        assertThat(recorded.getHeaders().get(":authority")).isEqualTo("127.0.0.1:" + server.getPort());
        assertThat(recorded.getHeaders().names()).doesNotContain("connection", "x-hop", "keep-alive",
                "transfer-encoding", "host");
        assertThat(recorded.getHeaders().names()).allSatisfy(n -> assertThat(n).isLowerCase());
    }

    @Test
    void streamsShareOneConnectionAndPostBodiesArrive() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().body("r" + i).build());
        }
        try (H2Connection connection = H2Clients.h2c(server.getPort(), H2Clients.settings(), readers,
                H2ConnectionListener.NONE)) {
            assertThat(H2Clients.get(connection, "/a")).isEqualTo("200 r0");
            H2Stream post = connection.reserve();
            post.open("POST", "/b", List.of(new Header("content-type", "text/plain")), false);
            try (var body = post.requestBody()) {
                body.write("posted body".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(post.awaitResponse().status()).isEqualTo(200);
            assertThat(H2Clients.readAll(post.responseBody())).asString().isEqualTo("r1");
            assertThat(H2Clients.get(connection, "/c")).isEqualTo("200 r2");
            assertThat(connection.openStreams()).isZero();
            assertThat(connection.streamsOpened()).isEqualTo(3);
        }
        RecordedRequest a = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest b = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest c = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(List.of(a.getConnectionIndex(), b.getConnectionIndex(), c.getConnectionIndex())).containsOnly(0);
        assertThat(List.of(a.getExchangeIndex(), b.getExchangeIndex(), c.getExchangeIndex())).containsExactly(0, 1, 2);
        assertThat(b.getBody().utf8()).isEqualTo("posted body");
        assertThat(readers.made.get()).isEqualTo(1);
    }

    @Test
    void pingMakesARoundTrip() throws Exception {
        try (H2Connection connection = H2Clients.h2c(server.getPort(), H2Clients.settings(), readers,
                H2ConnectionListener.NONE)) {
            assertThat(connection.ping(H2Clients.TIMEOUT)).isPositive();
            assertThat(connection.isOpen()).isTrue();
        }
    }
}
