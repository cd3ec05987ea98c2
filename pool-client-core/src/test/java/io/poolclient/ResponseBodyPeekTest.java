package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response body can be peeked at (mark/reset, as Spring does to tell an empty body) and read
 * whole into one array of its length; either way every byte arrives once and the connection is
 * reused afterwards.
 */
@Timeout(30)
class ResponseBodyPeekTest {

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

    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private Response get(byte[] body, boolean chunked) throws IOException {
        MockResponse.Builder r = new MockResponse.Builder();
        if (chunked) {
            r.chunkedBody(new Buffer().write(body), 1000);
        }
        else {
            r.body(new Buffer().write(body));
        }
        server.enqueue(r.build());
        return client.execute(Request.get(URI.create("http://127.0.0.1:" + server.getPort() + "/")));
    }

    @Test
    void peekingAtTheFirstByteLosesNothing() throws IOException {
        byte[] body = pattern(70_000);
        for (boolean chunked : new boolean[] {false, true}) {
            try (Response r = get(body, chunked)) {
                InputStream in = r.body();
                assertThat(in.markSupported()).isTrue();
                in.mark(1);
                assertThat(in.read()).isEqualTo(body[0] & 0xff);
                in.reset();
                assertThat(in.readAllBytes()).isEqualTo(body);
            }
        }
        assertThat(onlyPool(client, "http").opened()).as("both on one connection").isEqualTo(1);
    }

    @Test
    void theWholeBodyComesInOneArrayOfItsLength() throws IOException {
        byte[] body = pattern(65_536);
        try (Response r = get(body, false)) {
            assertThat(r.body().readNBytes(Integer.MAX_VALUE)).isEqualTo(body);
        }
        try (Response r = get(body, false)) {
            InputStream in = r.body();
            assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(body, 10));
            assertThat(in.readNBytes(100_000)).isEqualTo(Arrays.copyOfRange(body, 10, body.length));
            assertThat(in.read()).isEqualTo(-1);
        }
        try (Response r = get("hello".getBytes(StandardCharsets.UTF_8), false)) {
            InputStream in = r.body();
            in.mark(3);
            assertThat(in.readNBytes(2)).containsExactly('h', 'e');
            in.reset();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        PoolAssertions.awaitTrue(() -> onlyPool(client, "http").idle() == 1, java.time.Duration.ofSeconds(5), "returned");
        assertThat(onlyPool(client, "http").opened()).isEqualTo(1);
    }

    @Test
    void readingPastTheMarkLimitVoidsTheMark() throws IOException {
        try (Response r = get(pattern(100), false)) {
            InputStream in = r.body();
            in.mark(4);
            in.readNBytes(10);
            assertThatThrownBy(in::reset).isInstanceOf(IOException.class).hasMessageContaining("invalid mark");
        }
    }
}
