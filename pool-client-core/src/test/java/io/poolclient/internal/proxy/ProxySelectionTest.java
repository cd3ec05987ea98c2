package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxySelectionTest {

    private static final ProxyUrl EXPLICIT = ProxyUrl.parse("http://explicit.corp:3128", "proxy");
    private static final ProxyEnvironment ENV = ProxyEnvironment.capture(name -> null,
            Map.of("HTTPS_PROXY", "http://env.corp:8080", "NO_PROXY", "skip-env.test"));

    private static String select(String host, ProxyUrl explicit, String noProxy, boolean trustEnv) {
        return ProxySelection.select("https", host, 443, explicit, NoProxy.parse(noProxy, "no-proxy"), trustEnv, ENV)
                .map(ProxyUrl::toString).orElse("direct");
    }

    @Test
    void explicitProxyIsUsedEvenForLoopbackAndEvenWithoutTrustEnv() {
        assertThat(select("api.example.com", EXPLICIT, "", true)).isEqualTo("http://explicit.corp:3128");
        assertThat(select("api.example.com", EXPLICIT, "", false)).isEqualTo("http://explicit.corp:3128");
        assertThat(select("localhost", EXPLICIT, "", true)).isEqualTo("http://explicit.corp:3128");
        assertThat(select("127.0.0.1", EXPLICIT, "", true)).isEqualTo("http://explicit.corp:3128");
    }

    @Test
    void mountNoProxyBypassesExplicitAndDiscoveredProxies() {
        assertThat(select("api.example.com", EXPLICIT, "example.com", true)).isEqualTo("direct");
        assertThat(select("api.example.com", null, "example.com", true)).isEqualTo("direct");
    }

    @Test
    void discoveredProxyOnlyWithTrustEnv() {
        assertThat(select("api.example.com", null, "", true)).isEqualTo("http://env.corp:8080");
        assertThat(select("api.example.com", null, "", false)).isEqualTo("direct");
    }

    @Test
    void environmentNoProxyAppliesToDiscoveredProxiesOnly() {
        assertThat(select("skip-env.test", null, "", true)).isEqualTo("direct");
        assertThat(select("skip-env.test", EXPLICIT, "", true)).isEqualTo("http://explicit.corp:3128");
    }

    @ParameterizedTest
    @CsvSource({"localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost."})
    void loopbackAlwaysBypassesDiscoveredProxies(String host) {
        assertThat(ProxySelection.isLoopback(host)).isTrue();
        assertThat(select(host, null, "", true)).isEqualTo("direct");
    }

    @ParameterizedTest
    @CsvSource({"localhost.example.com", "128.0.0.1", "::2", "10.0.0.1", "mylocalhost"})
    void notLoopback(String host) {
        assertThat(ProxySelection.isLoopback(host)).isFalse();
        assertThat(select(host, null, "", true)).isEqualTo("http://env.corp:8080");
    }

    @Test
    void withNothingFoundOutsideTheConfigurationEveryTargetGoesDirect() {
        ProxyEnvironment none = ProxyEnvironment.capture(name -> null, Map.of("NO_PROXY", "example.com"));
        for (String host : new String[] {"api.example.com", "127.0.0.1", "localhost", "10.0.0.1", "::1"}) {
            assertThat(ProxySelection.select("http", host, 80, null, NoProxy.NONE, true, none)).isEmpty();
        }
        assertThat(ProxySelection.select("http", "api.example.com", 80, EXPLICIT, NoProxy.NONE, true, none))
                .contains(EXPLICIT);
    }
}
