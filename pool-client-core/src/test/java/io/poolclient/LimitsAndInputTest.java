package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import io.poolclient.testing.FaultServer;
import io.poolclient.testing.FaultServer.Fault;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Limits and bad input: response header limits with safe, configurable defaults and an
 * error naming the limit; request headers holding CR or LF refused before any connection is made;
 * credentials in a URL's user-info never logged, never in an exception message, never in the
 * snapshot, never sent.
 */
@Timeout(30)
class LimitsAndInputTest {

    private static final String MOUNT = "limits";

    private FaultServer server;
    private PoolClient client;

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    // ---- response header limits ------------------------------------------------------------

    @Test
    void moreHeadersThanMaxHeaderCountIsAMalformedResponseNamingTheLimit() {
        use(Fault.MANY_HEADERS, MountSettings.builder().maxHeaderCount(50).build());

        assertThatThrownBy(() -> get("/h"))
                .isExactlyInstanceOf(MalformedResponseException.class)
                .hasMessage("Malformed response from " + server.hostPort() + " through mount '" + MOUNT
                        + "': Maximum header count exceeded (max-header-count 50)");
        assertThat(onlyPool(client, MOUNT).closedReasons()).containsEntry("error", 1L);
    }

    @Test
    void theDefaultHeaderCountLimitIs100AndCanBeRaised() throws Exception {
        use(Fault.MANY_HEADERS, MountSettings.EMPTY);
        assertThatThrownBy(() -> get("/h")).hasMessageEndingWith("(max-header-count 100)");
        client.close();

        client = PoolClient.builder().mount(MOUNT, "http://" + server.hostPort() + "/",
                MountSettings.builder().maxHeaderCount(FaultServer.MANY_HEADER_LINES).build()).build();
        try (Response r = client.execute(Request.get(server.uri("/h")))) {
            assertThat(r.headers()).hasSize(FaultServer.MANY_HEADER_LINES);
            assertThat(r.body().readAllBytes()).asString().isEqualTo(FaultServer.OK_BODY);
        }
    }

    @Test
    void aHeaderLineLongerThanMaxHeaderLineIsAMalformedResponseNamingTheLimit() throws Exception {
        use(Fault.HUGE_HEADER, MountSettings.EMPTY);
        assertThatThrownBy(() -> get("/h"))
                .isExactlyInstanceOf(MalformedResponseException.class)
                .hasMessage("Malformed response from " + server.hostPort() + " through mount '" + MOUNT
                        + "': Maximum line length limit exceeded (max-header-line 8192)");
        client.close();

        client = PoolClient.builder().mount(MOUNT, "http://" + server.hostPort() + "/",
                MountSettings.builder().maxHeaderLine(200 * 1024).build()).build();
        try (Response r = client.execute(Request.get(server.uri("/h")))) {
            assertThat(r.header("X-Huge")).hasSize(FaultServer.HUGE_HEADER_BYTES);
            assertThat(r.body().readAllBytes()).asString().isEqualTo(FaultServer.OK_BODY);
        }
    }

    @Test
    void theLimitsAreInclusiveExactlyMaxHeaderCountHeadersAndMaxHeaderLineBytesAreAccepted() throws Exception {
        use(Fault.NONE, MountSettings.EMPTY);

        try (Response r = client.execute(Request.get(server.uri("/headers/100")))) {
            assertThat(r.headers()).hasSize(100);
            r.body().readAllBytes();
        }
        assertThatThrownBy(() -> get("/headers/101")).isExactlyInstanceOf(MalformedResponseException.class)
                .hasMessageEndingWith("(max-header-count 100)");

        try (Response r = client.execute(Request.get(server.uri("/line/8192")))) {
            assertThat(("X-Long: " + r.header("X-Long")).length()).isEqualTo(8192);
            r.body().readAllBytes();
        }
        assertThatThrownBy(() -> get("/line/8193")).isExactlyInstanceOf(MalformedResponseException.class)
                .hasMessageEndingWith("(max-header-line 8192)");
    }

