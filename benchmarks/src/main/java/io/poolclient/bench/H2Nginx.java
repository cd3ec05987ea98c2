package io.poolclient.bench;

import io.poolclient.testing.PrivateInstances;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.PrivateNginx;
import io.poolclient.testing.nginx.SampleContent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;

/**
 * The nginx of the HTTP/2 cells: the benchmark's locations ({@link SampleContent}) on three listeners of
 * {@code 127.0.0.1}, one private nginx process with one worker.
 *
 * <ul>
 *   <li>{@link #plain}: HTTP/1.1 without TLS; also serves {@code stub_status}, which counts the
 *       connections of all three listeners;</li>
 *   <li>{@link #tls}: {@code listen ... ssl http2}: TLS offering {@code h2} and {@code http/1.1} by ALPN,
 *       with a certificate for {@code 127.0.0.1} signed by a CA made for this run;</li>
 *   <li>{@link #h2c}: {@code listen ... http2} without TLS: HTTP/2 with prior knowledge only (nginx
 *       before 1.25 neither upgrades nor answers HTTP/1.1 there).</li>
 * </ul>
 *
 * <p>Keep-alive as every benchmark site has it ({@link BenchSite#KEEP_ALIVE});
 * {@code http2_max_concurrent_streams} stays at nginx's default, 128.
 *
 * <p>Which protocol each connection spoke is what nginx logs: the first request of every connection
 * ({@code $connection_requests} = 1) is written to a log as {@code <port> <protocol>}, so the log has
 * one line per connection that carried a request; the connections of the {@code stub_status} probes are
 * left out. {@link #connectionLogOffset()} and
 * {@link #protocolsSince(long)} read it.
 *
 * <p>Not thread-safe beyond what {@link PrivateNginx} guarantees: one benchmark thread starts, reads
 * and closes it.
 */
final class H2Nginx implements BenchSite, AutoCloseable {

    private static final String CONNECTION_LOG = "connections.log";

    private final Path certificates;
    private final TestCertificates certs;
    private volatile Path dir;
    private volatile int tlsPort;
    private volatile int h2cPort;
    private PrivateNginx nginx;

    private H2Nginx(Path certificates, TestCertificates certs) {
        this.certificates = certificates;
        this.certs = certs;
    }

    /** Generates the run's certificates, starts nginx and returns once it answers. */
    static H2Nginx start() throws Exception {
        Path certificates = Files.createTempDirectory("poolclient-bench-certs");
        H2Nginx site;
        try {
            TestCertificates certs = TestCertificates.generate(certificates);
            writePem(certificates, certs);
            site = new H2Nginx(certificates, certs);
            site.nginx = BenchSite.start(site);
        }
        catch (Exception | Error e) {
            PrivateInstances.deleteTree(certificates);
            throw e;
        }
        return site;
    }

    /** The process: {@code stub_status} accepts (all listeners), liveness, error log. */
    PrivateNginx nginx() {
        return nginx;
    }

    /** {@code http://127.0.0.1:<plain port><path>}: HTTP/1.1. */
    URI plain(String path) {
        return nginx.uri(path);
    }

    /** {@code https://127.0.0.1:<tls port><path>}: h2 or http/1.1, chosen by ALPN. */
    URI tls(String path) {
        return URI.create("https://" + PrivateNginx.HOST + ":" + tlsPort + path);
    }

    /** {@code http://127.0.0.1:<h2c port><path>}: HTTP/2 with prior knowledge. */
    URI h2c(String path) {
        return URI.create("http://" + PrivateNginx.HOST + ":" + h2cPort + path);
    }

    /** A client context that trusts only this run's CA. */
    SSLContext clientContext() throws GeneralSecurityException, IOException {
        return certs.clientContext(null);
    }

    /** This run's CA as a PEM file (for a Spring Boot SSL bundle). */
    Path caPem() {
        return certificates.resolve("ca.pem");
    }

