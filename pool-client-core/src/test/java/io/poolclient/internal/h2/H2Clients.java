package io.poolclient.internal.h2;

import io.poolclient.Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** Opening test connections: h2c with prior knowledge, or TLS offering only {@code h2} through ALPN. */
final class H2Clients {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Counts the reader threads it made, so tests can check there is one per connection. */
    static final class Readers implements ThreadFactory {
        final AtomicInteger made = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "h2-reader-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    private H2Clients() {
    }

    static H2Settings settings() {
        return H2Settings.defaults().withTimeouts(TIMEOUT, TIMEOUT);
    }

    static Socket plain(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** A TLS socket whose handshake offered {@code h2} only; fails unless the server chose it. */
    static Socket tls(SSLContext context, int port) throws IOException {
        Socket plain = plain(port);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.setSoTimeout((int) TIMEOUT.toMillis());
        tls.startHandshake();
        if (!"h2".equals(tls.getApplicationProtocol())) {
            tls.close();
            throw new IOException("server did not choose h2 through ALPN: " + tls.getApplicationProtocol());
        }
        return tls;
    }

    static H2Connection h2c(int port, H2Settings settings, Readers readers, H2ConnectionListener listener)
            throws IOException {
        return H2Connection.start(plain(port), "127.0.0.1:" + port, settings, readers, listener);
    }

    /** One GET on a fresh reservation; the body as text. Fails if the connection has no room. */
    static String get(H2Connection connection, String path) throws IOException {
        H2Stream stream = connection.reserve();
        if (stream == null) {
            throw new IllegalStateException("no stream available on " + connection);
        }
        stream.open("GET", path, List.of(new Header("Accept", "*/*")), true);
        H2Response response = stream.awaitResponse();
        String body = new String(readAll(stream.responseBody()), java.nio.charset.StandardCharsets.UTF_8);
        return response.status() + " " + body;
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Reads and discards a body, returning its length: constant memory whatever the size. */
    static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[16384];
        long total = 0;
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0;) {
                total += n;
            }
        }
        return total;
    }
}
