package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transparent decompression (the mount setting {@code decompress}, on by default), as requests does it: when the
 * caller set no {@code Accept-Encoding}, {@code gzip, deflate} is asked for and a {@code gzip} or
 * {@code deflate} (zlib-wrapped or raw) body is decoded, with {@code Content-Encoding} and
 * {@code Content-Length} removed; a caller's own {@code Accept-Encoding} gets the bytes as sent;
 * {@code decompress=false} asks for nothing. A decoded body read to its end returns the connection.
 */
@Timeout(30)
class DecompressionTest {

    private static final String TEXT = "pool-client decodes this. ".repeat(2000);

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getLoopbackAddress(), 0);
        client = PoolClient.builder().build();
    }

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "x-gzip", "deflate-zlib", "deflate-raw"})
    void encodedBodiesAreDecodedTransparently(String encoding) throws Exception {
        byte[] encoded = encode(encoding, TEXT.getBytes(StandardCharsets.UTF_8));
        server.enqueue(encodedResponse(encoding.startsWith("deflate") ? "deflate" : encoding, encoded));

        try (Response r = client.execute(Request.get(url("/text")))) {
            assertThat(r.header("Content-Encoding")).isNull();
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
        RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getHeaders().get("Accept-Encoding")).isEqualTo("gzip, deflate");
        assertThat(encoded.length).as("the test really compressed").isLessThan(TEXT.length() / 10);
    }

    @Test
    void theConnectionIsReusedAfterADecodedBody() throws Exception {
        byte[] gzip = encode("gzip", TEXT.getBytes(StandardCharsets.UTF_8));
        server.enqueue(encodedResponse("gzip", gzip));
        server.enqueue(encodedResponse("gzip", gzip));

        for (int i = 0; i < 2; i++) {
            try (Response r = client.execute(Request.get(url("/text/" + i)))) {
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TEXT);
                assertThat(onlyPool(client, "http").leased()).as("returned at the end of the decoded body").isZero();
            }
        }

        PoolSnapshot pool = onlyPool(client, "http");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getConnectionIndex())
                .isEqualTo(server.takeRequest(5, TimeUnit.SECONDS).getConnectionIndex());
    }

    @Test
    void anEmptyBodyMarkedGzipIsEmpty() throws Exception {
        server.enqueue(encodedResponse("gzip", new byte[0]));

        try (Response r = client.execute(Request.get(url("/empty")))) {
            assertThat(r.body().readAllBytes()).isEmpty();
        }
        assertThat(onlyPool(client, "http").idle()).isEqualTo(1);
    }

    @Test
    void theCallersOwnAcceptEncodingGetsTheBytesAsSent() throws Exception {
        byte[] gzip = encode("gzip", TEXT.getBytes(StandardCharsets.UTF_8));
        server.enqueue(encodedResponse("gzip", gzip));

        Request request = new Request("GET", url("/raw"), List.of(new Header("Accept-Encoding", "gzip")), null);
        try (Response r = client.execute(request)) {
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(gzip.length));
            assertThat(r.body().readAllBytes()).isEqualTo(gzip);
        }
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().values("Accept-Encoding")).containsExactly("gzip");
    }

    @Test
    void decompressFalseAsksForNoEncoding() throws Exception {
        client.close();
        client = PoolClient.builder().defaults(MountSettings.builder().decompress(false).build()).build();
        server.enqueue(new MockResponse.Builder().body("plain").build());

        try (Response r = client.execute(Request.get(url("/plain")))) {
            assertThat(r.body().readAllBytes()).asString().isEqualTo("plain");
        }
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Accept-Encoding")).isNull();
    }

    @Test
    void decompressFalsePassesAnEncodedBodyThrough() throws Exception {
        client.close();
        client = PoolClient.builder().defaults(MountSettings.builder().decompress(false).build()).build();
        byte[] gzip = encode("gzip", TEXT.getBytes(StandardCharsets.UTF_8));
        server.enqueue(encodedResponse("gzip", gzip));

        try (Response r = client.execute(Request.get(url("/anyway")))) {
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.body().readAllBytes()).isEqualTo(gzip);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    private static MockResponse encodedResponse(String contentEncoding, byte[] body) {
        return new MockResponse.Builder()
                .addHeader("Content-Type", "text/plain")
                .addHeader("Content-Encoding", contentEncoding)
                .body(new Buffer().write(body))
                .build();
    }

    private static byte[] encode(String how, byte[] plain) throws IOException {
        if (plain.length == 0) {
            return plain;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (how) {
            case "gzip", "x-gzip" -> {
                try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                    gz.write(plain);
                }
            }
            case "deflate-zlib" -> {
                try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, false))) {
                    z.write(plain);
                }
            }
            case "deflate-raw" -> {
                try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
                    z.write(plain);
                }
            }
            default -> throw new IllegalArgumentException(how);
        }
        return out.toByteArray();
    }
}
