package io.poolclient.testing.dante;

import io.poolclient.testing.InstalledOrSkip;
import io.poolclient.testing.ServerBinary;
import io.poolclient.testing.squid.ForegroundDaemon;
import io.poolclient.testing.squid.LoopbackDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

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
    public static final String HOST = LoopbackDaemon.HOST;

    private static final String CONF = "danted.conf";
    private static final String LOG = "danted.log";
    private static final String OUTPUT = "danted.out";

    private final LoopbackDaemon daemon;

    private PrivateDante(LoopbackDaemon daemon) {
        this.daemon = daemon;
    }

    /** Starts danted, or skips the calling test when it is missing (fails instead under {@value #REQUIRE_ENV}=1). */
    public static PrivateDante startOrSkip() {
        return start(InstalledOrSkip.path(ServerBinary.DANTE, REQUIRE_ENV));
    }

    /**
     * Starts {@code binary} and waits until it accepts connections.
     *
     * @throws IllegalStateException if danted does not start (the message holds its log)
     */
    public static PrivateDante start(Path binary) {
        return new PrivateDante(LoopbackDaemon.start("danted", binary, prepareDirectory(), List.of(LOG, OUTPUT),
                (dir, port) -> {
                    Files.writeString(dir.resolve(CONF), conf(dir, port));
                    Files.deleteIfExists(dir.resolve(LOG));
                    return ForegroundDaemon.launch(List.of(binary.toString(), "-f", dir.resolve(CONF).toString(), "-p",
                            dir.resolve("danted.pid").toString()), dir, dir.resolve(OUTPUT), "danted");
                }));
    }

    public int port() {
        return daemon.port();
    }

    /** {@code <scheme>://127.0.0.1:<port>} for {@code socks5} or {@code socks5h}. */
    public String url(String scheme) {
        return scheme + "://" + HOST + ":" + port();
    }

    /** The temporary directory (deleted on close). */
    public Path directory() {
        return daemon.directory();
    }

    /** dante's log and its own output, for diagnostics. */
    public String log() {
        return daemon.log();
    }

    public boolean isRunning() {
        return daemon.isAlive();
    }

    /** Stops danted and its children (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        daemon.close();
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
}
