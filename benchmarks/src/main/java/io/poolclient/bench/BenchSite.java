package io.poolclient.bench;

import io.poolclient.testing.ServerBinary;
import io.poolclient.testing.nginx.NginxSite;
import io.poolclient.testing.nginx.PrivateNginx;

/**
 * What the benchmarks' nginx sites ({@link Nginx}, {@link H2Nginx}) have in common: {@code warn} error
 * logging, 4096 worker connections, no access log (so the server's disk work is not part of what is
 * measured), the keep-alive settings of {@link #KEEP_ALIVE}, and how they are started.
 */
interface BenchSite extends NginxSite {

    /**
     * The start of every site's {@code http} block. No server-side limit ever closes a connection
     * during a run: a long {@code keepalive_timeout} that is also announced ({@code Keep-Alive: timeout=120},
     * so clients with a short default idle time such as {@code HttpURLConnection} keep their connections),
     * and {@code keepalive_requests} (which also bounds the requests of one HTTP/2 connection) far above
     * any run's request count.
     */
    String KEEP_ALIVE = """
            keepalive_timeout 120s 120s;
            keepalive_requests 1000000000;
            server_tokens off;
            etag off;
            """;

    /**
     * Starts {@code site} on nginx from {@code $POOLCLIENT_NGINX} or {@code /usr/sbin/nginx}; returns once
     * it answers.
     *
     * @throws IllegalStateException if nginx is not installed or fails to start
     */
    static PrivateNginx start(BenchSite site) {
        if (!ServerBinary.NGINX.isInstalled()) {
            throw new IllegalStateException(ServerBinary.NGINX.notFoundMessage());
        }
        return PrivateNginx.start(ServerBinary.NGINX.path(), site);
    }

    @Override
    default String errorLogLevel() {
        return "warn";
    }

    @Override
    default int workerConnections() {
        return 4096;
    }

    @Override
    default boolean accessLog() {
        return false;
    }
}
