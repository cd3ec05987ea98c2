package io.poolclient.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.AccessLogEntry;
import io.poolclient.testing.nginx.NginxH2.Listener;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.apache.hc.core5.http2.hpack.HPackEncoder;
import org.apache.hc.core5.util.ByteArrayBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/2 nginx harness does what its Javadoc says, checked with the JDK's own HTTP client and raw
 * sockets (never the library under test): ALPN per listener, h2c with prior knowledge, the configured
 * stream limit in nginx's SETTINGS, the locations and the access log's connection counting.
 */
class NginxH2Test {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int LARGE = 3 * 1024 * 1024 + 17;

    static TestCertificates certs;
    static NginxH2 nginx;
    static SSLContext client;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.shared();
        client = certs.clientContext(null);
        nginx = NginxH2.start(NginxH2.Config.defaults().withMaxConcurrentStreams(7).withKeepaliveRequests(3)
                .withLargeSize(LARGE), certs);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void tlsListenerChoosesH2OrHttp11ByTheClientsOffer() throws IOException {
        assertThat(alpn(Listener.TLS, "h2", "http/1.1")).isEqualTo("h2");
        assertThat(alpn(Listener.TLS, "http/1.1")).isEqualTo("http/1.1");
        assertThat(alpn(Listener.TLS_HTTP11, "h2", "http/1.1")).isIn("http/1.1", "");
    }

    @Test
    void jdkClientGetsHttp2OrHttp11OverTlsAsItOffersAndHttp11FromTheHttp11OnlyListener() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().sslContext(client).version(HttpClient.Version.HTTP_2)
                .connectTimeout(TIMEOUT).build();
        HttpResponse<String> small = h2.send(get(Listener.TLS, "/small"), HttpResponse.BodyHandlers.ofString());
        assertThat(small.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(small.body()).isEqualTo(NginxServer.SMALL_BODY);

        HttpResponse<String> fallback = h2.send(get(Listener.TLS_HTTP11, "/json"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fallback.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(fallback.body()).isEqualTo(NginxServer.JSON_BODY);

        HttpClient http11 = HttpClient.newBuilder().sslContext(client).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT).build();
        HttpResponse<String> offeredOnlyHttp11 = http11.send(get(Listener.TLS, "/small?http11"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(offeredOnlyHttp11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(offeredOnlyHttp11.body()).isEqualTo(NginxServer.SMALL_BODY);

        List<AccessLogEntry> tls = nginx.awaitRequests(Listener.TLS, 2, TIMEOUT);
        assertThat(tls).anySatisfy(e -> {
            assertThat(e.protocol()).isEqualTo("HTTP/1.1");
            assertThat(e.uri()).isEqualTo("/small?http11");
        });
        assertThat(tls).anySatisfy(e -> {
            assertThat(e.protocol()).isEqualTo("HTTP/2.0");
            assertThat(e.uri()).isEqualTo("/small");
        });
        assertThat(nginx.awaitRequests(Listener.TLS_HTTP11, 1, TIMEOUT))
                .allSatisfy(e -> assertThat(e.protocol()).isEqualTo("HTTP/1.1"));
    }

    @Test
    void largeDownloadAndUploadOverH2() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().sslContext(client).version(HttpClient.Version.HTTP_2)
                .connectTimeout(TIMEOUT).build();
        HttpResponse<InputStream> large = h2.send(get(Listener.TLS, "/large"),
                HttpResponse.BodyHandlers.ofInputStream());
        long bytes = 0;
        long nonZero = 0;
        try (InputStream in = large.body()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) >= 0;) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    nonZero += buffer[i] == 0 ? 0 : 1;
                }
            }
        }
        assertThat(large.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(bytes).isEqualTo(LARGE);
        assertThat(nonZero).isZero();

        byte[] body = new byte[LARGE];
        HttpResponse<String> put = h2.send(HttpRequest.newBuilder(nginx.uri(Listener.TLS, "/upload/self-test"))
                .timeout(TIMEOUT).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isIn(201, 204);
        assertThat(Files.size(nginx.directory().resolve("www/upload/self-test"))).isEqualTo(LARGE);
        List<AccessLogEntry> log = nginx.awaitAccessLog(
                l -> l.stream().anyMatch(e -> e.uri().equals("/upload/self-test")), TIMEOUT);
        assertThat(log).filteredOn(e -> e.uri().equals("/upload/self-test"))
                .singleElement().satisfies(e -> assertThat(e.requestLength()).isGreaterThanOrEqualTo(LARGE));
    }

    @Test
    void h2cWithPriorKnowledgeAnnouncesTheStreamLimitAndServes() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", nginx.port(Listener.H2C)),
                    (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            writeFrame(out, 0x4, 0, 0, new byte[0]);
            ByteArrayBuffer block = new ByteArrayBuffer(256);
            new HPackEncoder(0, StandardCharsets.UTF_8).encodeHeaders(block, List.of(
                    new BasicHeader(":method", "GET"), new BasicHeader(":scheme", "http"),
                    new BasicHeader(":authority", "127.0.0.1"), new BasicHeader(":path", "/small")), false);
            writeFrame(out, 0x1, 0x4 | 0x1, 1, block.toByteArray());
            out.flush();

            Map<Integer, Long> settings = null;
            Map<String, String> response = new TreeMap<>();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            HPackDecoder decoder = new HPackDecoder(4096, StandardCharsets.UTF_8);
            for (int frames = 0; frames < 20; frames++) {
                int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (type == 0x4 && (flags & 0x1) == 0) {
                    settings = new TreeMap<>();
                    for (int i = 0; i + 6 <= payload.length; i += 6) {
                        settings.put((payload[i] & 0xff) << 8 | payload[i + 1] & 0xff,
                                ByteBuffer.wrap(payload, i + 2, 4).getInt() & 0xffffffffL);
                    }
                    writeFrame(out, 0x4, 0x1, 0, new byte[0]);
                    out.flush();
                } else if (type == 0x1 && stream == 1) {
                    for (Header h : decoder.decodeHeaders(ByteBuffer.wrap(payload))) {
                        response.put(h.getName(), h.getValue());
                    }
                } else if (type == 0x0 && stream == 1) {
                    data.write(payload);
                }
                if (stream == 1 && (flags & 0x1) != 0) {
                    break;
                }
            }
            assertThat(settings).as("nginx's SETTINGS").containsEntry(0x3, 7L);
            assertThat(response).containsEntry(":status", "200");
            assertThat(data.toString(StandardCharsets.US_ASCII)).isEqualTo(NginxServer.SMALL_BODY);
        }
        assertThat(nginx.awaitRequests(Listener.H2C, 1, TIMEOUT))
                .anySatisfy(e -> assertThat(e.protocol()).isEqualTo("HTTP/2.0"));
    }

