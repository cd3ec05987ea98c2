package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolclient.testing.h2.H2ScriptedServer;
import io.poolclient.testing.h2.RawH2Peer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 faults as the pool meets them, against a scripted raw-frame server: GOAWAY before a stream
 * was processed (retried on another connection whatever the method, outside the retry budget and
 * bounded), RST_STREAM (only that request fails, clearly), and the counts adding up afterwards.
 */
class H2FaultPoolTest {

    private static final int INTERNAL_ERROR = 0x2;

    private H2ScriptedServer server;
    private PoolClient client;

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    @Test
    void aPostAboveTheLastStreamIdOfAGoAwayGoesAgainOnAnotherConnectionOutsideTheRetryBudget() throws Exception {
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        server = H2ScriptedServer.start((connection, peer) -> {
            peer.handshake();
            RawH2Peer.Request request = peer.nextRequest();
            if (connection == 0) {
                seen.add("goaway " + request.fields().get(":method"));
                peer.goAway(0, 0, "going away"); // stream 1 was not processed
                peer.readUntilClosed();
                return;
            }
            String body = request.endStream() ? "" : readBody(peer);
            seen.add("served " + request.fields().get(":method") + " " + body);
            peer.headers(request.streamId(), 200, false);
            peer.data(request.streamId(), ("got " + body).getBytes(StandardCharsets.UTF_8), true);
            peer.readUntilClosed();
        });
        client = client(MountSettings.builder().protocols(Protocols.of("h2c")).maxRetries(0).build());

        try (Response r = client.execute(new Request("POST", url("/once"), List.of(), RequestBody.of(
                "payload".getBytes(StandardCharsets.UTF_8))))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("got payload");
        }

        assertThat(seen).containsExactly("goaway POST", "served POST payload");
        assertThat(server.connections()).isEqualTo(2);
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.requests()).as("both tries counted").isEqualTo(2);
        awaitClosedReason("goaway");
    }

    @Test
    void aServerThatRefusesEveryStreamCannotKeepACallGoingForever() throws Exception {
        server = H2ScriptedServer.start((connection, peer) -> {
            peer.handshake();
            peer.nextRequest();
            peer.goAway(0, 0, "never");
            peer.readUntilClosed();
        });
        client = client(MountSettings.builder().protocols(Protocols.of("h2c")).maxRetries(0).build());

        Throwable t = catchThrowable(() -> client.execute(Request.get(url("/never"))).close());

        assertThat(t).isInstanceOf(ExchangeFailedException.class).hasMessageContaining("was not processed")
                .hasMessageContaining("h2c");
        assertThat(server.connections()).as("the first try and 20 more, then it gives up").isEqualTo(21);
        assertThat(onlyPool(client, "h2c").requests()).isEqualTo(21);
    }

    @Test
    void aStreamResetByTheServerFailsOnlyThatRequestWithAClearIoException() throws Exception {
        server = H2ScriptedServer.start((connection, peer) -> {
            peer.handshake();
            peer.rstStream(peer.nextRequest().streamId(), INTERNAL_ERROR);
            RawH2Peer.Request next = peer.nextRequest();
            peer.headers(next.streamId(), 200, false);
            peer.data(next.streamId(), "fine".getBytes(StandardCharsets.UTF_8), true);
            peer.readUntilClosed();
        });
        client = client(MountSettings.builder().protocols(Protocols.of("h2c")).maxRetries(0).build());

        Throwable t = catchThrowable(() -> client.execute(Request.get(url("/reset"))).close());
        String next;
        try (Response r = client.execute(Request.get(url("/next")))) {
            next = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(t).isInstanceOf(ExchangeFailedException.class).isInstanceOf(IOException.class)
                .hasMessageContaining("reset the HTTP/2 stream").hasMessageContaining("INTERNAL_ERROR")
                .hasMessageContaining("mount 'h2c'");
        assertThat(next).isEqualTo("fine");
        assertThat(server.connections()).as("the connection outlived the reset").isEqualTo(1);
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.closed()).isZero();
        assertThat(pool.activeStreams()).isZero();
    }

    @Test
    void aGoAwayWithAnErrorFailsTheStreamsItCoversAndTheConnectionLeavesThePool() throws Exception {
        server = H2ScriptedServer.start((connection, peer) -> {
            peer.handshake();
            RawH2Peer.Request request = peer.nextRequest();
            if (connection == 0) {
                peer.headers(request.streamId(), 200, false);
                peer.data(request.streamId(), "first".getBytes(StandardCharsets.UTF_8), true);
                peer.nextRequest();
                peer.goAway(3, INTERNAL_ERROR, "broken");
                peer.readUntilClosed();
                return;
            }
            peer.headers(request.streamId(), 200, false);
            peer.data(request.streamId(), "second".getBytes(StandardCharsets.UTF_8), true);
            peer.readUntilClosed();
        });
        client = client(MountSettings.builder().protocols(Protocols.of("h2c")).maxRetries(0).build());

        try (Response r = client.execute(Request.get(url("/first")))) {
            assertThat(r.body().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("first");
        }
        // a POST: a GET that fails like this on a reused connection goes once more on a new one
        Throwable t = catchThrowable(() -> client.execute(new Request("POST", url("/broken"), List.of(),
                RequestBody.of(new byte[0]))).close());
        try (Response r = client.execute(Request.get(url("/second")))) {
            assertThat(r.body().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("second");
        }

        assertThat(t).isInstanceOf(ExchangeFailedException.class).hasMessageContaining("HTTP/2 connection to")
                .hasMessageContaining("INTERNAL_ERROR");
        assertThat(server.connections()).isEqualTo(2);
        awaitClosedReason("goaway");
    }

    @Test
    void aSilentServerEndsInTheReadTimeoutAndTheResetStreamLeavesTheConnectionUsable() throws Exception {
        server = H2ScriptedServer.start((connection, peer) -> {
            peer.handshake();
            peer.nextRequest(); // never answered
            RawH2Peer.Frame reset = peer.next(RawH2Peer.RST_STREAM);
            RawH2Peer.Request next = peer.nextRequest();
            peer.headers(next.streamId(), 200, false);
            peer.data(next.streamId(), ("after reset of stream " + reset.streamId()).getBytes(StandardCharsets.UTF_8), true);
            peer.readUntilClosed();
        });
        client = client(MountSettings.builder().protocols(Protocols.of("h2c")).maxRetries(0)
                .readTimeout(Duration.ofMillis(300)).build());

        Throwable t = catchThrowable(() -> client.execute(Request.get(url("/silent"))).close());
        String next;
        try (Response r = client.execute(Request.get(url("/next")))) {
            next = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(t).isInstanceOf(ReadTimeoutException.class)
                .hasMessageStartingWith("Read timed out after 300 ms (read-timeout) waiting for the response from 127.0.0.1:"
                        + server.port() + " through mount 'h2c'");
        assertThat(next).isEqualTo("after reset of stream 1");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aResponseHeadPastMaxHeaderCountFailsThatRequestNamingTheSetting() throws Exception {
        server = H2ScriptedServer.start((connection, peer) -> {
            peer.handshake();
            RawH2Peer.Request request = peer.nextRequest();
            peer.headers(request.streamId(), 200, true, "a", "1", "b", "2", "c", "3");
            RawH2Peer.Request next = peer.nextRequest();
            peer.headers(next.streamId(), 200, false, "a", "1");
            peer.data(next.streamId(), "small head".getBytes(StandardCharsets.UTF_8), true);
            peer.readUntilClosed();
        });
        client = client(MountSettings.builder().protocols(Protocols.of("h2c")).maxRetries(0).maxHeaderCount(2).build());

        Throwable t = catchThrowable(() -> client.execute(Request.get(url("/many"))).close());
        String next;
        try (Response r = client.execute(Request.get(url("/few")))) {
            next = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(t).isInstanceOf(MalformedResponseException.class).hasMessageContaining("max-header-count 2")
                .hasMessageContaining("mount 'h2c'");
        assertThat(next).isEqualTo("small head");
        assertThat(server.connections()).isEqualTo(1);
    }

    // --- helpers ---

    private PoolClient client(MountSettings settings) {
        return PoolClient.builder().mount("h2c", "http://127.0.0.1:" + server.port() + "/", settings).build();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** The connection's close is counted by its reader thread: polled, bounded. */
    private void awaitClosedReason(String reason) {
        PoolAssertions.awaitTrue(() -> onlyPool(client, "h2c").closedReasons().containsKey(reason), Duration.ofSeconds(10),
                "a connection is counted closed for " + reason);
        assertThat(onlyPool(client, "h2c").closedReasons()).containsEntry(reason, 1L);
    }

    private static String readBody(RawH2Peer peer) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            RawH2Peer.Frame f = peer.next(RawH2Peer.DATA);
            body.write(f.payload());
            if ((f.flags() & RawH2Peer.END_STREAM) != 0) {
                return body.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
