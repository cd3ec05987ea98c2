package io.poolclient.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.PoolClient;
import io.poolclient.Request;
import io.poolclient.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decoded body frees its decoder's native memory as soon as it is done with it: its
 * {@link Inflater} is ended when the body is closed part-way and when it is read to its end, without
 * waiting for the garbage collector.
 */
@Timeout(30)
class DecodingStreamTest {

    private static final byte[] TEXT = "decoded and then let go. ".repeat(4000).getBytes(StandardCharsets.US_ASCII);

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        server.start();
        client = PoolClient.builder().build();
    }

    @AfterEach
    void stop() {
        try {
            client.snapshot().mounts().forEach(m -> m.pools().forEach(p -> assertThat(p.leased()).isZero()));
        }
        finally {
            client.close();
            server.close();
        }
    }

    private DecodingStream get(String encoding) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (encoding) {
            case "gzip" -> new GZIPOutputStream(bytes);
            case "deflate-zlib" -> new DeflaterOutputStream(bytes);
            default -> new DeflaterOutputStream(bytes, new Deflater(Deflater.DEFAULT_COMPRESSION, true));
        }) {
            out.write(TEXT);
        }
        server.enqueue(new MockResponse.Builder()
                .addHeader("Content-Encoding", encoding.startsWith("deflate") ? "deflate" : encoding)
                .body(new Buffer().write(bytes.toByteArray())).build());
        Response r = client.execute(Request.get(URI.create("http://127.0.0.1:" + server.getPort() + "/")));
        return (DecodingStream) r.body();
    }

    private static void assertEnded(Inflater inflater) {
        assertThat(inflater).as("the decoder was created by the first read").isNotNull();
        // an ended Inflater refuses to report its counters ("Inflater has been closed")
        assertThatThrownBy(inflater::getBytesRead).hasMessageContaining("closed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate-zlib", "deflate-raw"})
    void closingPartWayEndsTheInflater(String encoding) throws IOException {
        DecodingStream body = get(encoding);
        assertThat(body.readNBytes(10)).isEqualTo(java.util.Arrays.copyOf(TEXT, 10));
        Inflater inflater = body.inflater();

        body.close();

        assertEnded(inflater);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate-zlib", "deflate-raw"})
    void readingToTheEndEndsTheInflater(String encoding) throws IOException {
        DecodingStream body = get(encoding);
        assertThat(body.readAllBytes()).isEqualTo(TEXT);

        assertEnded(body.inflater());
        assertThat(body.read()).as("still at its end").isEqualTo(-1);
    }
}
