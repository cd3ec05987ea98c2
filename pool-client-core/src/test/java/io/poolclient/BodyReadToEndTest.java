package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response body read to its end gives its connection back to the pool at once, without
 * {@code close()}: also when the body's length is known and the caller reads exactly that many bytes
 * ({@code readAllBytes}, {@code readNBytes}) and so never sees end-of-stream, and when the body is
 * empty ({@code Content-Length: 0}). The next request then reuses the connection (counted at the
 * server).
 */
@Timeout(30)
class BodyReadToEndTest {

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

    private Response get(String body) throws IOException {
        server.enqueue(new MockResponse.Builder().body(body).build());
        return client.execute(Request.get(URI.create("http://127.0.0.1:" + server.getPort() + "/")));
    }

    /** The connection is idle after the first response and the second request arrives on it. */
    private void assertReusedAfter(Response unclosed) throws Exception {
        assertThat(onlyPool(client, "http").leased()).as("leased after reading to the end").isZero();
        assertThat(onlyPool(client, "http").idle()).isEqualTo(1);
        try (Response next = get("next")) {
            assertThat(next.body().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("next");
        }
        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertThat(second.getConnectionIndex()).as("the second request reuses the first connection")
                .isEqualTo(first.getConnectionIndex());
        assertThat(onlyPool(client, "http").opened()).isEqualTo(1);
        unclosed.close(); // harmless after the end
    }

    @Test
    void readAllBytesOfAKnownLengthBodyReturnsTheConnectionWithoutClose() throws Exception {
        Response r = get("hello");
        assertThat(r.body().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
        assertReusedAfter(r);
    }

    @Test
    void readNBytesOfExactlyTheLengthReturnsTheConnectionWithoutClose() throws Exception {
        Response r = get("hello");
        assertThat(r.body().readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
        assertReusedAfter(r);
    }

    @Test
    void readingExactlyTheLengthInPiecesReturnsTheConnectionWithoutClose() throws Exception {
        Response r = get("hello");
        byte[] buf = new byte[5];
        assertThat(r.body().readNBytes(buf, 0, 2)).isEqualTo(2);
        assertThat(r.body().readNBytes(buf, 2, 3)).isEqualTo(3);
        assertThat(buf).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
        assertReusedAfter(r);
    }

    @Test
    void anEmptyBodyReturnsTheConnectionWithoutClose() throws Exception {
        Response r = get("");
        assertThat(r.header("Content-Length")).isEqualTo("0");
        assertThat(r.body().readAllBytes()).isEmpty();
        assertReusedAfter(r);
    }
}
