package io.poolclient.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.ConnectFailedException;
import io.poolclient.MountSettings;
import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.PoolClientException;
import io.poolclient.PoolSnapshot;
import io.poolclient.testing.NginxServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * The Spring adapter against a real nginx on loopback, through both {@link RestClient} and
 * {@link RestTemplate}. Every test counts the TCP connections nginx really accepted and reads the
 * pool's own counters; after each test every pool is quiet: nothing leased or pending, and
 * {@code opened = idle + leased + discarded + closed}.
 */
@Timeout(60)
class NginxAdapterTest {

    /** Answers with the framing nginx saw on the request, so a test can prove how the body was sent. */
    private static final String FRAMING_LOCATION = """
                    location = /framing {
                        client_max_body_size 200m;
                        default_type text/plain;
                        return 200 "te=$http_transfer_encoding cl=$http_content_length";
                    }
            """;

    private static final int MIB = 1024 * 1024;

    private static NginxServer nginx;

    private PoolClient client;
    private PoolingClientHttpRequestFactory factory;

    /** The two Spring front ends, driven the same way. */
    enum Api {
        REST_CLIENT {
            @Override
            ResponseEntity<byte[]> exchange(ClientHttpRequestFactory factory, HttpMethod method, URI uri, byte[] body) {
                RestClient.RequestBodySpec spec = RestClient.builder().requestFactory(factory).build().method(method).uri(uri);
                if (body != null) {
                    spec.body(body);
                }
                return spec.retrieve().toEntity(byte[].class);
            }

            @Override
            ResponseEntity<byte[]> stream(ClientHttpRequestFactory factory, URI uri, StreamingHttpOutputMessage.Body body) {
                return RestClient.builder().requestFactory(factory).build().post().uri(uri).body(body).retrieve()
                        .toEntity(byte[].class);
            }

            @Override
            HttpStatus closeWithoutReading(ClientHttpRequestFactory factory, URI uri) {
                return RestClient.builder().requestFactory(factory).build().get().uri(uri)
                        .exchange((request, response) -> HttpStatus.valueOf(response.getStatusCode().value()), true);
            }
        },
        REST_TEMPLATE {
            @Override
            ResponseEntity<byte[]> exchange(ClientHttpRequestFactory factory, HttpMethod method, URI uri, byte[] body) {
                return new RestTemplate(factory).exchange(uri, method, body == null ? null : new HttpEntity<>(body), byte[].class);
            }

            @Override
            ResponseEntity<byte[]> stream(ClientHttpRequestFactory factory, URI uri, StreamingHttpOutputMessage.Body body) {
                return new RestTemplate(factory).execute(uri, HttpMethod.POST,
                        request -> ((StreamingHttpOutputMessage) request).setBody(body),
                        response -> new ResponseEntity<>(response.getBody().readAllBytes(), response.getHeaders(),
                                response.getStatusCode()));
            }

            @Override
            HttpStatus closeWithoutReading(ClientHttpRequestFactory factory, URI uri) {
                return new RestTemplate(factory).execute(uri, HttpMethod.GET, null,
                        response -> HttpStatus.valueOf(response.getStatusCode().value()));
            }
        };

        abstract ResponseEntity<byte[]> exchange(ClientHttpRequestFactory factory, HttpMethod method, URI uri, byte[] body);

        abstract ResponseEntity<byte[]> stream(ClientHttpRequestFactory factory, URI uri, StreamingHttpOutputMessage.Body body);

        /** Sends a GET and lets Spring close the response without reading a byte of the body. */
        abstract HttpStatus closeWithoutReading(ClientHttpRequestFactory factory, URI uri);

        byte[] get(ClientHttpRequestFactory factory, URI uri) {
            ResponseEntity<byte[]> entity = exchange(factory, HttpMethod.GET, uri, null);
            assertThat(entity.getStatusCode()).isEqualTo(HttpStatus.OK);
            return entity.getBody();
        }
    }