    @Test
    void accessLogCountsConnectionsAndKeepaliveRequestsClosesThem() throws Exception {
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
                .build();
        for (int i = 0; i < 7; i++) {
            HttpResponse<String> echo = http11.send(HttpRequest.newBuilder(nginx.uri(Listener.PLAIN, "/echo/" + i))
                    .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofString("x".repeat(1000))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(echo.body()).isEqualTo(NginxH2.ECHO_BODY);
        }
        List<AccessLogEntry> echoes = nginx.awaitAccessLog(
                l -> l.stream().filter(e -> e.uri().startsWith("/echo/")).count() == 7, TIMEOUT).stream()
                .filter(e -> e.uri().startsWith("/echo/")).toList();
        assertThat(echoes).hasSize(7).allSatisfy(e -> assertThat(e.connectionRequests()).isBetween(1L, 3L));
        // keepalive_requests 3: seven sequential requests on one client need exactly three connections
        assertThat(echoes.stream().map(AccessLogEntry::connection).distinct()).hasSize(3);
    }

    private static HttpRequest get(Listener listener, String path) {
        return HttpRequest.newBuilder(nginx.uri(listener, path)).timeout(TIMEOUT).GET().build();
    }

    private static String alpn(Listener listener, String... offer) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", nginx.port(listener)), (int) TIMEOUT.toMillis());
        try (SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(plain, "127.0.0.1",
                nginx.port(listener), true)) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setApplicationProtocols(offer);
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.setSoTimeout((int) TIMEOUT.toMillis());
            tls.startHandshake();
            return tls.getApplicationProtocol();
        }
    }

    private static void writeFrame(OutputStream out, int type, int flags, int stream, byte[] payload)
            throws IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        out.write(payload);
    }
}
