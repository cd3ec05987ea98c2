package io.poolclient.internal.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP origin on 127.0.0.1 that greets each connection with {@link #GREETING} and then echoes
 * every byte back. The greeting arrives as soon as a tunnel is open, so a handshake that read past the
 * proxy's answer would swallow it. Counts accepted connections (server side).
 *
 * <p>Thread safety: one accept thread and one daemon thread per connection; {@link #close()} ends them all.
 */
final class EchoOrigin implements AutoCloseable {

    static final String GREETING = "hello from origin\n";

    private final AcceptLoop loop = new AcceptLoop("echo-origin");

    EchoOrigin() {
        loop.start(EchoOrigin::echo);
    }

    int port() {
        return loop.port();
    }

    /** Connections accepted so far. */
    int accepted() {
        return loop.accepted();
    }

    private static void echo(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(GREETING.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // peer gone
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
