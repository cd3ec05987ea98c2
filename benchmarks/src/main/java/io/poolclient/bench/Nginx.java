package io.poolclient.bench;

import io.poolclient.testing.nginx.PrivateNginx;
import io.poolclient.testing.nginx.SampleContent;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The benchmarks' nginx site, started as a {@link PrivateNginx} (the launcher the core tests use:
 * one process, {@code worker_processes 1}, on {@code 127.0.0.1} only, everything it writes in a
 * temporary directory that {@code close()} deletes; stopped by {@code close()}, a JVM shutdown hook,
 * or a watchdog should the JVM be killed outright).
 *
 * <p>Keep-alive and logging as every benchmark site has them ({@link BenchSite}): no server-side
 * limit ever closes a connection during a run, and access logging is off.
 *
 * <p>Locations ({@link SampleContent}): {@code /small} (13 bytes, {@code return}), {@code /json}
 * (exactly 1024 bytes of JSON, a static file), {@code /big} (65536 bytes, a static file),
 * {@code /status} ({@code stub_status}).
 *
 * <p>Connections are counted with {@code stub_status}'s {@code accepts}:
 * {@link PrivateNginx#acceptsExcludingSelf()} subtracts the launcher's own probes, so the difference
 * of two calls is what the client under test opened in between.
 */
public final class Nginx implements BenchSite {

    private Nginx() {
    }

    /** Starts nginx from {@code $POOLCLIENT_NGINX} or {@code /usr/sbin/nginx}; returns once it answers. */
    public static PrivateNginx start() {
        return BenchSite.start(new Nginx());
    }

    @Override
    public void writeFiles(Path root) throws IOException {
        SampleContent.writeTo(root);
    }

    @Override
    public String http(int port) {
        return KEEP_ALIVE + """
                server {
                    listen %s:%d backlog=1024;
                %s
                    location / { return 404; }
                }
                """.formatted(PrivateNginx.HOST, port, SampleContent.LOCATIONS.indent(4).stripTrailing());
    }
}
