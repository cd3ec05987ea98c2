package io.poolclient.testing.squid;

import io.poolclient.testing.PrivateInstances;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One running instance of a server that the squid and dante launchers start: a {@link ForegroundDaemon}
 * listening on {@link #HOST} on a free port, with its own temporary directory. What is the same for both
 * servers is here: choosing the port (another one when the chosen one was taken before the server bound it),
 * waiting until the port accepts connections (polled with a deadline), the logs for diagnostics, and stopping
 * the processes and deleting the directory on {@link #close()} or, for an instance never closed, in a JVM
 * shutdown hook. The launchers write the configuration and build the command line ({@link Launcher}).
 *
 * <p>Thread safety: {@link #close()} is idempotent and may race with the shutdown hook; both only stop
 * processes (safe to repeat) and delete the directory (best effort). The readings may be taken from any thread.
 */
public final class LoopbackDaemon implements AutoCloseable {

    public static final String HOST = PrivateInstances.HOST;

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int BIND_ATTEMPTS = 5;

    /** Starts the server of one attempt: writes its configuration for {@code port} in {@code dir} and launches it. */
    public interface Launcher {
        ForegroundDaemon launch(Path dir, int port) throws IOException;
    }

    private final Path dir;
    private final int port;
    private final ForegroundDaemon process;
    private final List<String> logs;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LoopbackDaemon(String name, Path dir, int port, ForegroundDaemon process, List<String> logs) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.logs = logs;
        this.shutdownHook = new Thread(() -> {
            process.stop();
            PrivateInstances.deleteTree(dir);
        }, name + "-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a server in {@code dir} (which this instance then owns: it is deleted when the server is closed or
     * fails to start) and waits until its port accepts connections.
     *
     * @param name the server's name, for messages and thread names
     * @param binary the server's binary, for the failure message
     * @param logs the files in {@code dir} that {@link #log()} shows, in order
     * @throws IllegalStateException if the server does not start (the message holds its logs)
     * @throws UncheckedIOException if it cannot be launched
     */
    public static LoopbackDaemon start(String name, Path binary, Path dir, List<String> logs, Launcher launcher) {
        String lastFailure = "";
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int port = PrivateInstances.freePort();
            LoopbackDaemon daemon = null;
            try {
                daemon = new LoopbackDaemon(name, dir, port, launcher.launch(dir, port), logs);
                if (daemon.awaitReady()) {
                    return daemon;
                }
                lastFailure = daemon.log();
                daemon.abandon();
                if (!lastFailure.contains("Address already in use")) {
                    break;
                }
            } catch (IOException | RuntimeException e) {
                if (daemon != null) {
                    daemon.abandon();
                }
                PrivateInstances.deleteTree(dir);
                throw e instanceof RuntimeException re ? re : new UncheckedIOException("cannot start " + name, (IOException) e);
            }
        }
        PrivateInstances.deleteTree(dir);
        throw new IllegalStateException(name + " did not start (" + binary + "); its logs:\n" + lastFailure);
    }

    public int port() {
        return port;
    }

    /** The temporary directory (deleted on close). */
    public Path directory() {
        return dir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code millis} for the server to exit (returning early if it does). */
    public void awaitExit(long millis) throws InterruptedException {
        process.awaitExit(millis);
    }

    /** The log files, each under a {@code --- name} line, for diagnostics. */
    public String log() {
        return PrivateInstances.logs(dir, logs.toArray(String[]::new));
    }

    /** Stops the server and its children (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        abandon();
        PrivateInstances.deleteTree(dir);
    }

    private void abandon() {
        process.stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to run; it finds nothing left to do
        }
    }

    private boolean awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(HOST, port), 1_000);
                return true;
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                process.awaitExit(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
