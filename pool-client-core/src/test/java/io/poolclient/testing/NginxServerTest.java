package io.poolclient.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.poolclient.testing.nginx.StubStatus;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves {@link NginxServer} serves what it promises, using only raw sockets and the JDK client. */
class NginxServerTest {

    private static NginxServer nginx;

    @BeforeAll
    static void start() {
        nginx = NginxServer.start();
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void smallIsThirteenLengthDelimitedBytes() throws IOException {
        try (RawConnection c = new RawConnection(nginx.port())) {
            RawResponse r = c.send("GET", "/small", null);
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo("13");
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(r.header("content-type")).startsWith("text/plain");
            assertThat(new String(r.body, StandardCharsets.US_ASCII)).isEqualTo("Hello, world!");
        }
    }

    @Test
    void jsonIsOneKibLengthDelimited() throws IOException {
        try (RawConnection c = new RawConnection(nginx.port())) {
            RawResponse r = c.send("GET", "/json", null);
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo("1024");
            assertThat(r.header("content-type")).startsWith("application/json");
            assertThat(new String(r.body, StandardCharsets.US_ASCII)).isEqualTo(NginxServer.JSON_BODY)
                    .startsWith("{\"items\":[").endsWith("\"}");
        }
    }

    @Test
    void bigIs64KibLengthDelimited() throws IOException {
        try (RawConnection c = new RawConnection(nginx.port())) {
            RawResponse r = c.send("GET", "/big", null);
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo("65536");
            assertThat(r.body).hasSize(65536).isEqualTo(NginxServer.bigBody());
        }
    }

    @Test
    void chunkedIsReallyChunked() throws IOException {
        try (RawConnection c = new RawConnection(nginx.port())) {
            RawResponse r = c.send("GET", "/chunked", null);
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.header("content-length")).isNull();
            assertThat(r.chunks).isGreaterThan(1);
            assertThat(new String(r.body, StandardCharsets.US_ASCII)).isEqualTo(NginxServer.CHUNKED_BODY);
            // the connection stays usable after a chunked body
            assertThat(c.send("GET", "/small", null).status).isEqualTo(200);
        }
    }

    @Test
    void echoAcceptsAnyMethodAndDiscardsTheBody() throws IOException {
        byte[] upload = new byte[1 << 20];
        Arrays.fill(upload, (byte) 'u');
        try (RawConnection c = new RawConnection(nginx.port())) {
            for (String method : new String[] {"POST", "PUT", "GET", "DELETE", "PATCH"}) {
                RawResponse r = c.send(method, "/echo", method.startsWith("P") ? upload : null);
                assertThat(r.status).as(method).isEqualTo(200);
                assertThat(new String(r.body, StandardCharsets.US_ASCII)).isEqualTo(NginxServer.ECHO_BODY);
            }
        }
    }

