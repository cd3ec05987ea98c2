package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.poolclient.PoolSnapshot;
import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Keep-alive connections the server gave up on (DESIGN §1, last row of the model table): a pooled
 * connection the server closed while idle is never handed out; a request that fails on a reused
 * connection before any response byte is retried once on a new connection when idempotent, without
 * touching the retry budget; the server's {@code Keep-Alive: timeout=}, {@code Connection: close}
 * and HTTP/1.0 are honoured. The server is a few lines of raw sockets so that every byte, every
 * close and every connection is under the test's control.
 */
@Timeout(30)
class StaleConnectionTest {

    private static final String MOUNT = "raw";

    private ScriptedServer server;
    private PoolClient client;
    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture(Level.DEBUG);
    }

    @AfterEach
    void stop() throws Exception {
        PoolAssertions.assertQuietThenClose(client, logs, server);
    }

    // ---- closed while idle -----------------------------------------------------------------

    @Test
    void aConnectionTheServerClosedWhileIdleIsNeverHandedOut() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> Reply.thenClose(ok("ok", "Connection: keep-alive")));
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        server.awaitClosedConnections(1);
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.requests()).extracting(RawRequest::connection).containsExactly(0, 1);
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.reused()).as("the dead connection was not handed out").isZero();
        assertThat(pool.requests()).isEqualTo(2);
        assertThat(pool.closedReasons()).isEqualTo(Map.of("stale", 1L));
        assertThat(transparentRetryLines()).as("found by the stale check, not by a failed exchange").isEmpty();
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsNotHandedOutToSpringEither() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> Reply.thenClose(ok("ok")));
        useMount(MountSettings.EMPTY);
        RestClient rest = restClient();

        assertThat(rest.get().uri(url("/one")).retrieve().body(String.class)).isEqualTo("ok");
        server.awaitClosedConnections(1);
        assertThat(rest.get().uri(url("/two")).retrieve().body(String.class)).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(pool().closedReasons()).containsEntry("stale", 1L);
    }

    // ---- closed on the next request, before any response byte ------------------------------

    /** Connection 0 answers its first request, then reads the second and closes without a byte. */
    private static Reply dropSecondOnFirstConnection(int conn, int exchange, RawRequest req) {
        if (conn == 0 && exchange == 1) {
            return Reply.silentClose();
        }
        return Reply.keepOpen(ok("ok"));
    }

    @Test
    void anIdempotentRequestOnAReusedConnectionIsRetriedOnceTransparently() throws Exception {
        server = ScriptedServer.start(StaleConnectionTest::dropSecondOnFirstConnection);
        useMount(MountSettings.builder().maxRetries(0).build());

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.requests()).extracting(r -> r.connection() + ":" + r.exchange() + " " + r.target())
                .containsExactly("0:0 /one", "0:1 /two", "1:0 /two");
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.requests()).as("every attempt counted").isEqualTo(3);
        assertThat(pool.closedReasons()).isEqualTo(Map.of("error", 1L));
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(transparentRetryLines()).containsExactly("Reused connection to " + hostPort() + " (mount '" + MOUNT
                + "') was closed by the server before a response; retrying once on a new connection");
        assertThat(budgetRetryLines()).isEmpty();
    }

    @Test
    void theTransparentRetryGoesOnANewConnectionEvenWithOtherIdleOnes() throws Exception {
        // connections 0 and 1 answer once, then drop their next request; connection 2 is healthy
        server = ScriptedServer.start((conn, exchange, req) ->
                conn < 2 && exchange == 1 ? Reply.silentClose() : Reply.keepOpen(ok("ok")));
        useMount(MountSettings.EMPTY);
        Response first = client.execute(Request.get(url("/a")));
        Response second = client.execute(Request.get(url("/b")));
        first.body().readAllBytes();
        second.body().readAllBytes();
        first.close();
        second.close();
        assertThat(pool().idle()).isEqualTo(2);

        assertThat(get("/c")).as("not retried on the other, equally dead, idle connection").isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(3);
        List<RawRequest> requests = server.requests();
        assertThat(requests).hasSize(4);
        assertThat(requests.get(2).exchange()).as("the reused connection got /c first").isEqualTo(1);
        assertThat(requests.get(3).connection()).as("then a brand-new connection").isEqualTo(2);
        assertThat(requests.get(3).target()).isEqualTo("/c");
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(3);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.closedReasons()).isEqualTo(Map.of("error", 1L));
        assertThat(pool.idle()).isEqualTo(2);
    }

    @Test
    void theTransparentRetryDoesNotUseUpTheRetryBudget() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> {
            if (conn == 0 && exchange == 1) {
                return Reply.silentClose();
            }
            if (conn == 1 && exchange == 0) {
                return Reply.keepOpen(response(503, "Service Unavailable", "busy"));
            }
            return Reply.keepOpen(ok("ok"));
        });
        useMount(MountSettings.builder().retry(Retry.builder().total(1).statusForcelist(Set.of(503)).build()).build());

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).as("the 503 after the transparent retry is still retried").isEqualTo("ok");

        assertThat(server.requests()).extracting(r -> r.connection() + ":" + r.exchange())
                .containsExactly("0:0", "0:1", "1:0", "1:1");
        assertThat(transparentRetryLines()).hasSize(1);
        assertThat(budgetRetryLines()).containsExactly("Retrying GET http://" + hostPort() + "/two through mount '" + MOUNT
                + "' after status 503; remaining retry budget: total=0");
        assertThat(pool().requests()).isEqualTo(4);
    }

    @Test
    void theTransparentRetryHappensOnlyOnce() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> {
            if (conn == 0 && exchange == 0) {
                return Reply.keepOpen(ok("ok"));
            }
            return Reply.silentClose();
        });
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        assertThatThrownBy(() -> get("/two"))
                .isInstanceOf(ExchangeFailedException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'")
                .hasMessageContaining("without sending a response");

        assertThat(server.requests()).extracting(r -> r.connection() + ":" + r.exchange())
                .containsExactly("0:0", "0:1", "1:0");
        assertThat(transparentRetryLines()).hasSize(1);
        assertThat(pool().closedReasons()).isEqualTo(Map.of("error", 2L));
    }

    @Test
    void aPostInTheSameSituationIsNotRetriedAndFailsNamingHostAndMount() throws Exception {
        server = ScriptedServer.start(StaleConnectionTest::dropSecondOnFirstConnection);
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        Request post = new Request("POST", url("/orders"), List.of(new Header("Content-Type", "text/plain")),
                RequestBody.of("payload".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> client.execute(post))
                .isInstanceOf(IOException.class)
                .isInstanceOf(PoolClientException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'")
                .satisfies(e -> {
                    assertThat(((PoolClientException) e).mount()).isEqualTo(MOUNT);
                    assertThat(((PoolClientException) e).host()).isEqualTo(hostPort());
                });

        assertThat(server.accepted()).as("no new connection for the POST").isEqualTo(1);
        assertThat(server.requests()).extracting(r -> r.method() + " " + r.target() + " " + r.body())
                .containsExactly("GET /one ", "POST /orders payload");
        assertThat(transparentRetryLines()).isEmpty();
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.idle()).isZero();
        assertThat(pool.closedReasons()).isEqualTo(Map.of("error", 1L));
    }

    @Test
    void springPostInTheSameSituationIsAResourceAccessExceptionAndNotRetried() throws Exception {
        server = ScriptedServer.start(StaleConnectionTest::dropSecondOnFirstConnection);
        useMount(MountSettings.EMPTY);
        RestClient rest = restClient();

        assertThat(rest.get().uri(url("/one")).retrieve().body(String.class)).isEqualTo("ok");
        assertThatThrownBy(() -> rest.post().uri(url("/orders")).contentType(MediaType.TEXT_PLAIN).body("payload")
                .retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(PoolClientException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'");
        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void springGetIsRetriedTransparentlyToo() throws Exception {
        server = ScriptedServer.start(StaleConnectionTest::dropSecondOnFirstConnection);
        useMount(MountSettings.EMPTY);
        RestClient rest = restClient();

        assertThat(rest.get().uri(url("/one")).retrieve().body(String.class)).isEqualTo("ok");
        assertThat(rest.get().uri(url("/two")).retrieve().body(String.class)).isEqualTo("ok");
        assertThat(server.requests()).hasSize(3);
        assertThat(server.accepted()).isEqualTo(2);
    }

    // ---- the server's own word on reuse ----------------------------------------------------

    @Test
    void keepAliveTimeoutZeroMeansNotReusableAfterTheResponse() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> Reply.keepOpen(ok("ok", "Keep-Alive: timeout=0")));
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        PoolSnapshot pool = pool();
        assertThat(pool.reused()).isZero();
        assertThat(pool.idle()).isZero();
        assertThat(pool.closedReasons()).isEqualTo(Map.of("idle-timeout", 2L));
    }

    @Test
    void keepAliveTimeoutOneReusesAtOnceButExpiresTheIdleConnectionSoonAfter() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> Reply.keepOpen(ok("ok", "Keep-Alive: timeout=1, max=100")));
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.EMPTY)
                .housekeepingInterval(Duration.ofMillis(20))
                .build();

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).isEqualTo("ok");
        assertThat(pool().reused()).as("within the server's keep-alive").isEqualTo(1);

        // the evictor closes it before the server's 1s would run out (bounded poll, no fixed sleep)
        awaitTrue(() -> pool().idle() == 0, "the idle connection expires after Keep-Alive: timeout=1");
        assertThat(pool().closedReasons()).isEqualTo(Map.of("idle-timeout", 1L));

        assertThat(get("/three")).isEqualTo("ok");
        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.requests()).extracting(RawRequest::connection).containsExactly(0, 0, 1);
    }

    @Test
    void connectionCloseAndHttp10AreNotReused() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> req.target().equals("/close")
                ? Reply.keepOpen(ok("ok", "Connection: close"))
                : Reply.keepOpen(("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII)));
        useMount(MountSettings.EMPTY);

        assertThat(get("/close")).isEqualTo("ok");
        assertThat(get("/http10")).isEqualTo("ok");
        assertThat(get("/close")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(3);
        assertThat(pool().closedReasons()).isEqualTo(Map.of("not-reusable", 3L));
        assertThat(pool().reused()).isZero();
    }

    @Test
    void anIdleConnectionPastIdleTimeoutIsClosedAndNotReused() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> Reply.keepOpen(ok("ok")));
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.builder().idleTimeout(Duration.ofMillis(100)).build())
                .housekeepingInterval(Duration.ofMillis(10))
                .build();

        assertThat(get("/one")).isEqualTo("ok");
        awaitTrue(() -> pool().idle() == 0, "the idle connection passes idle-timeout");
        assertThat(pool().closedReasons()).isEqualTo(Map.of("idle-timeout", 1L));
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(pool().reused()).isZero();
    }

    @Test
    void aConnectionPastMaxLifetimeIsClosedAndNotReused() throws Exception {
        server = ScriptedServer.start((conn, exchange, req) -> Reply.keepOpen(ok("ok")));
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.builder().maxLifetime(Duration.ofMillis(100)).build())
                .housekeepingInterval(Duration.ofMillis(10))
                .build();

        assertThat(get("/one")).isEqualTo("ok");
        awaitTrue(() -> pool().idle() == 0, "the connection passes max-lifetime");
        assertThat(pool().closedReasons()).isEqualTo(Map.of("max-lifetime", 1L));
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void useMount(MountSettings settings) {
        client = PoolClient.builder().mount(MOUNT, "http://" + hostPort() + "/", settings).build();
    }

    private RestClient restClient() {
        return RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();
    }

    private String hostPort() {
        return "127.0.0.1:" + server.port();
    }

    private URI url(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    private String get(String path) throws IOException {
        try (Response r = client.execute(Request.get(url(path)))) {
            assertThat(r.status()).isEqualTo(200);
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private PoolSnapshot pool() {
        return client.snapshot(MOUNT).orElseThrow().pools().get(0);
    }

    private List<String> transparentRetryLines() {
        return logs.messages(Level.DEBUG).stream().filter(m -> m.startsWith("Reused connection to ")).toList();
    }

    private List<String> budgetRetryLines() {
        return logs.messages(Level.INFO).stream().filter(m -> m.startsWith("Retrying ")).toList();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    private static byte[] ok(String body, String... headers) {
        return response(200, "OK", body, headers);
    }

    private static byte[] response(int status, String reason, String body, String... headers) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n")
                .append("Content-Length: ").append(content.length).append("\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + content.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        return all;
    }

    // ---- the scripted server ---------------------------------------------------------------

    /** A request as the server read it; {@code connection} and {@code exchange} count from 0. */
    record RawRequest(int connection, int exchange, String method, String target, String body) {
    }

    /** What the server does with one request: write {@code bytes} (none: say nothing) and maybe close. */
    record Reply(byte[] bytes, boolean close) {
        static Reply keepOpen(byte[] bytes) {
            return new Reply(bytes, false);
        }

        static Reply thenClose(byte[] bytes) {
            return new Reply(bytes, true);
        }

        static Reply silentClose() {
            return new Reply(null, true);
        }
    }

    @FunctionalInterface
    interface Script {
        Reply reply(int connection, int exchange, RawRequest request);
    }

    /**
     * An HTTP/1.1 server on 127.0.0.1 that follows a {@link Script} for each request, one thread
     * per connection (at most {@link #MAX_CONNECTIONS}), every read bounded by a socket timeout.
     */
    static final class ScriptedServer implements AutoCloseable {

        static final int MAX_CONNECTIONS = 16;
        private static final int MAX_HEAD = 16 * 1024;

        private final ServerSocket listener;
        private final Script script;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scripted-server");
            t.setDaemon(true);
            return t;
        });
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final List<RawRequest> requests = new CopyOnWriteArrayList<>();
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger closedByServer = new AtomicInteger();
        private volatile boolean stopped;

        private ScriptedServer(Script script) throws IOException {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.script = script;
        }

        static ScriptedServer start(Script script) throws IOException {
            ScriptedServer s = new ScriptedServer(script);
            s.threads.execute(s::acceptLoop);
            return s;
        }

        int port() {
            return listener.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        List<RawRequest> requests() {
            return new ArrayList<>(requests);
        }

        /** Waits (bounded) until the server has closed {@code n} connections itself. */
        void awaitClosedConnections(int n) throws InterruptedException {
            awaitTrue(() -> closedByServer.get() >= n, "the server closed " + n + " connection(s)");
        }

        private void acceptLoop() {
            while (!stopped) {
                Socket s;
                try {
                    s = listener.accept();
                }
                catch (IOException e) {
                    return; // closed
                }
                int index = accepted.getAndIncrement();
                if (index >= MAX_CONNECTIONS) {
                    closeQuietly(s);
                    continue;
                }
                sockets.add(s);
                threads.execute(() -> serve(s, index));
            }
        }

        private void serve(Socket socket, int connection) {
            try (socket) {
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                for (int exchange = 0; exchange < 100 && !stopped; exchange++) {
                    RawRequest request = read(in, connection, exchange);
                    if (request == null) {
                        return; // the client closed
                    }
                    requests.add(request);
                    Reply reply = script.reply(connection, exchange, request);
                    if (reply.bytes() != null) {
                        out.write(reply.bytes());
                        out.flush();
                    }
                    if (reply.close()) {
                        socket.close();
                        closedByServer.incrementAndGet();
                        return;
                    }
                }
            }
            catch (IOException e) {
                // the client went away or the server is stopping
            }
        }

        /** Reads one request (head and Content-Length body); {@code null} on a clean end of stream. */
        private static RawRequest read(InputStream in, int connection, int exchange) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b;
                try {
                    b = in.read();
                }
                catch (SocketException reset) {
                    return null;
                }
                if (b < 0) {
                    if (head.size() == 0) {
                        return null;
                    }
                    throw new IOException("truncated request head");
                }
                head.write(b);
                if (head.size() > MAX_HEAD) {
                    throw new IOException("request head too large");
                }
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                    length = Integer.parseInt(lines[i].substring(colon + 1).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            return new RawRequest(connection, exchange, requestLine[0], requestLine[1],
                    new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            stopped = true;
            listener.close();
            sockets.forEach(ScriptedServer::closeQuietly);
            threads.shutdownNow();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            }
            catch (IOException ignored) {
                // best effort
            }
        }
    }
}
