package io.poolclient.testing.h2;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

/**
 * A one-connection HTTP/2 server on {@code 127.0.0.1} that runs a script against the raw frames of the
 * first connection it accepts, on its own thread; in clear text (h2c) or over TLS ({@link #startTls}). {@link #await()} returns the script's result or
 * rethrows its failure, so assertions made by the script fail the test. Reads time out after 10 s.
 */
public final class H2FaultServer implements AutoCloseable {

    /** What the server does with its one connection. */
    @FunctionalInterface
    public interface Script<T> {
        T run(RawH2Peer peer) throws Exception;
    }

    private static final int TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private final Thread thread;
    private volatile Socket accepted;

    private H2FaultServer(Script<?> script, SSLContext tls) throws IOException {
        this.server = tls == null ? new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))
                : tls.getServerSocketFactory().createServerSocket(0, 4, InetAddress.getByName("127.0.0.1"));
        if (server instanceof SSLServerSocket secure) {
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            secure.setSSLParameters(parameters);
        }
        this.thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                accepted = socket;
                socket.setSoTimeout(TIMEOUT_MILLIS);
                result.complete(script.run(new RawH2Peer(socket)));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "h2-fault-server");
        thread.setDaemon(true);
        thread.start();
    }

    public static H2FaultServer start(Script<?> script) throws IOException {
        return new H2FaultServer(script, null);
    }

    /** As {@link #start}, over TLS with {@code tls}'s identity, choosing {@code h2} through ALPN. */
    public static H2FaultServer startTls(SSLContext tls, Script<?> script) throws IOException {
        return new H2FaultServer(script, tls);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Waits (bounded) for the script to finish and returns its result. */
    @SuppressWarnings("unchecked")
    public <T> T await() throws Exception {
        try {
            return (T) result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("the fault server's script did not finish", e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket socket = accepted;
        if (socket != null) {
            socket.close();
        }
    }
}