    // ---- CR and LF in request headers ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"name-lf", "name-cr", "value-crlf", "value-lf", "value-cr"})
    void headersHoldingCrOrLfAreRefusedBeforeAnythingIsSent(String where) throws Exception {
        use(Fault.NONE, MountSettings.EMPTY);
        Header bad = switch (where) {
            case "name-lf" -> new Header("X-Evil\nInjected", "1");
            case "name-cr" -> new Header("X-Evil\rInjected", "1");
            case "value-crlf" -> new Header("X-Evil", "1\r\nX-Injected: yes");
            case "value-lf" -> new Header("X-Evil", "1\nX-Injected: yes");
            default -> new Header("X-Evil", "1\rX-Injected: yes");
        };
        Request request = new Request("POST", server.uri("/orders"), List.of(new Header("X-Fine", "ok"), bad),
                RequestBody.of("body".getBytes(StandardCharsets.US_ASCII)));

        assertThatThrownBy(() -> client.execute(request))
                .isExactlyInstanceOf(RequestRefusedException.class)
                .hasMessageContaining("holds a CR or LF character")
                .hasMessageContaining("request to " + server.hostPort() + " through mount '" + MOUNT + "' refused before sending");

        assertThat(client.snapshot(MOUNT).orElseThrow().pools()).as("no pool, no connection").isEmpty();
        // the server saw nothing: the next request is its first connection and first request
        assertThat(get("/next")).isEqualTo(FaultServer.OK_BODY);
        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.received()).extracting(FaultServer.Received::target).containsExactly("/next");
    }

    @Test
    void springHeadersHoldingCrLfAreRefusedToo() {
        use(Fault.NONE, MountSettings.EMPTY);
        RestClient rest = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();

        assertThatThrownBy(() -> rest.get().uri(server.uri("/x")).header("X-Evil", "1\r\nX-Injected: yes")
                .retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause().isExactlyInstanceOf(RequestRefusedException.class);
        assertThat(server.accepted()).isZero();
        assertThat(client.snapshot(MOUNT).orElseThrow().pools()).isEmpty();
    }

    // ---- user-info -------------------------------------------------------------------------

    @Test
    void credentialsInUserInfoAreNeverLoggedShownOrSent() throws Exception {
        String user = "alice-user";
        String secret = "s3cret-pw";
        LogCapture logs = new LogCapture(Level.DEBUG);
        List<String> messages = new ArrayList<>();
        try {
            server = FaultServer.builder().plan(r -> r.target().startsWith("/garbage") ? Fault.GARBAGE_STATUS : Fault.NONE)
                    .start();
            client = PoolClient.builder()
                    .defaults(MountSettings.builder().retry(Retry.builder().total(1).build()).build())
                    .housekeepingInterval(Duration.ofMillis(50))
                    .build();
            String withUserInfo = "http://" + user + ":" + secret + "@" + server.hostPort();

            try (Response r = client.execute(Request.get(URI.create(withUserInfo + "/ok")))) {
                assertThat(r.body().readAllBytes()).asString().isEqualTo(FaultServer.OK_BODY);
            }
            messages.add(message(() -> get(URI.create(withUserInfo + "/garbage"))));
            messages.add(message(() -> get(URI.create("http://" + user + ":" + secret + "@127.0.0.1:"
                    + FaultServer.closedPort() + "/refused"))));
            messages.add(message(() -> client.execute(new Request("GET", URI.create(withUserInfo + "/crlf"),
                    List.of(new Header("X-Evil", "a\nb")), null))));
            messages.add(message(() -> get(URI.create("ftp://" + user + ":" + secret + "@127.0.0.1/file"))));

            assertThat(messages).hasSize(4).allSatisfy(m -> assertThat(m).doesNotContain(secret).doesNotContain(user));
            assertThat(logs.texts()).as("log lines and their stack traces").isNotEmpty()
                    .allSatisfy(m -> assertThat(m).doesNotContain(secret).doesNotContain(user));
            assertThat(client.snapshot().toString()).doesNotContain(secret).doesNotContain(user);
            assertThat(server.received()).isNotEmpty().allSatisfy(r -> {
                assertThat(r.head()).doesNotContain(secret).doesNotContain(user);
                assertThat(r.header("Authorization")).isNull();
            });
        }
        finally {
            logs.close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void use(Fault fault, MountSettings settings) {
        server = FaultServer.start(fault);
        client = PoolClient.builder().mount(MOUNT, "http://" + server.hostPort() + "/", settings).build();
    }

    private String get(String path) throws IOException {
        return get(server.uri(path));
    }

    private String get(URI uri) throws IOException {
        try (Response r = client.execute(Request.get(uri))) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The message of the failure, with every cause's message appended. */
    private static String message(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(IOException.class);
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(" | ");
        }
        return all.toString();
    }
}
