package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.awaitTrue;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import io.poolclient.PoolSnapshot;
import io.poolclient.retry.Retry;
import io.poolclient.testing.FaultServer;
import io.poolclient.testing.FaultServer.Fault;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every way a server on loopback can misbehave, each against a mount with
 * {@code retry.total=2}. For each fault the test pins:
 * <ul>
 *   <li>the exception type and its message: what happened, {@code host:port} and the mount;</li>
 *   <li>whether it was retried, counted by the requests the server really read: a GET is retried
 *       when the failure came before the response was handed to the caller (read errors and read
 *       timeouts are retried for allowed methods); a POST, whose bytes may have reached the server,
 *       never is; a refused connection is retried for both, as no byte left the client;</li>
 *   <li>that afterwards nothing is leased and {@code opened = idle + leased + discarded + closed},
 *       with {@code opened} equal to the connections the server accepted.</li>
 * </ul>
 *
 * <p>A failure after the response was handed to the caller (reset, truncated or broken body, a
 * read timeout in the body) is never retried: the engine streams bodies, so by then the caller owns
 * the response and the failure surfaces from {@code body().read()}.
 *
 * <p><b>What bounds a trickling server.</b> {@code read-timeout} is a per-read timeout (the longest
 * wait for the next byte), as in requests, urllib3 and every JDK socket. A server that sends one byte
 * per second under a 1.5 s read-timeout is therefore never timed out: the response completes after
 * body-length × interval, which is what bounds it. Only a pause longer than read-timeout between two
 * bytes fails the read. The client has no total response deadline, so none is tested here.
 */
@Timeout(60)
class FaultTest {

