package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static io.poolclient.PoolAssertions.pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolclient.PoolSnapshot;
import io.poolclient.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with certificates the test makes itself (keytool, see {@link TestCertificates}), served by
 * MockWebServer on loopback: the JDK's default trust refuses a
 * private CA; a {@link TlsConfig} trusting it works (and host pools are keyed by TLS identity);
 * a certificate for another host is refused by hostname verification; mutual TLS works with a
 * client key and fails without one. A failed handshake is a {@link ConnectFailedException}: no
 * request byte was sent, and no connection is counted as opened.
 */
@Timeout(60)
class TlsTest {

    @TempDir
    static Path keys;

    private static TestCertificates certs;

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.generate(keys);
    }

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    @Test
    void theJdkDefaultTrustRefusesAPrivateCa() throws Exception {
        serve(certs.server());
        client = PoolClient.builder().build();

        Throwable t = catchThrowable(() -> get(url("localhost", "/")));

        assertThat(t).isExactlyInstanceOf(ConnectFailedException.class)
                .hasMessageStartingWith("TLS handshake with " + hostPort("localhost") + " failed through mount 'https': ")
                .hasMessageContaining("PKIX path building failed");
        PoolSnapshot pool = onlyPool(client, "https");
        assertThat(pool.opened()).as("a failed handshake is a failed connect: not counted").isZero();
        assertThat(pool.requests()).isZero();
    }

    @Test
    void aTlsConfigTrustingThePrivateCaWorksWithSniAndReuse() throws Exception {
        serve(certs.server());
        client = PoolClient.builder()
                .mount("private", "https://localhost:" + server.getPort() + "/",
                        MountSettings.builder().tls(TlsConfig.of("private-ca", certs.clientContext(null))).build())
                .build();

        assertThat(get(url("localhost", "/one"))).isEqualTo("secure");
        assertThat(get(url("localhost", "/two"))).isEqualTo("secure");

        RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getHandshakeServerNames()).as("SNI").containsExactly("localhost");
        assertThat(first.getHandshake()).isNotNull();
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        PoolSnapshot pool = onlyPool(client, "private");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(client.snapshot("private").orElseThrow().settings().tls()).hasToString("private-ca");
    }

    @Test
    void anIpAddressIsVerifiedAgainstTheCertificatesIpSan() throws Exception {
        serve(certs.server());
        client = PoolClient.builder()
                .defaults(MountSettings.builder().tls(TlsConfig.of("private-ca", certs.clientContext(null))).build())
                .build();

        assertThat(get(url("127.0.0.1", "/"))).isEqualTo("secure");
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHandshakeServerNames())
                .as("no SNI for an address literal").isEmpty();
    }

    @Test
    void hostPoolsAreKeyedByTlsIdentity() throws Exception {
        serve(certs.server());
        client = PoolClient.builder().build();
        RequestOptions teamA = new RequestOptions(null, null, null, TlsConfig.of("team-a", certs.clientContext(null)), null);
        RequestOptions teamB = new RequestOptions(null, null, null, TlsConfig.of("team-b", certs.clientContext(null)), null);

        for (RequestOptions options : new RequestOptions[] {teamA, teamB, teamA, teamB}) {
            try (Response r = client.execute(Request.get(url("localhost", "/")), options)) {
                assertThat(r.body().readAllBytes()).asString().isEqualTo("secure");
            }
        }

        assertThat(pools(client, "https")).as("one host, two TLS identities, two pools").hasSize(2)
                .allSatisfy(p -> {
                    assertThat(p.host()).isEqualTo("localhost");
                    assertThat(p.port()).isEqualTo(server.getPort());
                    assertThat(p.opened()).isEqualTo(1);
                    assertThat(p.reused()).isEqualTo(1);
                });
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByHostnameVerification() throws Exception {
        serve(certs.wrongHost());
        client = PoolClient.builder()
                .defaults(MountSettings.builder().tls(TlsConfig.of("private-ca", certs.clientContext(null))).build())
                .build();

        Throwable t = catchThrowable(() -> get(url("localhost", "/")));

        assertThat(t).isExactlyInstanceOf(ConnectFailedException.class)
                .hasMessageStartingWith("TLS handshake with " + hostPort("localhost") + " failed through mount 'https': ")
                .hasMessageContaining("No subject alternative DNS name matching localhost found");
        assertThat(onlyPool(client, "https").opened()).isZero();
    }

    @Test
    void mutualTlsWorksWithAClientKey() throws Exception {
        serveRequiringClientCertificates();
        client = PoolClient.builder()
                .defaults(MountSettings.builder().tls(TlsConfig.of("mtls", certs.clientContext(certs.client()))).build())
                .build();

        assertThat(get(url("localhost", "/"))).isEqualTo("secure");

        RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(recorded.getHandshake().peerPrincipal().getName()).isEqualTo("CN=pool-client test client");
    }

    @Test
    void mutualTlsFailsWithoutAClientKey() throws Exception {
        serveRequiringClientCertificates();
        client = PoolClient.builder()
                .defaults(MountSettings.builder().tls(TlsConfig.of("trust-only", certs.clientContext(null))).build())
                .build();

        Throwable t = catchThrowable(() -> get(url("localhost", "/")));

        // With TLS 1.3 the client's side of the handshake completes before the server checks the client
        // certificate, so the refusal (the server's alert and close) meets the first write or read of the
        // request: an ExchangeFailedException ("Broken pipe", "certificate_required", "Connection reset"),
        // not a handshake failure. With TLS 1.2 it is a ConnectFailedException. Either way: named, not served.
        assertThat(t).isInstanceOfAny(ExchangeFailedException.class, ConnectFailedException.class);
        assertThat(t.getMessage()).contains(hostPort("localhost")).contains("mount 'https'");
        RecordedRequest recorded = server.takeRequest(200, TimeUnit.MILLISECONDS);
        assertThat(recorded == null || recorded.getFailure() != null).as("no request was served: %s", recorded).isTrue();
    }

    @Test
    void newTlsMaterialForAMountDropsThePoolsOfTheOldAndMakesTheNextConnection() throws Exception {
        serve(certs.server());
        client = PoolClient.builder()
                .mount("private", "https://localhost:" + server.getPort() + "/",
                        MountSettings.builder().tls(TlsConfig.of("private-ca", certs.clientContext(null))).maxRetries(0).build())
                .build();
        assertThat(get(url("localhost", "/one"))).isEqualTo("secure");
        assertThat(get(url("localhost", "/two"))).isEqualTo("secure");

        assertThat(client.useTls("nowhere", TlsConfig.of("jdk", SSLContext.getDefault()))).isFalse();
        assertThat(client.useTls("private", TlsConfig.of("jdk", SSLContext.getDefault()))).isTrue();
        MountSnapshot mount = client.snapshot("private").orElseThrow();
        assertThat(mount.pools()).as("the old material's pool is dropped").isEmpty();
        assertThat(mount.poolsEvicted()).as("dropped, not evicted").isZero();
        assertThat(mount.settings().tls()).hasToString("jdk");
        assertThat(mount.settings().maxRetries()).isZero();
        assertThat(catchThrowable(() -> get(url("localhost", "/three")))).as("the new material (JDK trust) is the one used")
                .isInstanceOf(ConnectFailedException.class).hasMessageContaining("PKIX path building failed");

        assertThat(client.useTls("private", TlsConfig.of("private-ca-again", certs.clientContext(null)))).isTrue();
        assertThat(get(url("localhost", "/four"))).isEqualTo("secure");
        RecordedRequest one = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest two = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest four = takeServed();
        assertThat(two.getConnectionIndex()).isEqualTo(one.getConnectionIndex());
        assertThat(four.getConnectionIndex()).as("a new connection, with the new material").isNotEqualTo(one.getConnectionIndex());
        PoolSnapshot pool = onlyPool(client, "private");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.requests()).isEqualTo(1);
    }

    /** The next request the server answered, skipping the handshake it refused. */
    private RecordedRequest takeServed() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            if (r != null && r.getFailure() == null) {
                return r;
            }
        }
        throw new AssertionError("no served request");
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void serveRequiringClientCertificates() throws Exception {
        server.requireClientAuth(); // before start
        serve(certs.server());
    }

    private void serve(KeyStore identity) throws Exception {
        server.useHttps(certs.serverContext(identity).getSocketFactory());
        server.start(InetAddress.getLoopbackAddress(), 0);
        for (int i = 0; i < 4; i++) {
            server.enqueue(new MockResponse.Builder().body("secure").build());
        }
    }

    private URI url(String host, String path) {
        return URI.create("https://" + host + ":" + server.getPort() + path);
    }

    private String hostPort(String host) {
        return host + ":" + server.getPort();
    }

    private String get(URI uri) throws IOException {
        try (Response r = client.execute(Request.get(uri))) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
