package io.poolclient.internal.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The listening side of the in-test servers: a server socket on 127.0.0.1 (a free port), an accept thread
 * that counts each connection and hands it to the server's handler on a daemon thread of its own, and
 * {@link #close()}, which closes the listening socket and every socket accepted or {@link #track tracked},
 * ending all those threads.
 *
 * <p>Thread safety: {@link #start} once, from the owner's constructor; the rest from any thread.
 */
final class AcceptLoop implements AutoCloseable {

    private final String name;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private Thread acceptor;

    /** Binds the port; nothing is accepted before {@link #start}. {@code name} names the threads. */
    AcceptLoop(String name) {
        this.name = name;
        try {
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts accepting; each connection goes to {@code handler} on its own daemon thread. */
    void start(Consumer<Socket> handler) {
        acceptor = new Thread(() -> acceptLoop(handler), name + "-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Closes {@code socket} too on {@link #close()} (a handler's outgoing connection). */
    void track(Socket socket) {
        sockets.add(socket);
    }

    private void acceptLoop(Consumer<Socket> handler) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                sockets.add(socket);
                Thread connection = new Thread(() -> handler.accept(socket), name + "-conn");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (acceptor == null) {
            return;
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