    @Test
    void jdkClientSeesTheSameBodies() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThat(client.send(HttpRequest.newBuilder(nginx.uri("/small")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(NginxServer.SMALL_BODY);
        assertThat(client.send(HttpRequest.newBuilder(nginx.uri("/big")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(NginxServer.bigBody());
        HttpResponse<String> echo = client.send(HttpRequest.newBuilder(nginx.uri("/echo/upload"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(client.send(HttpRequest.newBuilder(nginx.uri("/nope")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    }

    @Test
    void acceptsCountsConnectionsNotRequests() throws IOException {
        long before = nginx.acceptsExcludingSelf();
        try (RawConnection a = new RawConnection(nginx.port()); RawConnection b = new RawConnection(nginx.port())) {
            a.send("GET", "/small", null);
            b.send("GET", "/small", null);
            a.send("GET", "/small", null); // reused: not a new accept
        }
        assertThat(nginx.acceptsExcludingSelf() - before).isEqualTo(2);

        long self = nginx.selfConnections();
        long raw = nginx.accepts();
        assertThat(nginx.selfConnections()).isEqualTo(self + 1);
        assertThat(nginx.accepts()).isEqualTo(raw + 1); // each probe is itself one accepted connection
    }

    @Test
    void statusReportsTheProbeAsActive() {
        StubStatus status = nginx.status();
        assertThat(status.active()).isGreaterThanOrEqualTo(1);
        assertThat(status.writing()).isGreaterThanOrEqualTo(1);
        assertThat(status.handled()).isEqualTo(status.accepts());
    }

    @Test
    void keepaliveRequestsClosesAfterTheLimit() throws IOException {
        try (NginxServer limited = NginxServer.start(NginxServer.Config.defaults().withKeepaliveRequests(2))) {
            long before = limited.acceptsExcludingSelf();
            try (RawConnection c = new RawConnection(limited.port())) {
                RawResponse first = c.send("GET", "/small", null);
                assertThat(first.header("connection")).isEqualTo("keep-alive");
                RawResponse second = c.send("GET", "/small", null);
                assertThat(second.status).isEqualTo(200);
                assertThat(second.header("connection")).isEqualTo("close");
                assertThat(c.peerClosed()).isTrue();
            }
            assertThat(limited.acceptsExcludingSelf() - before).isEqualTo(1);
        }
    }

    @Test
    void keepaliveTimeoutClosesIdleConnections() throws IOException {
        NginxServer.Config config = NginxServer.Config.defaults().withKeepaliveTimeout(Duration.ofMillis(300));
        try (NginxServer quick = NginxServer.start(config);
                RawConnection c = new RawConnection(quick.port())) {
            assertThat(c.send("GET", "/small", null).header("connection")).isEqualTo("keep-alive");
            long start = System.nanoTime();
            assertThat(c.peerClosed()).isTrue(); // blocks until nginx closes the idle connection
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void closeStopsNginxAndRemovesItsDirectory() {
        NginxServer server = NginxServer.start();
        Path dir = server.directory();
        int port = server.port();
        assertThat(server.isRunning()).isTrue();
        assertThat(Files.exists(dir.resolve("nginx.conf"))).isTrue();
        assertThat(server.uri("/small").toString()).isEqualTo("http://127.0.0.1:" + port + "/small");
        server.close();
        server.close(); // idempotent
        assertThat(server.isRunning()).isFalse();
        assertThat(Files.exists(dir)).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    /** One response as read off the wire; header names are lower case. */
    static final class RawResponse {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;
        int chunks;

        String header(String name) {
            return headers.get(name);
        }
    }

    /** A minimal HTTP/1.1 client over one socket: enough to see framing and keep-alive exactly. */
    static final class RawConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawConnection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        RawResponse send(String method, String path, byte[] body) throws IOException {
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\n");
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(method.equals("HEAD"));
        }

        /** True if the server closed the connection (blocks until it does, or times out). */
        boolean peerClosed() throws IOException {
            return in.read() == -1;
        }

        private RawResponse read(boolean head) throws IOException {
            RawResponse r = new RawResponse();
            String statusLine = line();
            r.status = Integer.parseInt(statusLine.split(" ")[1]);
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                r.headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (head) {
                r.body = new byte[0];
            } else if ("chunked".equalsIgnoreCase(r.header("transfer-encoding"))) {
                for (int size = chunkSize(); size > 0; size = chunkSize()) {
                    body.write(in.readNBytes(size));
                    r.chunks++;
                    if (!line().isEmpty()) {
                        throw new IOException("missing CRLF after chunk");
                    }
                }
                while (!line().isEmpty()) {
                    // trailers: ignored
                }
                r.body = body.toByteArray();
            } else if (r.header("content-length") != null) {
                int length = Integer.parseInt(r.header("content-length"));
                r.body = in.readNBytes(length);
                if (r.body.length != length) {
                    throw new EOFException("body ended after " + r.body.length + " of " + length + " bytes");
                }
            } else {
                r.body = in.readAllBytes();
            }
            return r;
        }

        private int chunkSize() throws IOException {
            String l = line();
            int semicolon = l.indexOf(';');
            return Integer.parseInt((semicolon < 0 ? l : l.substring(0, semicolon)).trim(), 16);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b == -1) {
                    throw new EOFException("connection closed mid-line: " + sb);
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
