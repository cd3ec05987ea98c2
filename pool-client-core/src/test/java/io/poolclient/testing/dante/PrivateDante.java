package io.poolclient.testing.dante;

import io.poolclient.testing.ServerBinary;
import io.poolclient.testing.squid.ForegroundDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.opentest4j.TestAbortedException;

/**
 * A private dante SOCKS5 server on {@code 127.0.0.1}, on a free port, without authentication, allowing
 * {@code CONNECT} from loopback to anywhere (it listens on loopback only).
 *
 * <p>Username authentication is not offered: dante checks SOCKS user names and passwords against the
 * system's accounts (passwd/shadow or PAM), which a test cannot set up without changing the machine.
 * Username/password SOCKS5 is tested against a small in-test server instead.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Config, pid file and log live in a fresh temporary directory that {@link #close()} deletes.</li>
 *   <li>danted runs in the foreground, a direct child of this JVM, with the children it forks; {@link #close()}
 *       stops them all ({@link ForegroundDaemon}), as does a JVM shutdown hook for instances never closed.
 *       As root, dante's unprivileged user is {@code nobody}.</li>
 *   <li>{@link #start} returns once the port accepts connections, polled with a deadline. A port lost between
 *       choosing and binding it is retried on another one.</li>
 * </ul>
 *
 * <p>If danted is not installed, {@link #startOrSkip} skips the test ({@link TestAbortedException}) unless
 * {@code POOLCLIENT_REQUIRE_DANTE=1} is set (CI), in which case it fails.
 *
 * <p>Thread safety: {@link #close()} is idempotent and may race with the shutdown hook; both only stop
 * processes (safe to repeat) and delete the directory (best effort).
 */
public final class PrivateDante implements AutoCloseable {

    /** Environment variable that turns "danted missing" from a skipped test into a failure. */
    public static final String REQUIRE_ENV = "POOLCLIENT_REQUIRE_DANTE";
    public static final String HOST = "127.0.0.1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int BIND_ATTEMPTS = 5;
    private static final String CONF = "danted.conf";
    private static final String LOG = "danted.log";
    private static final String OUTPUT = "danted.out";

    private final Path dir;
    private final int port;
    private final ForegroundDaemon process;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private PrivateDante(Path dir, int port, ForegroundDaemon process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(() -> {
            process.stop();
            deleteTree(dir);
        }, "dante-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts danted, or skips the calling test when it is missing (fails instead under {@value #REQUIRE_ENV}=1). */
    public static PrivateDante startOrSkip() {
        if (!ServerBinary.DANTE.isInstalled()) {
            if ("1".equals(System.getenv(REQUIRE_ENV))) {
                throw new IllegalStateException(ServerBinary.DANTE.notFoundMessage() + "; required by " + REQUIRE_ENV + "=1");
            }
            throw new TestAbortedException(ServerBinary.DANTE.notFoundMessage() + "; skipping");
        }
        return start(ServerBinary.DANTE.path());
    }

    /**
     * Starts {@code binary} and waits until it accepts connections.
     *
     * @throws IllegalStateException if danted does not start (the message holds its log)
     */
    public static PrivateDante start(Path binary) {
        Path dir = prepareDirectory();
        String lastFailure = "";
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int port = freePort();
            PrivateDante dante = null;
            try {
                Files.writeString(dir.resolve(CONF), conf(dir, port));
                Files.deleteIfExists(dir.resolve(LOG));
                dante = new PrivateDante(dir, port, ForegroundDaemon.launch(
                        List.of(binary.toString(), "-f", dir.resolve(CONF).toString(), "-p", dir.resolve("danted.pid").toString()),
                        dir, dir.resolve(OUTPUT), "danted"));
                if (dante.awaitReady()) {
                    return dante;
                }
                lastFailure = dante.log();
                dante.abandon();
                if (!lastFailure.contains("Address already in use")) {
                    break;
                }
            } catch (IOException | RuntimeException e) {
                if (dante != null) {
                    dante.abandon();
                }
                deleteTree(dir);
                throw e instanceof RuntimeException re ? re : new UncheckedIOException("cannot start danted", (IOException) e);
            }
        }
        deleteTree(dir);
        throw new IllegalStateException("danted did not start (" + binary + "); its log:\n" + lastFailure);
    }

    public int port() {
        return port;
    }

    /** {@code <scheme>://127.0.0.1:<port>} for {@code socks5} or {@code socks5h}. */
    public String url(String scheme) {
        return scheme + "://" + HOST + ":" + port;
    }

    /** The temporary directory (deleted on close). */
    public Path directory() {
        return dir;
    }

    /** dante's log and its own output, for diagnostics. */
    public String log() {
        StringBuilder out = new StringBuilder();
        for (String name : new String[] {LOG, OUTPUT}) {
            Path file = dir.resolve(name);
            try {
                if (Files.exists(file)) {
                    out.append("--- ").append(name).append('\n').append(Files.readString(file));
                }
            } catch (IOException e) {
                out.append("--- ").append(name).append(": unreadable: ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops danted and its children (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        abandon();
        deleteTree(dir);
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

    private static String conf(Path dir, int port) {
        List<String> lines = new ArrayList<>(List.of(
                "logoutput: " + dir.resolve(LOG),
                "internal: " + HOST + " port = " + port,
                "external: " + HOST,
                "clientmethod: none",
                "socksmethod: none"));
        if ("root".equals(System.getProperty("user.name"))) {
            lines.add("user.privileged: root");
            lines.add("user.unprivileged: nobody");
        }
        lines.addAll(List.of(
                "client pass {",
                "    from: 127.0.0.0/8 to: 0.0.0.0/0",
                "}",
                "socks pass {",
                "    from: 127.0.0.0/8 to: 0.0.0.0/0",
                "    command: connect",
                "    log: connect disconnect error",
                "}"));
        return String.join("\n", lines) + "\n";
    }

    private static Path prepareDirectory() {
        try {
            Path dir = Files.createTempDirectory("poolclient-dante-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare dante directory", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp directory is harmless
        }
    }
}
