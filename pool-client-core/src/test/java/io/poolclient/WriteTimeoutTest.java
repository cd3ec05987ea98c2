package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.PoolSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Socket writes have no timeout of their own: a server that stops reading must not hang a request
 * upload forever. The write fails after read-timeout without progress, and the connection is closed.
 */
@Timeout(30)
class WriteTimeoutTest {

    @Test
    void uploadToAServerThatNeverReadsFailsWithinTheReadTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                PoolClient client = PoolClient.builder()
                        .defaults(MountSettings.builder().readTimeout(Duration.ofMillis(300)).build())
                        .housekeepingInterval(Duration.ofMillis(50))
                        .build()) {
            CountDownLatch testOver = new CountDownLatch(1);
            Thread acceptor = new Thread(() -> {
                try (Socket s = server.accept()) {
                    testOver.await(20, TimeUnit.SECONDS); // never read: the client's send buffer fills up
                }
                catch (IOException | InterruptedException ignored) {
                    // the test is over
                }
            }, "never-reading-server");
            acceptor.setDaemon(true);
            acceptor.start();
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/upload");
            RequestBody endless = new RequestBody() {
                @Override
                public long contentLength() {
                    return -1;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 16 * 1024; i++) { // 1 GiB at most: far beyond any socket buffer
                        out.write(chunk);
                    }
                }

                @Override
                public boolean isReplayable() {
                    return false;
                }
            };
            assertThatThrownBy(() -> client.execute(new Request("POST", uri, List.of(), endless)))
                    .isInstanceOf(ReadTimeoutException.class)
                    .hasMessageContaining("Write timed out")
                    .hasMessageContaining("127.0.0.1:" + server.getLocalPort())
                    .hasMessageContaining("mount 'http'");
            PoolSnapshot pool = client.snapshot().mount("http").orElseThrow().pools().get(0);
            assertThat(pool.leased()).isZero();
            assertThat(pool.opened()).isEqualTo(1);
            assertThat(pool.closed()).isEqualTo(1);
            testOver.countDown();
        }
    }
}
