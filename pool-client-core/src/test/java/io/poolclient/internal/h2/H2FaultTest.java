package io.poolclient.internal.h2;

import static io.poolclient.testing.h2.RawH2Peer.RST_STREAM;
import static io.poolclient.testing.h2.RawH2Peer.SETTINGS_INITIAL_WINDOW_SIZE;
import static io.poolclient.testing.h2.RawH2Peer.SETTINGS_MAX_CONCURRENT_STREAMS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.Header;
import io.poolclient.testing.h2.H2FaultServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.h2.RawH2Peer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.MessageConstraintException;
import org.junit.jupiter.api.Test;

/** Protocol faults played by a raw-frame server: resets, GOAWAY, stalls, garbage, settings changes, limits. */
class H2FaultTest {

    private static final int INTERNAL_ERROR = 0x2;
    private static final int CANCEL = 0x8;
    private static final int ENHANCE_YOUR_CALM = 0xb;

    private final H2Clients.Readers readers = new H2Clients.Readers();
    private final Events events = new Events();

    /** Records what the connection tells its owner. */
    static final class Events implements H2ConnectionListener {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile H2Exception closedCause;

        @Override
        public void streamClosed(H2Connection connection) {
            seen.add("stream closed");
        }

        @Override
        public void settingsChanged(H2Connection connection) {
            seen.add("settings " + connection.maxConcurrentStreams());
        }

        @Override
        public void goAway(H2Connection connection, int lastStreamId, long errorCode) {
            seen.add("goaway " + lastStreamId + " " + errorCode);
        }

        @Override
        public void closed(H2Connection connection, H2Exception cause) {
            closedCause = cause;
            closed.countDown();
        }

        /** Waits (bounded) for an event starting with {@code prefix}. */
        String await(String prefix) throws InterruptedException {
            List<String> passed = new ArrayList<>();
            for (String e; (e = seen.poll(10, TimeUnit.SECONDS)) != null;) {
                if (e.startsWith(prefix)) {
                    return e;
                }
                passed.add(e);
            }
            throw new AssertionError("no event " + prefix + "; passed over " + passed);
        }

        void awaitClosed() throws InterruptedException {
            assertThat(closed.await(10, TimeUnit.SECONDS)).as("connection closed").isTrue();
        }
    }

    private H2Connection connect(H2FaultServer server, H2Settings settings) throws IOException {
        return H2Clients.h2c(server.port(), settings, readers, events);
    }

    private static H2Stream get(H2Connection connection, String path) throws IOException {
        H2Stream stream = connection.reserve();
        assertThat(stream).as("a stream is available").isNotNull();
        stream.open("GET", path, List.of(), true);
        return stream;
    }

    private static String body(H2Stream stream) throws IOException {
        return new String(H2Clients.readAll(stream.responseBody()), StandardCharsets.UTF_8);
    }

