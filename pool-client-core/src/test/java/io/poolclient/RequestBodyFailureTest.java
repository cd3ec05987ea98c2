package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller's {@link RequestBody} that fails with a runtime exception before anything is sent
 * (here in {@code contentLength()}) reaches the caller as it is and costs no connection: nothing
 * stays leased, and the connection the request would have used is reused by the next request.
 */
@Timeout(30)
class RequestBodyFailureTest {

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        server.start();
        client = PoolClient.builder().build();
    }

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/");
    }

    private void getOk() throws IOException {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response r = client.execute(Request.get(uri()))) {
            assertThat(r.body().readAllBytes()).hasSize(2);
        }
    }

    @Test
    void aBodyWhoseLengthThrowsLeavesNothingLeasedAndTheConnectionReusable() throws Exception {
        getOk(); // one idle connection for the failing request to take
        RequestBody broken = new RequestBody() {
            @Override
            public long contentLength() {
                throw new IllegalStateException("length unknown to this body");
            }

            @Override
            public void writeTo(OutputStream out) {
                throw new AssertionError("never written");
            }

            @Override
            public boolean isReplayable() {
                return true;
            }
        };

        assertThatThrownBy(() -> client.execute(new Request("POST", uri(), List.of(), broken)))
                .isInstanceOf(IllegalStateException.class).hasMessage("length unknown to this body");

        assertQuiet(client);
        getOk();
        assertThat(server.getRequestCount()).as("the failed request never reached the server").isEqualTo(2);
        PoolSnapshot pool = onlyPool(client, "http");
        assertThat(pool.opened()).as("one connection served both requests").isEqualTo(1);
        assertThat(pool.idle()).isEqualTo(1);
    }
}
