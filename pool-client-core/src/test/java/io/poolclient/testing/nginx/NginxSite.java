package io.poolclient.testing.nginx;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What one {@link PrivateNginx} serves, beyond what every private instance has in common
 * ({@link NginxLayout}: one process, everything in its own directory): a few process settings, the
 * files under the document root and the rest of the {@code http} block.
 */
public interface NginxSite {

    /** The {@code error_log} level, e.g. {@code notice} or {@code warn}. */
    String errorLogLevel();

    /** {@code worker_connections} of the single worker. */
    int workerConnections();

    /** Whether nginx writes {@code access.log} into the instance's directory ({@code access_log off} if not). */
    boolean accessLog();

    /** Writes the served files into the document root, which exists and is empty. */
    void writeFiles(Path root) throws IOException;

    /**
     * The rest of the {@code http} block. It must hold one {@code server} listening on
     * {@link PrivateNginx#HOST}{@code :port} that serves {@code stub_status} at {@code /status}
     * (readiness and {@link PrivateNginx#status()} read it; {@link SampleContent#LOCATIONS} has that
     * location). The document root is already set for the whole block.
     */
    String http(int port);
}
