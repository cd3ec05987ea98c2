package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ProxyEnvironmentTest {

    private final Properties properties = new Properties();
    private final Map<String, String> env = new HashMap<>();

    private ProxyEnvironment capture() {
        return ProxyEnvironment.capture(properties::getProperty, env);
    }

    private String proxyFor(String scheme, String host, int port) {
        return capture().proxyFor(scheme, host, port).map(ProxyUrl::toString).orElse("direct");
    }

    @Test
    void nothingConfiguredMeansDirect() {
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("direct");
        assertThat(capture().isEmpty()).isTrue();
        assertThat(ProxyEnvironment.NONE.proxyFor("http", "x", 80)).isEmpty();
    }

    @Test
    void jvmPropertiesPerTargetScheme() {
        properties.setProperty("http.proxyHost", "plain.corp");
        properties.setProperty("http.proxyPort", "3128");
        properties.setProperty("https.proxyHost", "secure.corp");

        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("http://plain.corp:3128");
        // https.proxyPort defaults to 443 and the proxy itself is a plain HTTP proxy (CONNECT)
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://secure.corp:443");
    }

    @Test
    void httpProxyPortDefaultsTo80() {
        properties.setProperty("http.proxyHost", "plain.corp");

        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("http://plain.corp:80");
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("direct");
    }

    @Test
    void nonProxyHostsPatternsSendMatchingHostsDirect() {
        properties.setProperty("http.proxyHost", "plain.corp");
        properties.setProperty("https.proxyHost", "plain.corp");
        properties.setProperty("http.nonProxyHosts", "*.internal|intranet|10.*|[::1]");

        assertThat(proxyFor("https", "db.internal", 443)).isEqualTo("direct");
        assertThat(proxyFor("https", "DB.Internal", 443)).isEqualTo("direct");
        assertThat(proxyFor("http", "intranet", 80)).isEqualTo("direct");
        assertThat(proxyFor("http", "intranet2", 80)).isEqualTo("http://plain.corp:80");
        assertThat(proxyFor("http", "10.1.2.3", 80)).isEqualTo("direct");
        assertThat(proxyFor("http", "::1", 80)).isEqualTo("direct");
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://plain.corp:443");
    }

    @Test
    void socksPropertiesAreUsedAsSocks5hWhenNoHttpProxyIsSet() {
        properties.setProperty("socksProxyHost", "socks.corp");
        properties.setProperty("socksNonProxyHosts", "*.internal");

        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("socks5h://socks.corp:1080");
        assertThat(proxyFor("http", "db.internal", 80)).isEqualTo("direct");

        properties.setProperty("socksProxyPort", "9050");
        properties.setProperty("https.proxyHost", "secure.corp");
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://secure.corp:443");
        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("socks5h://socks.corp:9050");
    }

    @Test
    void jvmPropertiesWinOverTheEnvironment() {
        properties.setProperty("https.proxyHost", "jvm.corp");
        env.put("HTTPS_PROXY", "http://env.corp:8080");
        env.put("HTTP_PROXY", "http://env.corp:8080");

        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://jvm.corp:443");
        // no JVM proxy for http targets: the environment applies
        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("http://env.corp:8080");
    }

    @Test
    void environmentPerTargetSchemeWithAllProxyAsFallback() {
        env.put("HTTPS_PROXY", "http://secure.corp:8443");
        env.put("ALL_PROXY", "socks5://socks.corp");

        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://secure.corp:8443");
        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("socks5://socks.corp:1080");
    }

    @Test
    void lowerCaseVariablesWinAndAnyCaseIsFound() {
        env.put("HTTP_PROXY", "http://upper.corp:1");
        env.put("http_proxy", "http://lower.corp:2");
        env.put("Https_Proxy", "http://mixed.corp:3");

        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("http://lower.corp:2");
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://mixed.corp:3");
    }

    @Test
    void anEmptyLowerCaseVariableUnsetsTheUpperCaseOne() {
        env.put("HTTP_PROXY", "http://upper.corp:1");
        env.put("http_proxy", "");

        assertThat(proxyFor("http", "api.example.com", 80)).isEqualTo("direct");
    }

    @Test
    void aValueWithoutSchemeMeansHttp() {
        env.put("HTTPS_PROXY", "proxy.corp:3128");

        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://proxy.corp:3128");
    }

    @Test
    void environmentCredentialsAreKeptButNotShown() {
        env.put("HTTPS_PROXY", "http://alice:s3cret@proxy.corp:3128");

        Optional<ProxyUrl> proxy = capture().proxyFor("https", "api.example.com", 443);

        assertThat(proxy).get().extracting(ProxyUrl::password).isEqualTo("s3cret");
        assertThat(capture().toString()).isEqualTo("HTTPS_PROXY=http://proxy.corp:3128").doesNotContain("s3cret");
    }

    @Test
    void noProxyVariableSendsMatchingHostsDirect() {
        env.put("HTTPS_PROXY", "http://proxy.corp:3128");
        env.put("no_proxy", ".internal, 10.0.0.0/8");

        assertThat(proxyFor("https", "db.internal", 443)).isEqualTo("direct");
        assertThat(proxyFor("https", "10.3.3.3", 443)).isEqualTo("direct");
        assertThat(proxyFor("https", "api.example.com", 443)).isEqualTo("http://proxy.corp:3128");
    }

    @Test
    void malformedValuesFailAtCaptureNamingTheirSource() {
        env.put("HTTPS_PROXY", "ftp://alice:s3cret@proxy.corp");
        assertThatThrownBy(this::capture)
                .hasMessageStartingWith("environment variable HTTPS_PROXY: proxy URL 'ftp://proxy.corp'")
                .message().doesNotContain("s3cret");

        env.clear();
        env.put("NO_PROXY", "10.0.0.0/99");
        assertThatThrownBy(this::capture).hasMessageStartingWith("environment variable NO_PROXY: invalid CIDR range");

        env.clear();
        properties.setProperty("http.proxyHost", "proxy.corp");
        properties.setProperty("http.proxyPort", "eighty");
        assertThatThrownBy(this::capture)
                .hasMessage("system property http.proxyPort: invalid port 'eighty' (1-65535)");
    }

    @Test
    void systemReadsTheRealSources() {
        // whatever this JVM has, capturing it must not fail for a sane environment
        assertThat(ProxyEnvironment.system()).isNotNull();
    }
}
