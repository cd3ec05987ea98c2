package io.poolclient.testing.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The directory of one private nginx and the {@code nginx.conf} that keeps the instance inside it:
 * a single foreground process ({@code daemon off; master_process off; worker_processes 1}) whose pid
 * file, lock file, logs, temporary paths and document root all lie in that directory, so nothing
 * under {@code /etc/nginx} or {@code /var} is read or written. The site adds the rest.
 */
final class NginxLayout {

    static final String CONF = "nginx.conf";
    static final String ERROR_LOG = "error.log";
    /** nginx's own stdout and stderr. */
    static final String OUTPUT = "nginx.out";

    private static final String ROOT = "www";
    private static final String[] TEMP_PATHS = {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"};

    private NginxLayout() {
    }

    /** Creates the document root and temporary paths in {@code dir} and lets the site write its files. */
    static void prepare(Path dir, NginxSite site) throws IOException {
        site.writeFiles(Files.createDirectories(dir.resolve(ROOT)));
        for (String temp : TEMP_PATHS) {
            Files.createDirectories(dir.resolve("temp").resolve(temp));
        }
    }

    /**
     * Writes {@code nginx.conf} for listening on {@code port} and the site's {@code extraPorts} (again on
     * each start attempt).
     */
    static void writeConf(Path dir, NginxSite site, int port, List<Integer> extraPorts) throws IOException {
        Files.writeString(dir.resolve(CONF), conf(dir, site, port, extraPorts));
    }

    private static String indented(String block) {
        return block.strip().lines().map(line -> line.isBlank() ? "" : "    " + line).collect(Collectors.joining("\n"));
    }

    private static String conf(Path dir, NginxSite site, int port, List<Integer> extraPorts) {
        String d = dir.toString();
        StringBuilder temps = new StringBuilder();
        for (String temp : TEMP_PATHS) {
            temps.append("    ").append(temp).append("_temp_path ").append(d).append("/temp/").append(temp).append(";\n");
        }
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                lock_file %1$s/nginx.lock;
                error_log %1$s/%2$s %3$s;

                events {
                    worker_connections %4$d;
                }

                http {
                    %5$s
                %6$s    root %1$s/%7$s;

                %8$s
                }
                """.formatted(d, ERROR_LOG, site.errorLogLevel(), site.workerConnections(),
                site.accessLog() ? "access_log " + d + "/access.log;" : "access_log off;",
                temps, ROOT, indented(extraPorts.isEmpty() ? site.http(port) : site.http(port, extraPorts)));
    }
}
