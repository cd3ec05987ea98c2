package io.poolclient.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the launchers of private server instances (nginx, squid, dante, and the benchmarks' nginx) share:
 * choosing a free port, showing an instance's log files, deleting its temporary directory. Stateless;
 * any thread.
 */
public final class PrivateInstances {

    /** The address every private instance listens on. */
    public static final String HOST = "127.0.0.1";

    private PrivateInstances() {
    }

    /** A port free on {@link #HOST} a moment ago (another process may take it before the caller binds it). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    /** The files {@code names} of {@code dir} that exist, each under a {@code --- name} line, for diagnostics. */
    public static String logs(Path dir, String... names) {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
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

    /** Deletes {@code root} and everything below it, as far as it can: a leftover temporary directory is harmless. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
