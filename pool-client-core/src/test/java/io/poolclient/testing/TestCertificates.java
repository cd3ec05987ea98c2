package io.poolclient.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made by the tests themselves with the running JDK's {@code keytool} (no network, no
 * checked-in keys): a private CA, and leaf certificates it signs, each held in an in-memory
 * {@link KeyStore} with its key and chain. EC P-256 keys, valid for two days.
 *
 * <ul>
 *   <li>{@link #server()}: {@code CN=localhost}, SAN {@code DNS:localhost, IP:127.0.0.1}, server auth;</li>
 *   <li>{@link #wrongHost()}: {@code CN=wrong.example}, SAN {@code DNS:wrong.example}, server auth;</li>
 *   <li>{@link #client()}: {@code CN=pool-client test client}, client auth.</li>
 * </ul>
 *
 * <p>Each keytool run is bounded (30 s, then killed); the three leaves are made two at a time.
 */
public final class TestCertificates {

    private static final String PASSWORD = "changeit";
    private static final long KEYTOOL_LIMIT_SECONDS = 30;

    private static final java.util.concurrent.locks.ReentrantLock SHARED_LOCK =
            new java.util.concurrent.locks.ReentrantLock();
    private static TestCertificates shared;

    private final X509Certificate ca;
    private final KeyStore server;
    private final KeyStore wrongHost;
    private final KeyStore client;

    private TestCertificates(X509Certificate ca, KeyStore server, KeyStore wrongHost, KeyStore client) {
        this.ca = ca;
        this.server = server;
        this.wrongHost = wrongHost;
        this.client = client;
    }

    /**
     * One set of certificates for the whole test JVM, generated on first use in a temporary directory
     * that is deleted at once (the stores are held in memory). Saves the keytool runs for tests that
     * only need some trusted server certificate.
     */
    public static TestCertificates shared() throws Exception {
        SHARED_LOCK.lock();
        try {
            if (shared == null) {
                Path dir = Files.createTempDirectory("poolclient-certs-");
                try {
                    shared = generate(dir);
                } finally {
                    try (var files = Files.list(dir)) {
                        files.forEach(f -> f.toFile().delete());
                    }
                    Files.deleteIfExists(dir);
                }
            }
            return shared;
        } finally {
            SHARED_LOCK.unlock();
        }
    }

    /** Generates the CA and the three leaves in {@code dir} (a temporary directory the caller owns). */
    public static TestCertificates generate(Path dir) throws Exception {
        Path caStore = dir.resolve("ca.p12");
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=pool-client test CA", "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign",
                "-validity", "2", "-keystore", caStore.toString());
        X509Certificate ca = (X509Certificate) load(caStore).getCertificate("ca");
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<KeyStore> server = two.submit(() -> leaf(dir, caStore, ca, "server", "CN=localhost",
                    "san=dns:localhost,ip:127.0.0.1", "serverAuth"));
            Future<KeyStore> wrong = two.submit(() -> leaf(dir, caStore, ca, "wrong", "CN=wrong.example",
                    "san=dns:wrong.example", "serverAuth"));
            Future<KeyStore> client = two.submit(() -> leaf(dir, caStore, ca, "client", "CN=pool-client test client",
                    null, "clientAuth"));
            return new TestCertificates(ca, server.get(2, TimeUnit.MINUTES), wrong.get(2, TimeUnit.MINUTES),
                    client.get(2, TimeUnit.MINUTES));
        }
        finally {
            two.shutdownNow();
        }
    }

    /** The password of every key entry and store made here (for reading a key out of {@link #server()} and the like). */
    public static char[] password() {
        return PASSWORD.toCharArray();
    }

    /** {@code der} as a PEM block of {@code type} ({@code CERTIFICATE}, {@code PRIVATE KEY}), lines of 64 characters. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public X509Certificate ca() {
        return ca;
    }

    /** Key and chain for {@code localhost} / {@code 127.0.0.1}. */
    public KeyStore server() {
        return server;
    }

    /** Key and chain for {@code wrong.example}, signed by the same CA. */
    public KeyStore wrongHost() {
        return wrongHost;
    }

    /** Client key and chain for mutual TLS. */
    public KeyStore client() {
        return client;
    }

    /** A server context presenting {@code identity} and trusting the CA for client certificates. */
    public SSLContext serverContext(KeyStore identity) throws GeneralSecurityException, IOException {
        return context(identity, true);
    }

    /** A client context trusting only the CA, presenting {@code identity} when not {@code null}. */
    public SSLContext clientContext(KeyStore identity) throws GeneralSecurityException, IOException {
        return context(identity, true);
    }

    private SSLContext context(KeyStore identity, boolean trustCa) throws GeneralSecurityException, IOException {
        KeyManagerFactory kmf = null;
        if (identity != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(identity, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = null;
        if (trustCa) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return context;
    }

    /** A key pair, a CSR, the CA's signature, and the key with its chain in a fresh in-memory store. */
    private static KeyStore leaf(Path dir, Path caStore, X509Certificate ca, String name, String dname, String san,
            String usage) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path csr = dir.resolve(name + ".csr");
        Path signed = dir.resolve(name + ".pem");
        keytool(dir, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-keystore", store.toString());
        keytool(dir, "-certreq", "-alias", name, "-keystore", store.toString(), "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", caStore.toString(),
                "-infile", csr.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "2",
                "-ext", "ku:c=digitalSignature", "-ext", "eku=" + usage));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(dir, gencert.toArray(String[]::new));

        PrivateKey key = (PrivateKey) load(store).getKey(name, PASSWORD.toCharArray());
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(signed)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore out = KeyStore.getInstance("PKCS12");
        out.load(null, null);
        out.setKeyEntry(name, key, PASSWORD.toCharArray(), new Certificate[] {cert, ca});
        return out;
    }

    private static KeyStore load(Path path) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        Path log = Files.createTempFile(dir, "keytool", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(KEYTOOL_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish within " + KEYTOOL_LIMIT_SECONDS + " s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + String.join(" ", args) + "\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
