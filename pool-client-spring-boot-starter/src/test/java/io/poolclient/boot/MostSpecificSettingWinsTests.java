package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.poolclient.ReadTimeoutException;
import io.poolclient.testing.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientSsl;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * Code or group configuration aimed at one client beats {@code pool-client.defaults}; a mount's own
 * value beats it in turn (and says so once at INFO). Read timeouts are shown against a server that
 * holds its answer back for two seconds: 200 ms fails the request, 60 s lets it through. The SSL
 * bundle is shown against a TLS server that requires a client certificate and records the one it saw.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class MostSpecificSettingWinsTests {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static String[] bundles;

    private final MockWebServer server = new MockWebServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(PoolClientAutoConfigurationTests.CORE)
        .withConfiguration(PoolClientAutoConfigurationTests.STARTER)
        .withConfiguration(AutoConfigurations.of(HttpServiceClientPropertiesAutoConfiguration.class,
                HttpServiceClientAutoConfiguration.class));

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.generate(dir);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certs.ca());
        Path trustFile = save(trust, "trust-ca.p12");
        Path clientFile = save(certs.client(), "client-identity.p12");
        String trustStore = "truststore.location=" + trustFile.toUri() + "", type = "PKCS12";
        bundles = new String[] {
            // bundle a: trusts the CA, presents no client certificate
            "spring.ssl.bundle.jks.a." + trustStore, "spring.ssl.bundle.jks.a.truststore.password=" + PASSWORD,
            "spring.ssl.bundle.jks.a.truststore.type=" + type,
            // bundle b: trusts the CA and presents the test client certificate
            "spring.ssl.bundle.jks.b." + trustStore, "spring.ssl.bundle.jks.b.truststore.password=" + PASSWORD,
            "spring.ssl.bundle.jks.b.truststore.type=" + type,
            "spring.ssl.bundle.jks.b.keystore.location=" + clientFile.toUri(),
            "spring.ssl.bundle.jks.b.keystore.password=" + PASSWORD, "spring.ssl.bundle.jks.b.keystore.type=" + type };
    }

    private static Path save(KeyStore store, String name) throws Exception {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
        return file;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void restClientSslBundleBeatsTheDefaultsBundleAndTheServerSeesItsCertificate() throws Exception {
        server.useHttps(certs.serverContext(certs.server()).getSocketFactory());
        server.requireClientAuth();
        server.enqueue(new MockResponse.Builder().body("hello").build());
        start();
        runner.withPropertyValues(bundles).withPropertyValues("pool-client.defaults.ssl-bundle=a").run(context -> {
            RestClientSsl ssl = context.getBean(RestClientSsl.class);
            RestClient withB = context.getBean(RestClient.Builder.class).apply(ssl.fromBundle("b")).build();

            assertThat(withB.get().uri(httpsUrl("/b")).retrieve().body(String.class)).isEqualTo("hello");
            RecordedRequest seen = server.takeRequest(10, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.getHandshake().peerCertificates()).first()
                .satisfies(c -> assertThat(((X509Certificate) c).getSubjectX500Principal().getName())
                    .isEqualTo("CN=pool-client test client"));

            RestClient withDefaults = context.getBean(RestClient.Builder.class).build();
            assertThatExceptionOfType(ResourceAccessException.class)
                .as("the defaults' bundle a presents no certificate, so the server refuses it")
                .isThrownBy(() -> withDefaults.get().uri(httpsUrl("/a")).retrieve().body(String.class));
        });
    }

    @Test
    void restTemplateBuildersReadTimeoutBeatsTheDefaults() throws Exception {
        server.enqueue(slow());
        server.enqueue(slow());
        start();
        runner.withPropertyValues("pool-client.defaults.read-timeout=200ms").run(context -> {
            RestTemplateBuilder builder = context.getBean(RestTemplateBuilder.class);
            RestTemplate patient = builder.readTimeout(Duration.ofSeconds(60)).build();
            RestTemplate plain = builder.build();

            assertThat(patient.getForObject(url("/slow"), String.class)).isEqualTo("late");
            assertThatExceptionOfType(ResourceAccessException.class).as("without its own value the defaults apply")
                .isThrownBy(() -> plain.getForObject(url("/slow"), String.class))
                .withCauseInstanceOf(ReadTimeoutException.class);
        });
    }

    @Test
    void aServiceClientGroupsReadTimeoutBeatsTheDefaults() throws Exception {
        server.enqueue(slow());
        start();
        runner.withUserConfiguration(SlowGroup.class)
            .withPropertyValues("pool-client.defaults.read-timeout=200ms",
                    "spring.http.serviceclient.slow.base-url=" + url(""),
                    "spring.http.serviceclient.slow.read-timeout=60s")
            .run(context -> assertThat(context.getBean(SlowApi.class).slow()).isEqualTo("late"));
    }

    @Test
    void theGlobalReadTimeoutRanksBelowTheDefaults() throws Exception {
        server.enqueue(slow());
        start();
        runner.withPropertyValues("pool-client.defaults.read-timeout=200ms", "spring.http.clients.read-timeout=60s")
            .run(context -> assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> context.getBean(RestClient.Builder.class).build().get().uri(url("/slow"))
                    .retrieve().body(String.class))
                .withCauseInstanceOf(ReadTimeoutException.class));
    }

    @Test
    void aMountsOwnReadTimeoutBeatsTheClientsAndSaysSoOnce(CapturedOutput output) throws Exception {
        server.enqueue(slow());
        server.enqueue(slow());
        start();
        runner.withPropertyValues("pool-client.mounts.up.prefix=" + url("/"), "pool-client.mounts.up.read-timeout=200ms")
            .run(context -> {
                RestTemplate patient = context.getBean(RestTemplateBuilder.class).readTimeout(Duration.ofSeconds(60)).build();
                for (int i = 0; i < 2; i++) {
                    assertThatExceptionOfType(ResourceAccessException.class)
                        .isThrownBy(() -> patient.getForObject(url("/slow"), String.class))
                        .withCauseInstanceOf(ReadTimeoutException.class);
                }
            });
        String line = "Mount 'up' sets read-timeout itself, so its value 200ms overrides the client's 1m";
        assertThat(output.getAll()).contains(line);
        assertThat(output.getAll().split(java.util.regex.Pattern.quote(line), -1)).as("logged once").hasSize(2);
    }

    private void start() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    private String httpsUrl(String path) {
        return "https://127.0.0.1:" + server.getPort() + path;
    }

    private static MockResponse slow() {
        return new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("late").build();
    }

    interface SlowApi {

        @GetExchange("/slow")
        String slow();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportHttpServices(group = "slow", types = SlowApi.class)
    static class SlowGroup {
    }
}
