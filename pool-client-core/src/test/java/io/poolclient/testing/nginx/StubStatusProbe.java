package io.poolclient.testing.nginx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads {@code stub_status} of one nginx over a fresh raw HTTP/1.0 socket per reading (never through
 * the library under test), and counts the connections it opens: each is one of nginx's
 * {@code accepts}, and those who count accepts subtract them.
 *
 * <p>Thread safety: any number of threads may read at once. The count is an {@link AtomicLong}
 * incremented as soon as a connection is established, before its request is sent, so a reading
 * never includes a probe connection the count does not.
 */
final class StubStatusProbe {

    /** Where every private site serves {@code stub_status}. */
    static final String PATH = "/status";

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String host;
    private final int port;
    private final AtomicLong connections = new AtomicLong();

    StubStatusProbe(String host, int port) {
        this.host = host;
        this.port = port;
    }

    StubStatus read() throws IOException {
        return StubStatus.parse(fetch());
    }

    /** Connections opened so far, including those whose reading failed. */
    long connections() {
        return connections.get();
    }

    private String fetch() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
            connections.incrementAndGet();
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + PATH + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(response); // HTTP/1.0 without keep-alive: nginx closes after it
            return response.toString(StandardCharsets.US_ASCII);
        }
    }
}
