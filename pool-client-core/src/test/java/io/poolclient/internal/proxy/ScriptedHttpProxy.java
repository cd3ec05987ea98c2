package io.poolclient.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A fake HTTP proxy on 127.0.0.1 for one connection: it reads the request head, records it, then writes a
 * scripted answer (any bytes, so tests can send malformed or oversized heads and bytes past the head) and
 * either keeps the connection open or closes it. For the protocol edge cases a real proxy will not produce.
 *
 * <p>Thread safety: one daemon thread serves the connection; {@link #close()} ends it.
 */
final class ScriptedHttpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final CompletableFuture<String> requestHead = new CompletableFuture<>();
    private volatile Socket connection;

    /**
     * @param answer bytes written after the request head has been read ({@code null}: write nothing)
     * @param closeAfter whether to close the connection after the answer
     */
    ScriptedHttpProxy(byte[] answer, boolean closeAfter) {
        try {
            server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread thread = new Thread(() -> serve(answer, closeAfter), "scripted-proxy-" + server.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    static ScriptedHttpProxy answering(String answer) {
        return new ScriptedHttpProxy(answer.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    int port() {
        return server.getLocalPort();
    }

    /** A connected client socket to this proxy. */
    Socket connect() throws IOException {
        return new Socket("127.0.0.1", port());
    }

    /** The request head the client sent (waits at most 10 s for it). */
    String requestHead() throws Exception {
        return requestHead.get(10, TimeUnit.SECONDS);
    }

    private void serve(byte[] answer, boolean closeAfter) {
        try {
            Socket socket = server.accept();
            connection = socket;
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0 || head.size() > 64 * 1024) {
                    break;
                }
                head.write(b);
            }
            requestHead.complete(head.toString(StandardCharsets.ISO_8859_1));
            if (answer != null) {
                socket.getOutputStream().write(answer);
                socket.getOutputStream().flush();
            }
            if (closeAfter) {
                socket.close();
            }
        } catch (IOException e) {
            requestHead.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket socket = connection;
        if (socket != null) {
            socket.close();
        }
    }
}