    @BeforeAll
    static void startNginx() {
        nginx = NginxServer.start(NginxServer.Config.defaults().withExtraLocations(FRAMING_LOCATION));
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @BeforeEach
    void createClient() {
        useClient(PoolClient.builder().build());
    }

    @AfterEach
    void everyPoolIsQuietAndAddsUp() {
        try {
            assertQuiet(client);
        }
        finally {
            client.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void sequentialRequestsReuseOneKeepAliveConnection(Api api) {
        int n = 20;
        long before = nginx.acceptsExcludingSelf();

        for (int i = 0; i < n; i++) {
            assertThat(api.get(factory, nginx.uri("/small"))).asString(StandardCharsets.US_ASCII)
                    .isEqualTo(NginxServer.SMALL_BODY);
        }

        assertThat(nginx.acceptsExcludingSelf() - before).as("connections nginx accepted").isEqualTo(1);
        PoolSnapshot pool = nginxPool("http");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(n - 1);
        assertThat(pool.requests()).isEqualTo(n);
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(pool.closed()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void chunkedAndLengthDelimitedBodiesAreReadExactlyOnOneConnection(Api api) {
        int rounds = 3;
        long before = nginx.acceptsExcludingSelf();

        for (int round = 0; round < rounds; round++) {
            ResponseEntity<byte[]> chunked = api.exchange(factory, HttpMethod.GET, nginx.uri("/chunked"), null);
            assertThat(chunked.getHeaders().getFirst(HttpHeaders.TRANSFER_ENCODING)).isEqualToIgnoringCase("chunked");
            assertThat(chunked.getHeaders().containsHeader(HttpHeaders.CONTENT_LENGTH)).isFalse();
            assertThat(chunked.getBody()).isEqualTo(NginxServer.CHUNKED_BODY.getBytes(StandardCharsets.US_ASCII));

            ResponseEntity<byte[]> big = api.exchange(factory, HttpMethod.GET, nginx.uri("/big"), null);
            assertThat(big.getHeaders().getContentLength()).isEqualTo(NginxServer.BIG_SIZE);
            assertThat(big.getBody()).hasSize(NginxServer.BIG_SIZE).isEqualTo(NginxServer.bigBody());

            ResponseEntity<byte[]> json = api.exchange(factory, HttpMethod.GET, nginx.uri("/json"), null);
            assertThat(json.getHeaders().getContentLength()).isEqualTo(1024);
            assertThat(json.getBody()).isEqualTo(NginxServer.JSON_BODY.getBytes(StandardCharsets.US_ASCII));

            assertThat(api.get(factory, nginx.uri("/small"))).isEqualTo(NginxServer.SMALL_BODY.getBytes(StandardCharsets.US_ASCII));
        }

        assertThat(nginx.acceptsExcludingSelf() - before).as("connections nginx accepted").isEqualTo(1);
        PoolSnapshot pool = nginxPool("http");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(4L * rounds - 1);
        assertThat(pool.requests()).isEqualTo(4L * rounds);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void keepaliveRequestsThreeMakesNginxCloseEveryThirdRequest(Api api) {
        int n = 10;
        try (NginxServer three = NginxServer.start(NginxServer.Config.defaults().withKeepaliveRequests(3))) {
            long before = three.acceptsExcludingSelf();

            for (int i = 0; i < n; i++) {
                assertThat(api.get(factory, three.uri("/json"))).isEqualTo(NginxServer.JSON_BODY.getBytes(StandardCharsets.US_ASCII));
            }

            int expected = (n + 2) / 3; // ceil(10 / 3) = 4
            assertThat(three.acceptsExcludingSelf() - before).as("connections nginx accepted").isEqualTo(expected);
            PoolSnapshot pool = pool("http", three.port());
            assertThat(pool.opened()).isEqualTo(expected);
            assertThat(pool.requests()).isEqualTo(n);
            assertThat(pool.reused()).isEqualTo(n - expected);
            assertThat(pool.closed()).isEqualTo(expected - 1);
            assertThat(pool.closedReasons()).containsExactlyEntriesOf(java.util.Map.of("not-reusable", (long) expected - 1));
            assertThat(pool.idle()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void everyMethodReachesEchoOnOneConnection(Api api) {
        byte[] payload = "{\"hello\":\"nginx\"}".getBytes(StandardCharsets.UTF_8);
        List<HttpMethod> methods = List.of(HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE,
                HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.GET);
        long before = nginx.acceptsExcludingSelf();

        for (HttpMethod method : methods) {
            boolean withBody = method == HttpMethod.PATCH || method == HttpMethod.PUT || method == HttpMethod.POST;
            ResponseEntity<byte[]> response = api.exchange(factory, method, nginx.uri("/echo/" + method.name().toLowerCase()),
                    withBody ? payload : null);
            assertThat(response.getStatusCode()).as(method.name()).isEqualTo(HttpStatus.OK);
            if (method == HttpMethod.HEAD) {
                assertThat(response.getBody()).as("HEAD has no body").isNullOrEmpty();
                assertThat(response.getHeaders().getContentLength()).isEqualTo(NginxServer.ECHO_BODY.length());
            }
            else {
                assertThat(response.getBody()).as(method.name()).asString(StandardCharsets.US_ASCII)
                        .isEqualTo(NginxServer.ECHO_BODY);
            }
        }

        assertThat(nginx.acceptsExcludingSelf() - before).as("connections nginx accepted").isEqualTo(1);
        PoolSnapshot pool = nginxPool("http");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.requests()).isEqualTo(methods.size());
        assertThat(pool.reused()).isEqualTo(methods.size() - 1);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void streamingBodyOfUnknownLengthIsSentChunkedAndAccepted(Api api) {
        long before = nginx.acceptsExcludingSelf();
        int[] written = {0};
        StreamingHttpOutputMessage.Body oneMebibyte = out -> written[0] += writePattern(out, MIB);

        ResponseEntity<byte[]> response = api.stream(factory, nginx.uri("/framing"), oneMebibyte);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).asString(StandardCharsets.US_ASCII).isEqualTo("te=chunked cl=");
        assertThat(written[0]).as("the body was written exactly once").isEqualTo(MIB);
        // nginx read the whole chunked body: the connection is still in step for the next request
        assertThat(api.get(factory, nginx.uri("/small"))).asString(StandardCharsets.US_ASCII).isEqualTo(NginxServer.SMALL_BODY);
        assertThat(nginx.acceptsExcludingSelf() - before).as("connections nginx accepted").isEqualTo(1);
        PoolSnapshot pool = nginxPool("http");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.requests()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void bodyOfKnownLengthIsSentWithContentLength(Api api) {
        byte[] body = new byte[200_000];
        Arrays.fill(body, (byte) 'b');

        ResponseEntity<byte[]> response = api.exchange(factory, HttpMethod.PUT, nginx.uri("/framing"), body);

        assertThat(response.getBody()).asString(StandardCharsets.US_ASCII).isEqualTo("te= cl=200000");
    }

    @Test
    void reasonPhraseIsAvailableThroughClientHttpResponse() {
        RestClient rest = RestClient.builder().requestFactory(factory).build();

        String notFound = rest.get().uri(nginx.uri("/no-such-page")).exchange(
                (request, response) -> response.getStatusCode().value() + " " + response.getStatusText(), true);
        String ok = rest.get().uri(nginx.uri("/small")).exchange(
                (request, response) -> response.getStatusCode().value() + " " + response.getStatusText(), true);

        assertThat(notFound).isEqualTo("404 Not Found");
        assertThat(ok).isEqualTo("200 OK");
        assertThat(nginxPool("http").opened()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void notFoundReachesSpringsStatusHandlerAndTheConnectionGoesBack(Api api) {
        long before = nginx.acceptsExcludingSelf();

        assertThatThrownBy(() -> api.exchange(factory, HttpMethod.GET, nginx.uri("/no-such-page"), null))
                .isInstanceOfSatisfying(HttpClientErrorException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
                    assertThat(e.getStatusText()).isEqualTo("Not Found");
                    assertThat(e.getResponseBodyAsString()).contains("404");
                });

        PoolSnapshot pool = nginxPool("http");
        assertThat(pool.leased()).isZero();
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(api.get(factory, nginx.uri("/small"))).asString(StandardCharsets.US_ASCII).isEqualTo(NginxServer.SMALL_BODY);
        assertThat(nginx.acceptsExcludingSelf() - before).as("the 404's connection was reused").isEqualTo(1);
        assertThat(nginxPool("http").reused()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void closingA64KiBResponseUnreadDoesNotLeakAndSavesTheConnection(Api api) {
        long before = nginx.acceptsExcludingSelf();

        assertThat(api.closeWithoutReading(factory, nginx.uri("/big"))).isEqualTo(HttpStatus.OK);

        PoolSnapshot afterClose = nginxPool("http");
        assertThat(afterClose.leased()).isZero();
        // 64 KiB is within the drain limit: the close reads it off the socket and keeps the connection
        assertThat(afterClose.idle()).isEqualTo(1);
        assertThat(afterClose.closed()).isZero();
        assertThat(api.get(factory, nginx.uri("/big"))).isEqualTo(NginxServer.bigBody());
        assertThat(nginx.acceptsExcludingSelf() - before).as("connections nginx accepted").isEqualTo(1);
        assertThat(nginxPool("http").reused()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void connectFailureSurfacesAsResourceAccessExceptionNamingHostAndMount(Api api) throws IOException {
        int port = unusedPort();
        useClient(PoolClient.builder()
                .mount("nowhere", "http://127.0.0.1:" + port + "/",
                        MountSettings.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .build());

        assertThatThrownBy(() -> api.get(factory, URI.create("http://127.0.0.1:" + port + "/small")))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(ConnectFailedException.class)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("mount 'nowhere'")
                .satisfies(e -> {
                    assertThat(((PoolClientException) e).mount()).isEqualTo("nowhere");
                    assertThat(((PoolClientException) e).host()).isEqualTo("127.0.0.1:" + port);
                });

        PoolSnapshot pool = pool("nowhere", port);
        assertThat(pool.opened()).as("failed connects are not counted").isZero();
        assertThat(pool.leased()).isZero();
        assertThat(pool.requests()).isZero();
    }

    // ---------------------------------------------------------------------------------------------

    private void useClient(PoolClient newClient) {
        if (client != null) {
            client.close();
        }
        client = newClient;
        factory = new PoolingClientHttpRequestFactory(client);
    }

    private PoolSnapshot nginxPool(String mount) {
        return pool(mount, nginx.port());
    }

    private PoolSnapshot pool(String mount, int port) {
        MountSnapshot snapshot = client.snapshot().mount(mount).orElseThrow();
        return snapshot.pools().stream().filter(p -> p.port() == port).findFirst()
                .orElseThrow(() -> new AssertionError("no pool for port " + port + " in mount '" + mount + "': " + snapshot));
    }

    /** Every pool of every mount: nothing leased or waiting, and the counters add up. */
    static void assertQuiet(PoolClient client) {
        for (MountSnapshot mount : client.snapshot().mounts()) {
            for (PoolSnapshot p : mount.pools()) {
                String where = "mount '" + mount.name() + "' pool " + p;
                assertThat(p.leased()).as("leased in " + where).isZero();
                assertThat(p.pending()).as("pending in " + where).isZero();
                assertThat(p.opened()).as("opened = idle + leased + discarded + closed in " + where)
                        .isEqualTo(p.idle() + p.leased() + p.discarded() + p.closed());
                assertThat(p.closedReasons().values().stream().mapToLong(Long::longValue).sum())
                        .as("closed reasons add up in " + where).isEqualTo(p.closed());
            }
        }
    }

    /** Writes {@code size} bytes in uneven pieces, as a streaming producer would. */
    private static int writePattern(OutputStream out, int size) throws IOException {
        byte[] piece = new byte[7919];
        for (int i = 0; i < piece.length; i++) {
            piece[i] = (byte) ('a' + i % 26);
        }
        int left = size;
        while (left > 0) {
            int n = Math.min(left, piece.length);
            out.write(piece, 0, n);
            left -= n;
        }
        return size;
    }

    /** A loopback port nothing listens on (bound once, then released). */
    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