    private static final String MOUNT = "faults";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    private FaultServer server;
    private PoolClient client;
    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture(Level.INFO);
    }

    @AfterEach
    void everythingReturnedAndCounted() throws Exception {
        try {
            if (client != null && server != null) {
                long opened = client.snapshot(MOUNT).orElseThrow().pools().stream().mapToLong(PoolSnapshot::opened).sum();
                assertThat(opened).as("connections opened by the client = accepted by the server")
                        .isEqualTo(server.accepted());
            }
        }
        finally {
            assertQuietThenClose(client, logs, server);
        }
    }

    // ---- failures before any response byte: GET retried, POST not --------------------------

    @Test
    void acceptAndCloseWithoutAnswering() throws Exception {
        useServer(FaultServer.start(Fault.CLOSE_WITHOUT_ANSWER), READ_TIMEOUT);

        Throwable get = failure(get("/a"));
        assertExhausted(get, "GET", "/a", 3);
        assertThat(get.getCause()).isInstanceOf(ExchangeFailedException.class)
                .hasMessage(server.hostPort() + " closed the connection without sending a response (mount '" + MOUNT + "')");
        assertThat(server.requests()).as("1 attempt + 2 retries").isEqualTo(3);
        assertThat(retryLines()).hasSize(2);

        Throwable post = failure(post("/orders"));
        assertThat(post).isExactlyInstanceOf(ExchangeFailedException.class)
                .hasMessageContaining("closed the connection without sending a response");
        assertNames(post);
        assertThat(server.requests()).as("the POST reached the server once and was not retried").isEqualTo(4);
        assertThat(retryLines()).hasSize(2);
        assertThat(onlyPool(client, MOUNT).closedReasons()).isEqualTo(Map.of("error", 4L));
    }

    @Test
    void garbageStatusLine() throws Exception {
        useServer(FaultServer.start(Fault.GARBAGE_STATUS), READ_TIMEOUT);

        Throwable get = failure(get("/a"));
        assertExhausted(get, "GET", "/a", 3);
        assertThat(get.getCause()).isInstanceOf(MalformedResponseException.class)
                .hasMessageStartingWith("Malformed response from " + server.hostPort() + " through mount '" + MOUNT + "'");
        assertThat(server.requests()).isEqualTo(3);

        Throwable post = failure(post("/orders"));
        assertThat(post).isExactlyInstanceOf(MalformedResponseException.class)
                .hasMessageStartingWith("Malformed response from " + server.hostPort() + " through mount '" + MOUNT + "'");
        assertThat(server.requests()).isEqualTo(4);
    }

    @Test
    void twoHundredHeaderLinesExceedMaxHeaderCount() throws Exception {
        useServer(FaultServer.start(Fault.MANY_HEADERS), READ_TIMEOUT);

        Throwable get = failure(get("/a"));
        assertExhausted(get, "GET", "/a", 3);
        assertThat(get.getCause()).isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("max-header-count 100");
        assertThat(server.requests()).isEqualTo(3);

        Throwable post = failure(post("/orders"));
        assertThat(post).isExactlyInstanceOf(MalformedResponseException.class).hasMessageContaining("max-header-count 100");
        assertNames(post);
        assertThat(server.requests()).isEqualTo(4);
    }

    @Test
    void aHundredKibHeaderLineExceedsMaxHeaderLine() throws Exception {
        useServer(FaultServer.start(Fault.HUGE_HEADER), READ_TIMEOUT);

        Throwable get = failure(get("/a"));
        assertExhausted(get, "GET", "/a", 3);
        assertThat(get.getCause()).isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("max-header-line 8192");
        assertThat(server.requests()).isEqualTo(3);

        Throwable post = failure(post("/orders"));
        assertThat(post).isExactlyInstanceOf(MalformedResponseException.class).hasMessageContaining("max-header-line 8192");
        assertNames(post);
        assertThat(server.requests()).isEqualTo(4);
    }

    @Test
    void answerSlowerThanReadTimeout() throws Exception {
        useServer(FaultServer.builder().plan(FaultServer.Plan.always(Fault.SLOW_ANSWER))
                .slowAnswer(Duration.ofSeconds(10)).start(), Duration.ofMillis(300));

        long start = System.nanoTime();
        Throwable get = failure(get("/a"));
        assertExhausted(get, "GET", "/a", 3);
        assertThat(get.getCause()).isInstanceOf(ReadTimeoutException.class)
                .hasMessage("Read timed out after 300 ms (read-timeout) waiting for the response from " + server.hostPort()
                        + " through mount '" + MOUNT + "'");
        assertThat(server.requests()).isEqualTo(3);

        Throwable post = failure(post("/orders"));
        assertThat(post).isExactlyInstanceOf(ReadTimeoutException.class)
                .hasMessageContaining("Read timed out after 300 ms (read-timeout) waiting for the response");
        assertNames(post);
        assertThat(server.requests()).isEqualTo(4);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("4 attempts of 300 ms each, not the server's 10 s")
                .isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void refusedConnectionIsRetriedForEveryMethodBecauseNoByteWasSent() throws Exception {
        int port = FaultServer.closedPort();
        String hostPort = "127.0.0.1:" + port;
        client = PoolClient.builder().mount(MOUNT, "http://" + hostPort + "/", settings(READ_TIMEOUT)).build();

        for (String method : List.of("GET", "POST")) {
            Request request = new Request(method, URI.create("http://" + hostPort + "/r"), List.of(),
                    method.equals("POST") ? RequestBody.of(new byte[] {1}) : null);
            Throwable t = failure(request);
            assertThat(t).isExactlyInstanceOf(RetriesExhaustedException.class)
                    .hasMessageStartingWith("Max retries exceeded (3 attempts) for " + method + " http://" + hostPort + "/r"
                            + " through mount '" + MOUNT + "'");
            assertThat(t.getCause()).isExactlyInstanceOf(ConnectFailedException.class)
                    .hasMessage("Failed to connect (Connection refused) to " + hostPort + " through mount '" + MOUNT + "'");
        }
        assertThat(retryLines()).hasSize(4);
        PoolSnapshot pool = onlyPool(client, MOUNT);
        assertThat(pool.opened()).as("failed connects are not counted").isZero();
        assertThat(pool.requests()).isZero();
    }

    // ---- failures after the response was handed over: never retried ------------------------

    @Test
    void resetInTheMiddleOfTheResponseBody() throws Exception {
        useServer(FaultServer.start(Fault.RESET_MID_RESPONSE), READ_TIMEOUT);

        for (Request request : List.of(get("/a"), post("/orders"))) {
            Throwable t = failure(request);
            assertThat(t).isExactlyInstanceOf(ExchangeFailedException.class)
                    .hasMessageContaining("Connection reset");
            assertNames(t);
        }
        assertThat(server.requests()).as("neither retried").isEqualTo(2);
        assertThat(retryLines()).isEmpty();
        assertThat(onlyPool(client, MOUNT).closedReasons()).isEqualTo(Map.of("error", 2L));
    }

    @Test
    void truncatedContentLengthBody() throws Exception {
        useServer(FaultServer.start(Fault.TRUNCATED_BODY), READ_TIMEOUT);

        for (Request request : List.of(get("/a"), post("/orders"))) {
            Throwable t = failure(request);
            assertThat(t).isExactlyInstanceOf(MalformedResponseException.class)
                    .hasMessageStartingWith("Malformed response from " + server.hostPort() + " through mount '" + MOUNT
                            + "': Premature end of Content-Length delimited message body (expected: 1");
            assertNames(t);
        }
        assertThat(server.requests()).isEqualTo(2);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void brokenChunkedBody() throws Exception {
        useServer(FaultServer.start(Fault.BROKEN_CHUNKED), READ_TIMEOUT);

        for (Request request : List.of(get("/a"), post("/orders"))) {
            Throwable t = failure(request);
            assertThat(t).isExactlyInstanceOf(MalformedResponseException.class)
                    .hasMessageStartingWith("Malformed response from " + server.hostPort() + " through mount '" + MOUNT + "'")
                    .hasMessageContaining("chunk");
        }
        assertThat(server.requests()).isEqualTo(2);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void trickleOfOneBytePerSecondCompletesBecauseReadTimeoutIsPerRead() throws Exception {
        // 4 bytes, one per second: ~3 s in all, twice the 1.5 s read-timeout, yet never 1.5 s without a byte
        useServer(FaultServer.builder().plan(FaultServer.Plan.always(Fault.TRICKLE))
                .trickle(4, Duration.ofSeconds(1)).start(), Duration.ofMillis(1500));

        long start = System.nanoTime();
        try (Response r = client.execute(get("/slowly"))) {
            byte[] body = r.body().readAllBytes();
            assertThat(body).containsExactly(0, 1, 2, 3);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(2500));
        assertThat(server.requests()).isEqualTo(1);
        assertThat(onlyPool(client, MOUNT).idle()).as("completed normally: the connection is kept").isEqualTo(1);
    }

    @Test
    void trickleSlowerThanReadTimeoutFailsInTheBodyAndIsNotRetried() throws Exception {
        useServer(FaultServer.builder().plan(FaultServer.Plan.always(Fault.TRICKLE))
                .trickle(4, Duration.ofSeconds(1)).start(), Duration.ofMillis(400));

        long start = System.nanoTime();
        Throwable t;
        try (Response r = client.execute(get("/slowly"))) {
            assertThat(r.status()).isEqualTo(200);
            t = catchThrowable(() -> r.body().readAllBytes());
        }
        assertThat(t).isExactlyInstanceOf(ReadTimeoutException.class)
                .hasMessage("Read timed out after 400 ms (read-timeout) reading the response body from " + server.hostPort()
                        + " through mount '" + MOUNT + "'");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("one read-timeout after the first byte")
                .isLessThan(Duration.ofMillis(950));
        assertThat(server.requests()).isEqualTo(1);
        assertThat(onlyPool(client, MOUNT).closedReasons()).isEqualTo(Map.of("error", 1L));
    }

    // ---- idle keep-alive connections closed by the server ---------------------------------

    @Test
    void serverClosingIdleKeepAliveConnectionsCausesNoFailure() throws Exception {
        useServer(FaultServer.builder().idleClose(Duration.ofMillis(150)).start(), READ_TIMEOUT);

        int served = 0;
        for (int i = 0; i < 3; i++) {
            for (Request request : List.of(get("/a"), post("/orders"))) {
                try (Response r = client.execute(request)) {
                    assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(FaultServer.OK_BODY);
                }
                int expected = ++served;
                awaitTrue(() -> server.idleClosed() >= expected, Duration.ofSeconds(5),
                        "the server closed idle keep-alive connection " + expected);
            }
        }
        PoolSnapshot pool = onlyPool(client, MOUNT);
        assertThat(server.requests()).as("every request reached the server exactly once").isEqualTo(6);
        assertThat(pool.opened()).isEqualTo(6);
        assertThat(pool.reused()).as("no dead connection was handed out").isZero();
        assertThat(pool.closedReasons()).isEqualTo(Map.of("stale", 5L));
        assertThat(retryLines()).isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void useServer(FaultServer s, Duration readTimeout) {
        server = s;
        client = PoolClient.builder().mount(MOUNT, "http://" + server.hostPort() + "/", settings(readTimeout)).build();
    }

    private static MountSettings settings(Duration readTimeout) {
        return MountSettings.builder()
                .readTimeout(readTimeout)
                .connectTimeout(Duration.ofSeconds(2))
                .retry(Retry.builder().total(2).build())
                .build();
    }

    private Request get(String path) {
        return Request.get(server.uri(path));
    }

    private Request post(String path) {
        return new Request("POST", server.uri(path), List.of(new Header("Content-Type", "text/plain")),
                RequestBody.of("order=1".getBytes(StandardCharsets.US_ASCII)));
    }

    /** Executes and reads the whole body; returns what was thrown (failing if nothing was). */
    private Throwable failure(Request request) {
        Throwable t = catchThrowable(() -> {
            try (Response r = client.execute(request)) {
                r.body().readAllBytes();
            }
        });
        assertThat(t).as("%s %s must fail", request.method(), request.uri()).isNotNull();
        assertThat(t).isInstanceOf(IOException.class).isInstanceOf(PoolClientException.class);
        return t;
    }

    private void assertExhausted(Throwable t, String method, String path, int attempts) {
        assertThat(t).isExactlyInstanceOf(RetriesExhaustedException.class)
                .hasMessageStartingWith("Max retries exceeded (" + attempts + " attempts) for " + method + " http://"
                        + server.hostPort() + path + " through mount '" + MOUNT + "': ");
        assertThat(((RetriesExhaustedException) t).attempts()).isEqualTo(attempts);
        assertNames(t);
    }

    private void assertNames(Throwable t) {
        PoolClientException e = (PoolClientException) t;
        assertThat(e.getMessage()).contains(server.hostPort()).contains("mount '" + MOUNT + "'");
        assertThat(e.mount()).isEqualTo(MOUNT);
        assertThat(e.host()).isEqualTo(server.hostPort());
    }

    private List<String> retryLines() {
        return logs.messages(Level.INFO).stream().filter(m -> m.startsWith("Retrying ")).toList();
    }
}
