package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import java.io.InputStream;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import mockwebserver3.RecordedRequest;
import org.springframework.boot.restclient.autoconfigure.RestClientSsl;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * HTTPS to a server with a self-signed certificate ({@code tls/upstream.p12}, CN and SAN
 * 127.0.0.1): trusted only through a Spring Boot SSL bundle, whether a mount names it
 * ({@code ssl-bundle}), Boot's {@code spring.http.clients.ssl.bundle} supplies it, or
 * {@code RestClientSsl} applies it.
 */
class SslBundleOverTlsTests {

    private static final String[] BUNDLE = { "spring.ssl.bundle.jks.corp.truststore.location=classpath:tls/upstream.p12",
            "spring.ssl.bundle.jks.corp.truststore.password=changeit",
            "spring.ssl.bundle.jks.corp.truststore.type=PKCS12" };

    private final Upstream upstream = new Upstream(serverContext().getSocketFactory());

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(PoolClientAutoConfigurationTests.CORE)
        .withConfiguration(PoolClientAutoConfigurationTests.STARTER)
        .withPropertyValues(BUNDLE);

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static SSLContext serverContext() {
        try (InputStream in = SslBundleOverTlsTests.class.getResourceAsStream("/tls/upstream.p12")) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, "changeit".toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void mountsSslBundleTrustsThePrivateCertificate() {
        runner.withPropertyValues("pool-client.mounts.corp.prefix=" + upstream.httpsUrl("/"),
                "pool-client.mounts.corp.ssl-bundle=corp")
            .run(context -> {
                RestClient client = context.getBean(RestClient.Builder.class).build();
                assertThat(client.get().uri(upstream.httpsUrl("/a")).retrieve().body(String.class)).isEqualTo("ok /a");
                assertThat(client.get().uri(upstream.httpsUrl("/b")).retrieve().body(String.class)).isEqualTo("ok /b");
                PoolClient engine = context.getBean(PoolClient.class);
                assertThat(engine.snapshot("corp").orElseThrow().settings().tls()).hasToString("corp");
                PoolSnapshot pool = engine.snapshot("corp").orElseThrow().pools().get(0);
                assertThat(pool.scheme()).isEqualTo("https");
                assertThat(pool.opened()).isEqualTo(1);
                assertThat(pool.reused()).isEqualTo(1);
                assertThat(Upstream.connections(upstream.take(2))).isEqualTo(1);
            });
    }

    @Test
    void aReloadedBundleIsFollowedAndThePoolsOfTheOldMaterialAreDropped() {
        runner.withPropertyValues("pool-client.mounts.corp.prefix=" + upstream.httpsUrl("/"),
                "pool-client.mounts.corp.ssl-bundle=corp")
            .run(context -> {
                RestClient client = context.getBean(RestClient.Builder.class).build();
                PoolClient engine = context.getBean(PoolClient.class);
                SslBundleRegistry registry = context.getBean(SslBundleRegistry.class);
                SslBundle original = context.getBean(SslBundles.class).getBundle("corp");
                assertThat(client.get().uri(upstream.httpsUrl("/a")).retrieve().body(String.class)).isEqualTo("ok /a");

                registry.updateBundle("corp", SslBundle.of(SslStoreBundle.NONE)); // the JDK's trust store only
                assertThat(engine.snapshot("corp").orElseThrow().pools()).as("old material's pool dropped").isEmpty();
                assertThatExceptionOfType(ResourceAccessException.class).as("the reloaded bundle is the one used")
                    .isThrownBy(() -> client.get().uri(upstream.httpsUrl("/b")).retrieve().body(String.class));

                registry.updateBundle("corp", original);
                assertThat(client.get().uri(upstream.httpsUrl("/c")).retrieve().body(String.class)).isEqualTo("ok /c");
                List<RecordedRequest> served = new ArrayList<>(); // the refused handshake may be recorded too
                while (served.size() < 2) {
                    RecordedRequest r = upstream.take(1).get(0);
                    if (r.getFailure() == null) {
                        served.add(r);
                    }
                }
                assertThat(served).extracting(RecordedRequest::getTarget).containsExactly("/a", "/c");
                assertThat(Upstream.connections(served)).as("/c on a new connection").isEqualTo(2);
                assertThat(engine.snapshot("corp").orElseThrow().pools()).singleElement()
                    .satisfies(p -> assertThat(p.opened()).isEqualTo(1));
            });
    }

    @Test
    void withoutTheBundleTheJdkTrustStoreRefusesTheCertificate() {
        runner.run(context -> {
            RestClient client = context.getBean(RestClient.Builder.class).build();
            assertThatExceptionOfType(ResourceAccessException.class)
                .isThrownBy(() -> client.get().uri(upstream.httpsUrl("/")).retrieve().body(String.class));
        });
    }

    @Test
    void bootsClientSslBundleIsTheFallbackForMountsWithoutOne() {
        runner.withPropertyValues("spring.http.clients.ssl.bundle=corp").run(context -> {
            RestClient client = context.getBean(RestClient.Builder.class).build();
            assertThat(client.get().uri(upstream.httpsUrl("/c")).retrieve().body(String.class)).isEqualTo("ok /c");
            PoolClient engine = context.getBean(PoolClient.class);
            assertThat(engine.snapshot("https").orElseThrow().pools()).singleElement()
                .satisfies(p -> assertThat(p.requests()).isEqualTo(1));
            upstream.take(1);
        });
    }

    @Test
    void restClientSslUsesThePoolsAndSharesConnectionsPerBundle() {
        runner.run(context -> {
            RestClientSsl ssl = context.getBean(RestClientSsl.class);
            RestClient first = context.getBean(RestClient.Builder.class).apply(ssl.fromBundle("corp")).build();
            RestClient second = context.getBean(RestClient.Builder.class).apply(ssl.fromBundle("corp")).build();
            assertThat(first.get().uri(upstream.httpsUrl("/1")).retrieve().body(String.class)).isEqualTo("ok /1");
            assertThat(second.get().uri(upstream.httpsUrl("/2")).retrieve().body(String.class)).isEqualTo("ok /2");
            assertThat(Upstream.connections(upstream.take(2))).isEqualTo(1);
            PoolClient engine = context.getBean(PoolClient.class);
            assertThat(engine.snapshot("https").orElseThrow().pools()).singleElement()
                .satisfies(p -> assertThat(p.reused()).isEqualTo(1));
        });
    }
}
