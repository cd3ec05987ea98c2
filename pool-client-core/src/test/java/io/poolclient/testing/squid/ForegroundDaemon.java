package io.poolclient.testing.squid;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server started in the foreground as a direct child of this JVM (squid with {@code -N}, danted without
 * {@code -D}), together with whatever processes it forks (squid's auth helpers, dante's negotiate/request/io
 * children), plus a watchdog for the one case a shutdown hook cannot cover: this JVM killed with SIGKILL.
 * The watchdog is a {@code /bin/sh} blocked reading a pipe whose only writer is this JVM; when the JVM dies
 * the pipe reaches EOF and the watchdog sends the server SIGTERM. Used by the squid and dante launchers.
 *
 * <p>{@link #stop()} sends SIGTERM, waits a bounded time, then SIGKILLs the server and every descendant
 * still alive, so no forked child outlives a test class.
 *
 * <p>Thread safety: {@link #stop()} may run on a caller's thread and on a JVM shutdown hook at the same time;
 * it only calls {@link Process}/{@link ProcessHandle} methods, which are thread-safe, and stopping what has
 * exited does nothing.
 */
public final class ForegroundDaemon {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Process watchdog;

    private ForegroundDaemon(Process process, String name) {
        this.process = process;
        this.watchdog = startWatchdog(process.pid(), name);
    }

    /** Starts {@code command} in {@code dir}; its stdout and stderr go to {@code output}, stdin is empty. */
    public static ForegroundDaemon launch(List<String> command, Path dir, Path output, String name) throws IOException {
        return new ForegroundDaemon(new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start(), name);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code millis} for the server to exit (returning early if it does). */
    public void awaitExit(long millis) throws InterruptedException {
        process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL for the server and its descendants left after a bounded wait; ends the watchdog. */
    public void stop() {
        if (watchdog != null) {
            watchdog.destroy();
        }
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        if (process.isAlive()) {
            process.destroy();
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle member : family) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    member.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // killed below
            }
        }
        for (ProcessHandle member : family) {
            if (member.isAlive()) {
                member.destroyForcibly();
            }
        }
    }

    private static Process startWatchdog(long pid, String name) {
        try {
            return new ProcessBuilder("/bin/sh", "-c",
                    "while read -r _; do :; done; kill -TERM \"$1\" 2>/dev/null",
                    "poolclient-" + name + "-watchdog", Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return null;
        }
    }
}
