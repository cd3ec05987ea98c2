package io.poolclient.testing.nginx;

import io.poolclient.testing.NginxServer;
import io.poolclient.testing.PrivateInstances;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A private nginx: a real HTTP/1.1 server on {@code 127.0.0.1}, on a free port, serving an
 * {@link NginxSite}. Used by the core tests ({@code NginxServer}) and by the benchmarks.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Everything the instance writes (config, pid file, logs, temporary paths, served files) lives
 *       in a fresh temporary directory ({@link NginxLayout}) that {@link #close()} deletes.</li>
 *   <li>nginx is one foreground process, a direct child of this JVM ({@link NginxProcess}).
 *       {@link #close()} stops it with SIGTERM, then SIGKILL after a bounded wait; a JVM shutdown
 *       hook does the same for instances never closed, and a watchdog when the JVM is killed.</li>
 *   <li>{@link #start} returns only once nginx has answered a {@code stub_status} request: readiness
 *       is polled with a deadline, never awaited by sleeping a fixed time. A port lost to another
 *       process between choosing and binding it is retried on another port.</li>
 * </ul>
 *
 * <p>Counting connections: nginx's {@code accepts} includes every connection this class opens itself
 * (the readiness probe and each {@link #status()}). {@link #selfConnections()} counts those and
 * {@link #acceptsExcludingSelf()} subtracts them, so "connections opened by the client under test"
 * is {@code acceptsExcludingSelf()} after minus before. nginx accepts in arrival order, so a probe
 * made after a client's connections are established already counts them.
 *
 * <p>Thread safety: status readings may be taken from any thread. {@link #close()} is idempotent
 * and may race with the shutdown hook; both only stop the process (safe to repeat, see
 * {@link NginxProcess}) and delete the directory (best effort, safe to repeat).
 */
public final class PrivateNginx implements AutoCloseable {

    public static final String HOST = PrivateInstances.HOST;

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final int BIND_ATTEMPTS = 5;

    private final Path dir;
    private final int port;
    private final List<Integer> extraPorts;
    private final NginxProcess process;
    private final StubStatusProbe probe;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private PrivateNginx(Path dir, int port, List<Integer> extraPorts, NginxProcess process) {
        this.dir = dir;
        this.port = port;
        this.extraPorts = extraPorts;
        this.process = process;
        this.probe = new StubStatusProbe(HOST, port);
        this.shutdownHook = new Thread(() -> {
            process.stop();
            PrivateInstances.deleteTree(dir);
        }, "nginx-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code binary} serving {@code site} and waits until it answers.
     *
     * @throws IllegalStateException if nginx fails to start (the message holds its output)
     * @throws UncheckedIOException if the directory cannot be prepared or the process not started
     */
    public static PrivateNginx start(Path binary, NginxSite site) {
        Path dir = prepareDirectory(site);
        String lastFailure = "";
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int port = PrivateInstances.freePort();
            List<Integer> extraPorts = freePorts(site.extraPorts(), port);
            PrivateNginx nginx = null;
            try {
                NginxLayout.writeConf(dir, site, port, extraPorts);
                nginx = new PrivateNginx(dir, port, extraPorts, NginxProcess.launch(binary, dir));
                if (nginx.awaitReady()) {
                    return nginx;
                }
                lastFailure = nginx.log();
                nginx.abandon();
                if (!lastFailure.contains("Address already in use")) {
                    break; // not a port race: retrying will not help
                }
            } catch (IOException | RuntimeException e) {
                if (nginx != null) {
                    nginx.abandon();
                }
                PrivateInstances.deleteTree(dir);
                throw e instanceof RuntimeException re ? re
                        : new UncheckedIOException("cannot start nginx", (IOException) e);
            }
        }
        PrivateInstances.deleteTree(dir);
        throw new IllegalStateException("nginx did not start (" + binary + "); its output:\n" + lastFailure);
    }

    /** The port nginx listens on (on {@link #HOST}). */
    public int port() {
        return port;
    }

    /**
     * The ports of the site's further listeners ({@link NginxSite#extraPorts()}, on {@link #HOST}), in
     * the order the site received them; empty for a site with one listener.
     */
    public List<Integer> extraPorts() {
        return extraPorts;
    }

    /** {@code 127.0.0.1:<port>}, as in a {@code Host} header. */
    public String authority() {
        return HOST + ":" + port;
    }

    /** {@code http://127.0.0.1:<port><path>}; {@code path} must start with {@code /}. */
    public URI uri(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return URI.create("http://" + authority() + path);
    }

    /** The temporary directory holding config, logs and served files (deleted on close). */
    public Path directory() {
        return dir;
    }

    /**
     * Reads {@code stub_status} over a fresh raw socket. The probe is itself an accepted, active,
     * writing connection and is counted in the result and in {@link #selfConnections()}.
     */
    public StubStatus status() {
        try {
            return probe.read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read nginx stub_status on port " + port, e);
        }
    }

    /** nginx's total of accepted connections, including all of this class's own probes. */
    public long accepts() {
        return status().accepts();
    }

    /**
     * Accepted connections not opened by this class: {@code accepts - selfConnections}, measured
     * with one probe (which is subtracted too). The difference of two calls is the number of
     * connections others opened in between.
     */
    public long acceptsExcludingSelf() {
        long accepts = status().accepts();
        return accepts - probe.connections();
    }

    /** Connections this class has opened to nginx so far (readiness and status probes). */
    public long selfConnections() {
        return probe.connections();
    }

    /** The error log and nginx's own stdout/stderr, for diagnostics. */
    public String log() {
        return PrivateInstances.logs(dir, NginxLayout.ERROR_LOG, NginxLayout.OUTPUT);
    }

    /** Whether the nginx process is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops nginx (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        abandon();
        PrivateInstances.deleteTree(dir);
    }

    /** Stops the process and unregisters the shutdown hook, keeping the directory. */
    private void abandon() {
        process.stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to run; it finds nothing left to do
        }
    }

    /** Polls {@code stub_status} until it answers (true), nginx exits or the deadline passes (false). */
    private boolean awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                probe.read();
                return true;
            } catch (IOException notYet) {
                // not listening yet: wait a little, but wake at once if nginx exits
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

    private static Path prepareDirectory(NginxSite site) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("poolclient-nginx-");
            NginxLayout.prepare(dir, site);
            return dir;
        } catch (IOException e) {
            if (dir != null) {
                PrivateInstances.deleteTree(dir);
            }
            throw new UncheckedIOException("cannot prepare nginx directory", e);
        }
    }

    /** {@code count} distinct free ports, none equal to {@code taken}. */
    private static List<Integer> freePorts(int count, int taken) {
        List<Integer> ports = new ArrayList<>();
        for (int attempt = 0; ports.size() < count && attempt < 20 * count; attempt++) {
            int port = PrivateInstances.freePort();
            if (port != taken && !ports.contains(port)) {
                ports.add(port);
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("cannot find " + count + " distinct free ports");
        }
        return List.copyOf(ports);
    }
}
