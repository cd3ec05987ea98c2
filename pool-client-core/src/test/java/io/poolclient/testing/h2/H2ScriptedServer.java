package io.poolclient.testing.h2;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 server on {@code 127.0.0.1} that runs a script against the raw frames of every connection
 * it accepts (at most {@link #MAX_CONNECTIONS}), each on its own daemon thread, given the
 * connection's index (0 for the first). Where {@link H2FaultServer} scripts one connection, this one
 * serves a client that opens more, as a pool does after {@code GOAWAY}. Script failures are kept for
 * {@link #failures()}; reads time out after 10 s.
 */
public final class H2ScriptedServer implements AutoCloseable {

    /** What the server does with one connection. */
    @FunctionalInterface
    public interface Script {
        void run(int connection, RawH2Peer peer) throws Exception;
    }

    /** The most connections accepted; later ones are closed at once. */
    public static final int MAX_CONNECTIONS = 64;

    private static final int TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private H2ScriptedServer(Script script) throws IOException {
        this.server = new ServerSocket(0, 64, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return;
                }
                int index = accepted.getAndIncrement();
                sockets.add(socket);
                if (index >= MAX_CONNECTIONS) {
                    closeQuietly(socket);
                    continue;
                }
                Thread t = new Thread(() -> {
                    try (socket) {
                        socket.setSoTimeout(TIMEOUT_MILLIS);
                        script.run(index, new RawH2Peer(socket));
                    } catch (Throwable e) {
                        if (!server.isClosed()) {
                            failures.add(e);
                        }
                    }
                }, "h2-scripted-server-" + index);
                t.setDaemon(true);
                t.start();
            }
        }, "h2-scripted-server-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static H2ScriptedServer start(Script script) throws IOException {
        return new H2ScriptedServer(script);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** What the scripts threw (a script ended by the client closing its connection may throw too). */
    public List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
