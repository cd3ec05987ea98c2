package io.poolclient.testing.nginx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
     * location). The document root is already set for the whole block. Relative file paths resolve against
     * the instance's directory (nginx's prefix and configuration directory), the parent of the document root.
     */
    String http(int port);

    /**
     * How many ports besides the main one the site listens on (none unless overridden). {@link PrivateNginx}
     * chooses them free on {@link PrivateNginx#HOST} and hands them to {@link #http(int, List)}.
     */
    default int extraPorts() {
        return 0;
    }

    /**
     * The rest of the {@code http} block for a site with {@link #extraPorts()}: as {@link #http(int)}, and
     * one more listener on each of {@code extraPorts} (in the site's own order). By default it ignores them
     * and returns {@link #http(int)}.
     */
    default String http(int port, List<Integer> extraPorts) {
        return http(port);
    }
}
