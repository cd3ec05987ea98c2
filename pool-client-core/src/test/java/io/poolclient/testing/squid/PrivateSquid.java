package io.poolclient.testing.squid;

import io.poolclient.testing.InstalledOrSkip;
import io.poolclient.testing.PrivateInstances;
import io.poolclient.testing.ServerBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

import org.opentest4j.TestAbortedException;

/**
 * A private squid: a real HTTP proxy (absolute-form requests and {@code CONNECT}) on {@code 127.0.0.1}, on a
 * free port, with or without basic authentication.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Everything the instance reads or writes (config, pid file, cache and access logs, password file)
 *       lives in a fresh temporary directory that {@link #close()} deletes. There is no cache
 *       ({@code cache deny all}, no cache_dir), no pinger, no netdb file, so nothing under {@code /var} is
 *       touched. When this JVM runs as root, squid switches to {@code cache_effective_user} ({@code proxy},
 *       else {@code nobody}), who is made owner of the directory.</li>
 *   <li>squid runs with {@code -N} (no daemon): one process, a direct child of this JVM, plus the auth helpers
 *       it forks. {@link #close()} stops them all ({@link ForegroundDaemon}); {@code shutdown_lifetime 0}
 *       makes squid exit at once. A JVM shutdown hook does the same for instances never closed.</li>
 *   <li>{@link #start} returns once the port accepts connections, polled with a deadline. A port lost
 *       between choosing and binding it is retried on another one.</li>
 *   <li>Basic auth uses squid's own {@code basic_ncsa_auth} with a password file holding the password's
 *       MD5 hex digest (a format that helper accepts), written here: no extra tool is needed.</li>
 * </ul>
 *
 * <p>Counting: squid writes one access-log line per transaction when it ends ({@code CONNECT} tunnels when
 * they close), so {@link #awaitAccessLog} polls the log with a deadline until the expected lines are there.
 *
 * <p>If squid is not installed, {@link #startOrSkip} skips the test ({@link TestAbortedException}) unless
 * {@code POOLCLIENT_REQUIRE_SQUID=1} is set (CI), in which case it fails.
 *
 * <p>Thread safety: {@link #close()} is idempotent and may race with the shutdown hook; both only stop
 * processes (safe to repeat) and delete the directory (best effort).
 */
public final class PrivateSquid implements AutoCloseable {

    /** Environment variable that turns "squid missing" from a skipped test into a failure. */
    public static final String REQUIRE_ENV = "POOLCLIENT_REQUIRE_SQUID";
    public static final String HOST = LoopbackDaemon.HOST;

    private static final String CONF = "squid.conf";
    private static final String OUTPUT = "squid.out";
    private static final String CACHE_LOG = "cache.log";
    private static final String ACCESS_LOG = "access.log";
    private static final String PASSWORDS = "passwords";
    private static final String HOSTS = "hosts";

    /**
     * A name squid resolves to {@code 127.0.0.1} (from its own hosts file): a target that is not loopback by
     * its name, so proxies found with {@code trust-env} apply to it, yet reaches an origin on loopback.
     */
    public static final String ORIGIN_NAME = "origin.poolclient.test";

