package io.poolclient.testing.nginx;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One nginx process in the foreground, a direct child of this JVM (so it never switches user and
 * leaves no workers behind), plus a watchdog for the one case a shutdown hook cannot cover: this JVM
 * killed with SIGKILL. The watchdog is a {@code /bin/sh} blocked reading a pipe whose only writer is
 * this JVM; when the JVM dies the pipe reaches EOF and the watchdog sends nginx SIGTERM. Best effort:
 * without {@code /bin/sh} there is no watchdog.
 *
 * <p>Thread safety: {@link #stop()} may run on a caller's thread and on a JVM shutdown hook at the
 * same time. It only calls {@link Process} methods, which are thread-safe, and stopping a process that
 * has already exited does nothing, so no locking is needed.
 */
final class NginxProcess {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Process watchdog;

    private NginxProcess(Process process) {
        this.process = process;
        this.watchdog = startWatchdog(process.pid());
    }

    /** Starts {@code binary} on the {@code nginx.conf} in {@code dir}; its output goes to a file there. */
    static NginxProcess launch(Path binary, Path dir) throws IOException {
        return new NginxProcess(new ProcessBuilder(binary.toString(), "-p", dir + "/",
                "-c", dir.resolve(NginxLayout.CONF).toString(), "-e", dir.resolve(NginxLayout.ERROR_LOG).toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(NginxLayout.OUTPUT).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code millis} for nginx to exit (returning early if it does). */
    void awaitExit(long millis) throws InterruptedException {
        process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL if nginx has not exited within a bounded wait; ends the watchdog quietly. */
    void stop() {
        if (watchdog != null) {
            watchdog.destroy(); // SIGTERM ends its read loop without it sending anything
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Process startWatchdog(long nginxPid) {
        try {
            return new ProcessBuilder("/bin/sh", "-c",
                    "while read -r _; do :; done; kill -TERM \"$1\" 2>/dev/null",
                    "poolclient-nginx-watchdog", Long.toString(nginxPid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return null;
        }
    }
}
