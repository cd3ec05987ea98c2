package io.poolclient.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawResponseReaderTest {

    /** Hands out at most {@code chunk} bytes per read, as a socket may. */
    private static InputStream trickle(String text, int chunk) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    @Test
    void readsBackToBackResponsesInAnyChunking() throws IOException {
        String one = "HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-length: 13\r\n\r\nHello, world!";
        String two = "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\nConnection: keep-alive\r\n\r\n" + "x".repeat(20000);
        for (int chunk : new int[] {1, 3, 7, 100, 1 << 20}) {
            RawClient.ResponseReader reader = new RawClient.ResponseReader(trickle(one + two + one, chunk));
            assertThat(reader.read()).isEqualTo(13);
            assertThat(reader.read()).isEqualTo(20000);
            assertThat(reader.read()).isEqualTo(13);
        }
    }

    @Test
    void refusesWhatItCannotFrame() {
        assertThatThrownBy(() -> new RawClient.ResponseReader(trickle("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 5)).read())
                .hasMessageContaining("not a 200");
        assertThatThrownBy(() -> new RawClient.ResponseReader(trickle("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 5)).read())
                .hasMessageContaining("without Content-Length");
        assertThatThrownBy(() -> new RawClient.ResponseReader(trickle("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 5)).read())
                .isInstanceOf(EOFException.class);
    }
}
