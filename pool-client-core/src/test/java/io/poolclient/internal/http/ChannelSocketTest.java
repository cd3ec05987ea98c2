package io.poolclient.internal.http;

import static io.poolclient.PoolAssertions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket httpcore5 reads and writes through, against a real loopback server: data, timeouts
 * for reads and writes, a close from another thread, the idle probe, a reader and a writer at once
 * after {@code duplex()}, and descriptors given back. Here the sockets are made and used on platform
 * threads, which wait on a selector of the socket's own; {@link ParkingChannelSocketTest} runs the
 * same tests on virtual threads, where the socket parks.
 */
@Timeout(30)
class ChannelSocketTest {

    private ServerSocket server;
    private final List<Socket> accepted = new ArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : accepted) {
            s.close();
        }
        server.close();
    }

    ChannelSocket connect() throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        accepted.add(server.accept());
        return new ChannelSocket(channel);
    }

    Socket peer() {
        return accepted.get(accepted.size() - 1);
    }

    /** A thread of the kind these tests run on, for a second caller: it is started by the test. */
    Thread newThread(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    /** What a second caller does; its outcome completes a future. */
    interface IoCall<T> {
        T call() throws IOException;
    }

    /** Starts {@code call} on a new thread from {@link #newThread}: its result or failure completes {@code outcome}. */
    <T> Thread start(String name, CompletableFuture<T> outcome, IoCall<T> call) {
        Thread t = newThread(() -> {
            try {
                outcome.complete(call.call());
            }
            catch (IOException | RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        }, name);
        t.start();
        return t;
    }

    /** Descriptors at least that one open client socket holds. */
    int descriptorsPerConnection() {
        return 3; // the socket, and the selector's own (an epoll descriptor and its wake-up descriptors)
    }

    /** Descriptors at most that one open client socket holds (the JDK's own may add a few in all). */
    int descriptorsPerConnectionAtMost() {
        return Integer.MAX_VALUE / 64;
    }

    /** Whether {@code t} waits for the socket to be ready: on a selector, or parked by the JDK's poller. */
    static boolean isWaiting(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("doSelect")
                || f.getClassName().equals("sun.nio.ch.Poller") || f.getClassName().equals("sun.nio.ch.Net") && f.getMethodName().equals("poll"));
    }

    @Test
    void readsWhatThePeerSendsAndSeesItsEndOfStream() throws IOException {
        try (ChannelSocket socket = connect()) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("ping".getBytes());
            byte[] four = peer().getInputStream().readNBytes(4);
            assertThat(new String(four)).isEqualTo("ping");
            peer().getOutputStream().write("pong".getBytes());
            peer().shutdownOutput();
            assertThat(new String(socket.getInputStream().readAllBytes())).isEqualTo("pong");
        }
    }

    @Test
    void aReadWithNothingToReadFailsAfterTheTimeoutAndTheSocketStaysUsable() throws IOException {
        try (ChannelSocket socket = connect()) {
            socket.setSoTimeout(200);
            InputStream in = socket.getInputStream();
            assertThatThrownBy(() -> in.read(new byte[16])).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("Read timed out");
            assertThat(socket.writeTimedOut()).isFalse();
            peer().getOutputStream().write(7);
            assertThat(in.read()).isEqualTo(7);
        }
    }

    @Test
    void aWriteThePeerNeverReadsFailsAfterTheTimeout() throws IOException {
        try (ChannelSocket socket = connect()) {
            socket.setSoTimeout(300);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            assertThatThrownBy(() -> {
                for (int i = 0; i < 16 * 1024; i++) { // 1 GiB at most: far beyond any socket buffer
                    out.write(chunk);
                }
            }).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("Write timed out");
            assertThat(socket.writeTimedOut()).isTrue();
        }
    }

    @Test
    void onceClosingAWriteThatWouldWaitFailsAtOnce() throws IOException {
        try (ChannelSocket socket = connect()) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            assertThatThrownBy(() -> {
                for (int i = 0; i < 16 * 1024; i++) { // fills the buffers: the peer never reads
                    out.write(chunk);
                }
            }).isInstanceOf(SocketTimeoutException.class);
            socket.setSoTimeout(0); // no limit: only the closing mode keeps the next write from waiting forever
            socket.closing();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 16 * 1024; i++) { // what still fits goes; the first write that would wait fails
                    out.write(chunk);
                }
            }).isInstanceOf(SocketException.class).hasMessageContaining("closing");
            assertThatThrownBy(() -> socket.getInputStream().read(new byte[1])).isInstanceOf(SocketException.class)
                    .hasMessageContaining("closing");
        }
    }

    @Test
    void aCloseFromAnotherThreadEndsAReadThatWouldWaitForever() throws Exception {
        ChannelSocket socket = connect();
        socket.setSoTimeout(0);
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = newThread(() -> {
            try {
                socket.getInputStream().read(new byte[16]);
                failure.complete(null);
            }
            catch (IOException e) {
                failure.complete(e);
            }
        }, "reader");
        reader.start();
        awaitTrue(() -> isWaiting(reader), Duration.ofSeconds(10), "the reader is waiting");
        socket.close();
        assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessageContaining("closed");
        assertThat(socket.isClosed()).isTrue();
        assertThatThrownBy(() -> socket.getInputStream()).isInstanceOf(SocketException.class);
    }

    @Test
    void anInterruptEndsAWaitingReadAndKeepsTheInterruptStatus() throws Exception {
        try (ChannelSocket socket = connect()) {
            socket.setSoTimeout(0);
            CompletableFuture<Object[]> outcome = new CompletableFuture<>();
            Thread t = newThread(() -> {
                try {
                    socket.getInputStream().read(new byte[16]);
                    outcome.complete(new Object[] {null, Thread.currentThread().isInterrupted()});
                }
                catch (IOException e) {
                    outcome.complete(new Object[] {e, Thread.currentThread().isInterrupted()});
                }
            }, "interrupted-reader");
            t.start();
            awaitTrue(() -> isWaiting(t), Duration.ofSeconds(10), "the reader is waiting");
            t.interrupt();
            Object[] result = outcome.get(10, TimeUnit.SECONDS);
            assertThat((Throwable) result[0]).isInstanceOf(InterruptedIOException.class).hasMessageContaining("Read interrupted");
            assertThat((Boolean) result[1]).as("interrupt status kept").isTrue();
        }
    }

    @Test
    void afterDuplexAWriteGoesOutWhileAReadWaits() throws Exception {
        try (ChannelSocket socket = connect()) {
            socket.duplex();
            socket.setSoTimeout(0);
            CompletableFuture<String> answer = new CompletableFuture<>();
            Thread reader = start("duplex-reader", answer, () -> new String(socket.getInputStream().readNBytes(4)));
            awaitTrue(() -> isWaiting(reader), Duration.ofSeconds(10), "the reader is waiting");
            socket.getOutputStream().write("ping".getBytes());
            assertThat(new String(peer().getInputStream().readNBytes(4))).isEqualTo("ping");
            peer().getOutputStream().write("pong".getBytes());
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("pong");
        }
    }

    @Test
    void theProbeSeesAQuietPeerAsAliveAndAClosedOrChattyOneAsStale() throws Exception {
        try (ChannelSocket quiet = connect(); ChannelSocket chatty = connect(); ChannelSocket closing = connect()) {
            assertThat(quiet.probe()).isFalse();
            accepted.get(1).getOutputStream().write('x');
            awaitTrue(chatty::probe, Duration.ofSeconds(10), "stray byte seen");
            accepted.get(2).close();
            awaitTrue(closing::probe, Duration.ofSeconds(10), "end of stream seen");
            assertThat(quiet.probe()).isFalse();
        }
    }

    @Test
    void closingGivesBackTheSocketAndTheSelectorDescriptors() throws IOException, ExecutionException, InterruptedException {
        UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ChannelSocket warm = connect(); // loads the classes and the JDK's own descriptors first
        warm.close();
        peer().close();
        long before = os.getOpenFileDescriptorCount();
        List<ChannelSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sockets.add(connect());
        }
        for (Socket s : accepted) {
            s.close();
        }
        long open = os.getOpenFileDescriptorCount();
        assertThat(open - before).as("descriptors of 40 connections")
                .isBetween(40L * descriptorsPerConnection(), 40L * descriptorsPerConnectionAtMost() + 8);
        for (ChannelSocket s : sockets) {
            s.close();
        }
        assertThat(os.getOpenFileDescriptorCount()).isLessThanOrEqualTo(before);
    }
}