    /** The CA certificate. */
    java.security.cert.X509Certificate ca() {
        return certs.ca();
    }

    /** The current end of the connection log. */
    long connectionLogOffset() throws IOException {
        Path log = dir.resolve(CONNECTION_LOG);
        return Files.exists(log) ? Files.size(log) : 0;
    }

    /**
     * Connections logged after {@code offset}, by protocol as nginx names it and where it was spoken:
     * {@code HTTP/2.0 (TLS)}, {@code HTTP/2.0 (h2c)}, {@code HTTP/1.1 (TLS)}, {@code HTTP/1.1}.
     */
    Map<String, Long> protocolsSince(long offset) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        Path log = dir.resolve(CONNECTION_LOG);
        if (!Files.exists(log)) {
            return counts;
        }
        byte[] all = Files.readAllBytes(log);
        if (offset >= all.length) {
            return counts;
        }
        String text = new String(all, (int) offset, all.length - (int) offset, StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts.length != 2) {
                continue;
            }
            int port = Integer.parseInt(parts[0]);
            String where = port == tlsPort ? " (TLS)" : port == h2cPort ? " (h2c port)" : "";
            counts.merge(parts[1] + where, 1L, Long::sum);
        }
        return counts;
    }

    @Override
    public void close() {
        try {
            if (nginx != null) {
                nginx.close();
            }
        }
        finally {
            PrivateInstances.deleteTree(certificates);
        }
    }

    @Override
    public void writeFiles(Path root) throws IOException {
        dir = root.getParent();
        SampleContent.writeTo(root);
    }

    @Override
    public String http(int port) {
        // chosen again on each start attempt, like the plain port
        tlsPort = PrivateInstances.freePort();
        h2cPort = PrivateInstances.freePort();
        String locations = SampleContent.LOCATIONS.indent(4).stripTrailing();
        return KEEP_ALIVE + """
                map "$connection_requests $uri" $first_request { "~^1 %9$s$" 0; "~^1 " 1; default 0; }
                log_format connection '$server_port $server_protocol';
                server {
                    listen %3$s:%4$d backlog=1024;
                    access_log %1$s/%2$s connection if=$first_request;
                %7$s
                    location / { return 404; }
                }
                server {
                    listen %3$s:%5$d ssl http2 backlog=1024;
                    access_log %1$s/%2$s connection if=$first_request;
                    ssl_certificate %8$s/server-chain.pem;
                    ssl_certificate_key %8$s/server-key.pem;
                    ssl_protocols TLSv1.2 TLSv1.3;
                %7$s
                    location / { return 404; }
                }
                server {
                    listen %3$s:%6$d http2 backlog=1024;
                    access_log %1$s/%2$s connection if=$first_request;
                %7$s
                    location / { return 404; }
                }
                """.formatted(dir, CONNECTION_LOG, PrivateNginx.HOST, port, tlsPort, h2cPort, locations, certificates,
                "/status");
    }

    /** The server's key (PKCS#8) and chain, and the CA alone, as PEM files nginx and Spring Boot read. */
    private static void writePem(Path dir, TestCertificates certs) throws GeneralSecurityException, IOException {
        KeyStore server = certs.server();
        String alias = server.aliases().nextElement();
        Key key = server.getKey(alias, "changeit".toCharArray());
        Files.writeString(dir.resolve("server-key.pem"), TestCertificates.pem("PRIVATE KEY", key.getEncoded()));
        StringBuilder chain = new StringBuilder();
        for (Certificate c : server.getCertificateChain(alias)) {
            chain.append(TestCertificates.pem("CERTIFICATE", c.getEncoded()));
        }
        Files.writeString(dir.resolve("server-chain.pem"), chain);
        Files.writeString(dir.resolve("ca.pem"), TestCertificates.pem("CERTIFICATE", certs.ca().getEncoded()));
    }
}