    /** Credentials squid demands (basic auth), or none. */
    public record BasicAuth(String username, String password) {
        public BasicAuth {
            for (String s : new String[] {username, password}) {
                if (s == null || s.isEmpty() || !s.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ':' && c != '%')) {
                    throw new IllegalArgumentException("test credentials must be non-empty printable ASCII without ':' or '%'");
                }
            }
        }
    }

    private final LoopbackDaemon daemon;

    private PrivateSquid(LoopbackDaemon daemon) {
        this.daemon = daemon;
    }

    /** Starts squid, or skips the calling test when squid is missing (fails instead under {@value #REQUIRE_ENV}=1). */
    public static PrivateSquid startOrSkip(BasicAuth auth) {
        return start(InstalledOrSkip.path(ServerBinary.SQUID, REQUIRE_ENV), auth);
    }

    /**
     * Starts {@code binary} and waits until it accepts connections.
     *
     * @param auth the credentials to demand, or {@code null} to allow every client (it listens on loopback only)
     * @throws IllegalStateException if squid does not start (the message holds its logs)
     */
    public static PrivateSquid start(Path binary, BasicAuth auth) {
        return new PrivateSquid(LoopbackDaemon.start("squid", binary, prepareDirectory(auth), List.of(CACHE_LOG, OUTPUT),
                (dir, port) -> {
                    Files.writeString(dir.resolve(CONF), conf(dir, port, auth));
                    Files.deleteIfExists(dir.resolve(OUTPUT));
                    return ForegroundDaemon.launch(List.of(binary.toString(), "-N", "-f", dir.resolve(CONF).toString()),
                            dir, dir.resolve(OUTPUT), "squid");
                }));
    }

    public int port() {
        return daemon.port();
    }

    /** {@code http://127.0.0.1:<port>}, without credentials. */
    public String url() {
        return "http://" + HOST + ":" + port();
    }

    /** {@code http://user:password@127.0.0.1:<port>}. */
    public String url(String username, String password) {
        return "http://" + username + ":" + password + "@" + HOST + ":" + port();
    }

    /** The temporary directory (deleted on close). */
    public Path directory() {
        return daemon.directory();
    }

    /**
     * The access log's lines so far: squid's native format with the client's port
     * ({@code time elapsed 127.0.0.1:port TCP_TUNNEL/200 bytes CONNECT host:port user ...}).
     */
    public List<String> accessLog() {
        Path file = daemon.directory().resolve(ACCESS_LOG);
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read squid access log", e);
        }
    }

    /**
     * Polls the access log until at least {@code count} lines match {@code line}, at most {@code timeout};
     * returns the matching lines (possibly fewer, if the deadline passed: the caller's assertion says so).
     */
    public List<String> awaitAccessLog(Predicate<String> line, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> matching;
        while (true) {
            matching = accessLog().stream().filter(line).toList();
            if (matching.size() >= count || System.nanoTime() >= deadline || !daemon.isAlive()) {
                return matching;
            }
            try {
                daemon.awaitExit(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return matching;
            }
        }
    }

    /**
     * The client connections squid served for the matching access-log lines: the distinct client
     * {@code address:port} pairs among them.
     */
    public long clientConnections(Predicate<String> line) {
        return accessLog().stream().filter(line).map(l -> l.trim().split("\\s+")[2]).distinct().count();
    }

    /** squid's cache log and its own output, for diagnostics. */
    public String log() {
        return daemon.log();
    }

    public boolean isRunning() {
        return daemon.isAlive();
    }

    /** Stops squid and its helpers (SIGTERM, then SIGKILL after a bounded wait) and deletes the directory. */
    @Override
    public void close() {
        daemon.close();
    }

    private static String conf(Path dir, int port, BasicAuth auth) {
        String d = dir.toString();
        List<String> lines = new ArrayList<>(List.of(
                "http_port " + HOST + ":" + port,
                "pid_filename " + d + "/squid.pid",
                "cache_log " + d + "/" + CACHE_LOG,
                // squid's native format with the client's port added: one client port per client connection
                "logformat poolclient %ts.%03tu %6tr %>a:%>p %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
                "access_log stdio:" + d + "/" + ACCESS_LOG + " poolclient",
                "hosts_file " + d + "/" + HOSTS,
                "cache deny all",
                "cache_mem 0 MB",
                "coredump_dir " + d,
                "pinger_enable off",
                "netdb_filename none",
                "logfile_rotate 0",
                "shutdown_lifetime 0 seconds",
                "dns_timeout 5 seconds",
                "connect_timeout 10 seconds"));
        String user = effectiveUser();
        if (user != null) {
            lines.add("cache_effective_user " + user);
        }
        if (auth != null) {
            lines.addAll(List.of(
                    "auth_param basic program " + ServerBinary.SQUID_BASIC_AUTH + " " + d + "/" + PASSWORDS,
                    "auth_param basic children 2 startup=1 idle=1",
                    "auth_param basic realm poolclient-test",
                    "acl authenticated proxy_auth REQUIRED",
                    "http_access allow authenticated",
                    "http_access deny all"));
        } else {
            lines.add("http_access allow all");
        }
        return String.join("\n", lines) + "\n";
    }

    /** The user squid switches to when started as root ({@code proxy}, else {@code nobody}); {@code null} otherwise. */
    private static String effectiveUser() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return null;
        }
        return lookup("proxy") != null ? "proxy" : "nobody";
    }

    private static UserPrincipal lookup(String name) {
        try {
            return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
        } catch (UserPrincipalNotFoundException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Path prepareDirectory(BasicAuth auth) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("poolclient-squid-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path hosts = dir.resolve(HOSTS);
            Files.writeString(hosts, "127.0.0.1 localhost " + ORIGIN_NAME + "\n");
            Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-r--r--"));
            if (auth != null) {
                Path passwords = dir.resolve(PASSWORDS);
                Files.writeString(passwords, auth.username() + ":" + md5Hex(auth.password()) + "\n");
                Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-r--r--"));
            }
            String user = effectiveUser();
            UserPrincipal owner = user == null ? null : lookup(user);
            if (owner != null) {
                Files.setOwner(dir, owner);
            }
            return dir;
        } catch (IOException e) {
            if (dir != null) {
                PrivateInstances.deleteTree(dir);
            }
            throw new UncheckedIOException("cannot prepare squid directory", e);
        }
    }

    private static String md5Hex(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