    @Test
    void resetFromPeerFailsThatStreamOnlyAndTheConnectionStaysUsable() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            int first = peer.nextRequest().streamId();
            peer.rstStream(first, INTERNAL_ERROR);
            int second = peer.nextRequest().streamId();
            peer.headers(second, 200, false);
            peer.data(second, "fine".getBytes(StandardCharsets.UTF_8), true);
            return List.of(first, second);
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream reset = get(connection, "/reset");
            assertThatThrownBy(reset::awaitResponse).isInstanceOf(H2StreamResetException.class)
                    .hasMessageContaining("reset stream 1").hasMessageContaining("INTERNAL_ERROR");
            H2Stream next = get(connection, "/next");
            assertThat(next.awaitResponse().status()).isEqualTo(200);
            assertThat(body(next)).isEqualTo("fine");
            assertThat(server.<List<Integer>>await()).containsExactly(1, 3);
            assertThat(connection.openStreams()).isZero();
        }
    }

    @Test
    void refusedStreamIsSafeToRetry() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            peer.rstStream(peer.nextRequest().streamId(), 0x7);
            return null;
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream refused = get(connection, "/");
            assertThatThrownBy(refused::awaitResponse).isInstanceOf(H2UnprocessedStreamException.class)
                    .hasMessageContaining("REFUSED_STREAM");
            server.await();
            assertThat(connection.openStreams()).isZero();
        }
    }

    @Test
    void gracefulGoAwayFailsStreamsAboveLastStreamIdAsUnprocessedAndCompletesTheOthers() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            int a = peer.nextRequest().streamId();
            int b = peer.nextRequest().streamId();
            int c = peer.nextRequest().streamId();
            peer.goAway(b, 0, "");
            peer.headers(a, 200, false);
            peer.data(a, "a".getBytes(StandardCharsets.UTF_8), true);
            peer.headers(b, 200, false);
            peer.data(b, "b".getBytes(StandardCharsets.UTF_8), true);
            List<RawH2Peer.Frame> after = peer.readUntilClosed();
            return List.of(a, b, c, after.stream().filter(f -> f.type() == RawH2Peer.HEADERS).count());
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream s1 = get(connection, "/1");
            H2Stream s3 = get(connection, "/3");
            H2Stream s5 = get(connection, "/5");
            assertThatThrownBy(s5::awaitResponse).isInstanceOf(H2UnprocessedStreamException.class)
                    .hasMessageContaining("stream 5 was not processed").hasMessageContaining("last stream 3");
            assertThat(events.await("goaway")).isEqualTo("goaway 3 0");
            assertThat(connection.reserve()).as("no new stream after GOAWAY").isNull();
            assertThat(connection.isAcceptingStreams()).isFalse();
            assertThat(s1.awaitResponse().status()).isEqualTo(200);
            assertThat(body(s1)).isEqualTo("a");
            assertThat(s3.awaitResponse().status()).isEqualTo(200);
            assertThat(body(s3)).isEqualTo("b");
            events.awaitClosed();
            assertThat(events.closedCause).as("a graceful close reports no failure").isNull();
            assertThat(server.<List<Object>>await()).containsExactly(1, 3, 5, 0L);
            assertThat(connection.openStreams()).isZero();
            assertThat(connection.isOpen()).isFalse();
        }
    }

    @Test
    void peerClosingAfterGracefulGoAwayIsANormalEndAndReservedStreamsAreUnprocessed() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            int a = peer.nextRequest().streamId();
            peer.goAway(a, 0, "");
            peer.headers(a, 200, true);
            peer.socket().shutdownOutput(); // done: FIN, as nginx does after its last promised stream
            return peer.readUntilClosed().stream().filter(f -> f.type() == RawH2Peer.HEADERS).count();
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream first = connection.reserve();
            H2Stream second = connection.reserve(); // reserved before GOAWAY, opened after the peer left
            first.open("GET", "/a", List.of(), true);
            assertThat(first.awaitResponse().status()).isEqualTo(200);
            events.awaitClosed();
            assertThat(events.closedCause).as("the peer kept its promise: no failure").isNull();
            assertThatThrownBy(() -> second.open("GET", "/b", List.of(), true))
                    .isInstanceOf(H2UnprocessedStreamException.class).hasMessageContaining("it was not sent");
            assertThat(connection.openStreams()).isZero();
            connection.close();
            assertThat(server.<Long>await()).as("request heads after the GOAWAY").isZero();
        }
    }

    @Test
    void goAwayWithErrorFailsEveryStreamWithAClearMessage() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            int a = peer.nextRequest().streamId();
            peer.nextRequest();
            peer.goAway(a, ENHANCE_YOUR_CALM, "too many requests");
            return peer.readUntilClosed().size();
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream s1 = get(connection, "/1");
            H2Stream s3 = get(connection, "/3");
            assertThatThrownBy(s1::awaitResponse).isInstanceOf(H2ConnectionException.class)
                    .hasMessageContaining("GOAWAY with error ENHANCE_YOUR_CALM (too many requests)");
            assertThatThrownBy(s3::awaitResponse).isInstanceOf(H2UnprocessedStreamException.class);
            events.awaitClosed();
            assertThat(events.closedCause).isInstanceOf(H2ConnectionException.class);
            assertThat(((H2ConnectionException) events.closedCause).errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(connection.reserve()).isNull();
            assertThat(connection.openStreams()).isZero();
            server.await();
        }
    }

    @Test
    void garbageFrameIsAConnectionErrorAnsweredWithGoAway() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            peer.nextRequest();
            peer.write(RawH2Peer.WINDOW_UPDATE, 0, 0, new byte[] {1, 2, 3}); // must be 4 bytes
            RawH2Peer.Frame goAway = peer.next(RawH2Peer.GOAWAY);
            return goAway.int32(4);
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream stream = get(connection, "/");
            assertThatThrownBy(stream::awaitResponse).isInstanceOf(H2ConnectionException.class)
                    .hasMessageContaining("WINDOW_UPDATE of 3 bytes").hasMessageContaining("FRAME_SIZE_ERROR");
            assertThat(server.<Integer>await()).as("error code of our GOAWAY").isEqualTo(0x6);
            events.awaitClosed();
            assertThat(connection.openStreams()).isZero();
        }
    }

    /** Frames that break the protocol, each with what the client must say about it and the GOAWAY code it sends. */
    enum Garbage {
        OVERSIZED_FRAME("more than the maximum frame size", 0x6),
        UNDECODABLE_HEADER_BLOCK("header block that cannot be decoded", 0x9),
        DATA_ON_STREAM_ZERO("DATA on stream 0", 0x1),
        HEADERS_ON_A_STREAM_NEVER_OPENED("HEADERS on stream 2, which was never opened", 0x1);

        final String message;
        final int code;

        Garbage(String message, int code) {
            this.message = message;
            this.code = code;
        }

        void send(RawH2Peer peer, int stream) throws IOException {
            switch (this) {
                case OVERSIZED_FRAME -> peer.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0,
                        (byte) stream});
                case UNDECODABLE_HEADER_BLOCK -> peer.write(RawH2Peer.HEADERS, RawH2Peer.END_HEADERS, stream,
                        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
                case DATA_ON_STREAM_ZERO -> peer.data(0, new byte[10], false);
                case HEADERS_ON_A_STREAM_NEVER_OPENED -> peer.headers(2, 200, true);
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Garbage.class)
    void garbageFailsTheConnectionWithAClearMessage(Garbage garbage) throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            garbage.send(peer, peer.nextRequest().streamId());
            return peer.next(RawH2Peer.GOAWAY).int32(4);
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream stream = get(connection, "/");
            assertThatThrownBy(stream::awaitResponse).isInstanceOf(H2ConnectionException.class)
                    .hasMessageContaining(garbage.message);
            assertThat(server.<Integer>await()).as("error code of our GOAWAY").isEqualTo(garbage.code);
            events.awaitClosed();
            assertThat(events.closedCause).hasMessageContaining(garbage.message);
            assertThat(connection.reserve()).isNull();
            assertThat(connection.openStreams()).isZero();
        }
    }

    @Test
    void aServerThatDoesNotSpeakHttp2FailsTheStartClearly() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.writeRaw("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return null;
        })) {
            assertThatThrownBy(() -> connect(server, H2Clients.settings())).isInstanceOf(H2ConnectionException.class)
                    .hasMessageContaining("is it an HTTP/2 server?");
            server.await();
        }
    }

    @Test
    void peerThatStopsReadingEndsInTheWriteTimeoutAndTheResetLeavesTheConnectionUsable() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake(SETTINGS_INITIAL_WINDOW_SIZE, 16384);
            int stalled = peer.nextRequest().streamId();
            // never grant window: the client can send 16384 bytes of DATA, then must wait
            RawH2Peer.Frame reset = peer.next(RST_STREAM);
            int next = peer.nextRequest().streamId();
            peer.headers(next, 204, true);
            long dataBytes = peer.skipped().stream().filter(f -> f.type() == RawH2Peer.DATA && f.streamId() == stalled)
                    .mapToLong(f -> f.payload().length).sum();
            return List.of(reset.streamId(), reset.int32(0), (int) dataBytes);
        }); H2Connection connection = connect(server,
                H2Clients.settings().withTimeouts(H2Clients.TIMEOUT, Duration.ofMillis(300)))) {
            H2Stream upload = connection.reserve();
            upload.open("POST", "/upload", List.of(), false);
            OutputStream body = upload.requestBody();
            byte[] chunk = new byte[64 * 1024];
            assertThatThrownBy(() -> body.write(chunk)).isInstanceOf(H2TimeoutException.class)
                    .hasMessageContaining("flow-control window of stream 1").hasMessageContaining("write timeout");
            upload.cancel();
            assertThat(upload.isReleased()).isTrue();
            H2Stream next = get(connection, "/next");
            assertThat(next.awaitResponse().status()).isEqualTo(204);
            assertThat(server.<List<Integer>>await()).containsExactly(1, CANCEL, 16384);
            assertThat(connection.openStreams()).isZero();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void peerThatStopsReadingTheSocketEndsTheBlockedWriteInTheWriteTimeout(boolean tls) throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        H2FaultServer.Script<Object> script = peer -> {
            // windows as large as HTTP/2 allows: only the socket itself can hold the client back
            peer.handshake(SETTINGS_INITIAL_WINDOW_SIZE, Integer.MAX_VALUE);
            peer.windowUpdate(0, Integer.MAX_VALUE - 65535);
            peer.nextRequest();
            finished.await(60, TimeUnit.SECONDS); // never reads again: the socket buffers fill up
            return null;
        };
        TestCertificates certs = tls ? TestCertificates.shared() : null;
        ExecutorService uploader = Executors.newSingleThreadExecutor();
        try (H2FaultServer server = tls ? H2FaultServer.startTls(certs.serverContext(certs.server()), script)
                : H2FaultServer.start(script)) {
            H2Settings settings = H2Clients.settings().withTimeouts(H2Clients.TIMEOUT, Duration.ofMillis(300));
            try (H2Connection connection = tls
                    ? H2Connection.start(H2Clients.tls(certs.clientContext(null), server.port()),
                            "127.0.0.1:" + server.port(), settings, readers, events)
                    : connect(server, settings)) {
                H2Stream upload = connection.reserve();
                upload.open("POST", "/upload", List.of(), false);
                OutputStream body = upload.requestBody();
                byte[] chunk = new byte[64 * 1024];
                long limit = 1L << 30; // far more than any socket buffer
                Future<?> writing = uploader.submit(() -> {
                    for (long sent = 0; sent < limit; sent += chunk.length) {
                        body.write(chunk);
                    }
                    return null;
                });
                // bounded: a write that never ends fails here instead of hanging the build
                assertThatThrownBy(() -> writing.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(H2TimeoutException.class).hasMessageContaining("stopped reading")
                        .hasMessageContaining("write timeout");
                events.awaitClosed();
                assertThat(events.closedCause).isInstanceOf(H2ConnectionException.class)
                        .hasMessageContaining("stopped reading");
                assertThat(connection.isOpen()).isFalse();
                assertThat(connection.reserve()).isNull();
                assertThat(connection.openStreams()).isZero();
            }
            finished.countDown();
            server.await();
        } finally {
            uploader.shutdownNow();
        }
    }

    @Test
    void settingsChangesAreFollowed() throws Exception {
        CountDownLatch raised = new CountDownLatch(1);
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake(SETTINGS_MAX_CONCURRENT_STREAMS, 2);
            peer.nextRequest();
            peer.nextRequest();
            peer.settings(SETTINGS_MAX_CONCURRENT_STREAMS, 3);
            assertThat(raised.await(10, TimeUnit.SECONDS)).as("the client used the raised limit").isTrue();
            peer.settings(SETTINGS_MAX_CONCURRENT_STREAMS, 1);
            // stay open until the client is done: closing with its frames unread would reset the socket,
            // and the client could lose the last SETTINGS with the connection
            return peer.readUntilClosed().stream().filter(f -> f.type() == RST_STREAM).map(RawH2Peer.Frame::streamId)
                    .toList();
        }); H2Connection connection = connect(server, H2Clients.settings().withMaxConcurrentStreams(50))) {
            assertThat(connection.maxConcurrentStreams()).isEqualTo(2);
            List<H2Stream> held = new ArrayList<>(List.of(get(connection, "/1"), get(connection, "/2")));
            assertThat(connection.reserve()).as("at the peer's limit").isNull();
            assertThat(events.await("settings 3")).isEqualTo("settings 3");
            assertThat(connection.maxConcurrentStreams()).isEqualTo(3);
            H2Stream third = connection.reserve();
            assertThat(third).as("raised to 3").isNotNull();
            assertThat(connection.reserve()).as("at the raised limit").isNull();
            third.cancel();
            raised.countDown();
            assertThat(events.await("settings 1")).isEqualTo("settings 1");
            assertThat(connection.reserve()).as("lowered below the streams still open").isNull();
            held.get(0).cancel();
            assertThat(connection.reserve()).as("one open stream: at the lowered limit").isNull();
            held.get(1).cancel();
            assertThat(connection.openStreams()).isZero();
            H2Stream one = connection.reserve();
            assertThat(one).isNotNull();
            assertThat(connection.reserve()).as("lowered to 1").isNull();
            one.cancel();
            assertThat(connection.isOpen()).isTrue();
            connection.close();
            assertThat(server.<List<Integer>>await()).as("streams reset by the client").containsExactly(1, 3);
        }
    }

    @Test
    void initialWindowSizeChangesAdjustTheSendWindowsOfOpenStreams() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake(SETTINGS_INITIAL_WINDOW_SIZE, 1000);
            int id = peer.nextRequest().streamId();
            long first = dataUntil(peer, id, 600);
            // 1000 - 600 = 400 left; lowering the initial size by 900 leaves the open stream at -500
            peer.settings(SETTINGS_INITIAL_WINDOW_SIZE, 100);
            peer.windowUpdate(id, 500); // back to 0: still nothing may be sent
            peer.windowUpdate(id, 150); // 150
            long second = dataUntil(peer, id, 150);
            peer.settings(SETTINGS_INITIAL_WINDOW_SIZE, 1000); // +900: the rest may go
            long third = dataUntil(peer, id, 50);
            peer.headers(id, 200, true);
            return List.of(first, second, third);
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream upload = connection.reserve();
            upload.open("POST", "/upload", List.of(), false);
            OutputStream body = upload.requestBody();
            body.write(new byte[600]);
            body.flush();
            // 200 more: a client that ignored the lowering would send them at once, breaking the count of 150
            Thread writer = new Thread(() -> {
                try {
                    body.write(new byte[200]);
                    body.close();
                } catch (IOException e) {
                    events.seen.add("write failed " + e);
                }
            }, "upload-writer");
            events.await("settings"); // the handshake
            events.await("settings"); // the lowering, applied: the stream's window is now -500
            writer.start();
            assertThat(upload.awaitResponse().status()).isEqualTo(200);
            writer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(writer.isAlive()).isFalse();
            assertThat(events.seen).noneMatch(e -> e.startsWith("write failed"));
            assertThat(server.<List<Long>>await()).as("DATA bytes in each window").containsExactly(600L, 150L, 50L);
            assertThat(connection.openStreams()).isZero();
        }
    }

    /** Reads frames until {@code expected} DATA bytes of stream {@code id} arrived; returns the count (more = too much sent). */
    private static long dataUntil(RawH2Peer peer, int id, long expected) throws IOException {
        long total = 0;
        while (total < expected) {
            RawH2Peer.Frame f = peer.next(RawH2Peer.DATA);
            if (f.streamId() == id) {
                total += f.payload().length;
            }
        }
        return total;
    }

    @Test
    void completeResponseThenResetNoErrorDropsTheRestOfTheRequestAndKeepsTheResponse() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            int id = peer.nextRequest().streamId();
            long before = dataUntil(peer, id, 100);
            peer.headers(id, 200, false);
            peer.data(id, "answered early".getBytes(StandardCharsets.UTF_8), true);
            peer.rstStream(id, 0);
            int next = peer.nextRequest().streamId();
            long after = peer.skipped().stream().filter(f -> f.type() == RawH2Peer.DATA && f.streamId() == id)
                    .mapToLong(f -> f.payload().length).sum();
            peer.headers(next, 204, true);
            return List.of(before, after);
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream upload = connection.reserve();
            upload.open("POST", "/upload", List.of(), false);
            OutputStream body = upload.requestBody();
            body.write(new byte[100]);
            body.flush();
            assertThat(upload.awaitResponse().status()).isEqualTo(200);
            events.await("stream closed"); // the reset arrived: the stream no longer counts
            body.write(new byte[40_000]);
            body.close();
            assertThat(body(upload)).isEqualTo("answered early");
            assertThat(get(connection, "/next").awaitResponse().status()).isEqualTo(204);
            assertThat(server.<List<Long>>await()).as("DATA bytes before and after the reset").containsExactly(100L, 0L);
            assertThat(connection.openStreams()).isZero();
        }
    }

    @Test
    void closingTheResponseEarlyResetsTheStreamAndKeepsTheConnection() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            int first = peer.nextRequest().streamId();
            peer.headers(first, 200, false);
            peer.data(first, new byte[1000], false);
            RawH2Peer.Frame reset = peer.next(RST_STREAM);
            int second = peer.nextRequest().streamId();
            peer.headers(second, 200, true);
            return List.of(reset.streamId(), reset.int32(0));
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream stream = get(connection, "/long");
            assertThat(stream.awaitResponse().status()).isEqualTo(200);
            InputStream in = stream.responseBody();
            assertThat(in.read(new byte[10])).isPositive();
            in.close();
            assertThat(get(connection, "/next").awaitResponse().status()).isEqualTo(200);
            assertThat(server.<List<Integer>>await()).containsExactly(1, CANCEL);
            assertThat(connection.openStreams()).isZero();
        }
    }

    @Test
    void responseHeadersPastTheLimitsFailTheStreamOnly() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            peer.headers(peer.nextRequest().streamId(), 200, true, "a", "1", "b", "2", "c", "3");
            peer.headers(peer.nextRequest().streamId(), 200, true, "long", "x".repeat(100));
            peer.headers(peer.nextRequest().streamId(), 200, true, "a", "1");
            return null;
        }); H2Connection connection = connect(server, H2Clients.settings().withHeaderLimits(2, 50))) {
            assertThatThrownBy(get(connection, "/count")::awaitResponse)
                    .isInstanceOf(MessageConstraintException.class).hasMessageContaining("header count");
            assertThatThrownBy(get(connection, "/line")::awaitResponse)
                    .isInstanceOf(MessageConstraintException.class).hasMessageContaining("line length");
            assertThat(get(connection, "/ok").awaitResponse().header("a")).isEqualTo("1");
            server.await();
            assertThat(connection.openStreams()).isZero();
        }
    }

    @Test
    void headerWithCrOrLfIsRefusedBeforeAnythingIsSent() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            RawH2Peer.Request request = peer.nextRequest();
            peer.headers(request.streamId(), 200, true);
            return request;
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream bad = connection.reserve();
            assertThatThrownBy(() -> bad.open("GET", "/", List.of(new Header("x-evil", "a\r\nb: c")), true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing was sent");
            assertThat(bad.isReleased()).isTrue();
            assertThat(get(connection, "/good").awaitResponse().status()).isEqualTo(200);
            RawH2Peer.Request seen = server.await();
            assertThat(seen.streamId()).as("the refused request used no stream id").isEqualTo(1);
            assertThat(seen.fields()).containsEntry(":path", "/good").doesNotContainKey("x-evil");
        }
    }

    @Test
    void serverClosingTheSocketFailsOpenStreamsAndTellsTheOwner() throws Exception {
        try (H2FaultServer server = H2FaultServer.start(peer -> {
            peer.handshake();
            peer.nextRequest();
            peer.socket().close();
            return null;
        }); H2Connection connection = connect(server, H2Clients.settings())) {
            H2Stream stream = get(connection, "/");
            assertThatThrownBy(stream::awaitResponse).isInstanceOf(H2ConnectionException.class)
                    .hasMessageContaining("closed the HTTP/2 connection");
            events.awaitClosed();
            assertThat(connection.isOpen()).isFalse();
            assertThat(connection.reserve()).isNull();
            assertThat(connection.openStreams()).isZero();
            server.await();
        }
    }
}
