package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyUrlTest {

    private static final String PROPERTY = "pool-client.mounts.corp.proxy";

    @ParameterizedTest
    @CsvSource({
            "http://proxy.corp:3128,      HTTP,    proxy.corp, 3128, http://proxy.corp:3128",
            "http://proxy.corp,           HTTP,    proxy.corp, 80,   http://proxy.corp:80",
            "https://proxy.corp,          HTTPS,   proxy.corp, 443,  https://proxy.corp:443",
            "socks5://socks.corp,         SOCKS5,  socks.corp, 1080, socks5://socks.corp:1080",
            "socks5h://socks.corp:9050/,  SOCKS5H, socks.corp, 9050, socks5h://socks.corp:9050",
            "HTTP://Proxy.Corp:8080,      HTTP,    proxy.corp, 8080, http://proxy.corp:8080",
            "http://[::1]:3128,           HTTP,    ::1,        3128, http://[::1]:3128",
            "http://10.0.0.1,             HTTP,    10.0.0.1,   80,   http://10.0.0.1:80",
    })
    void parsesSchemeHostAndPortWithDefaults(String value, ProxyScheme scheme, String host, int port, String shown) {
        ProxyUrl proxy = ProxyUrl.parse(value, PROPERTY);

        assertThat(proxy.scheme()).isEqualTo(scheme);
        assertThat(proxy.host()).isEqualTo(host);
        assertThat(proxy.port()).isEqualTo(port);
        assertThat(proxy.hasCredentials()).isFalse();
        assertThat(proxy).hasToString(shown);
    }

    @Test
    void userInfoIsPercentDecodedAndNeverShown() {
        ProxyUrl proxy = ProxyUrl.parse("http://al%40ice:s%3Ac%2Fr%C3%A9t+1@proxy.corp:3128", PROPERTY);

        assertThat(proxy.username()).isEqualTo("al@ice");
        assertThat(proxy.password()).isEqualTo("s:c/rét+1");
        assertThat(proxy.hasCredentials()).isTrue();
        assertThat(proxy).hasToString("http://proxy.corp:3128");
        assertThat(proxy.withoutCredentials()).hasToString("http://proxy.corp:3128");
        assertThat(proxy.withoutCredentials().hasCredentials()).isFalse();
    }

    @Test
    void unescapedSpecialCharactersInThePasswordStillParseUpToTheLastAt() {
        ProxyUrl proxy = ProxyUrl.parse("socks5://bob:p@ss/w?rd#x@socks.corp:1080", PROPERTY);

        assertThat(proxy.username()).isEqualTo("bob");
        assertThat(proxy.password()).isEqualTo("p@ss/w?rd#x");
        assertThat(proxy).hasToString("socks5://socks.corp:1080");
    }

    @Test
    void userWithoutPasswordHasAnEmptyPassword() {
        ProxyUrl proxy = ProxyUrl.parse("http://alice@proxy.corp:3128", PROPERTY);

        assertThat(proxy.username()).isEqualTo("alice");
        assertThat(proxy.password()).isEmpty();
    }

    @Test
    void equalityIncludesCredentialsSoDifferentUsersNeverShareAPool() {
        ProxyUrl alice = ProxyUrl.parse("http://alice:a@proxy.corp:3128", PROPERTY);
        ProxyUrl bob = ProxyUrl.parse("http://bob:b@proxy.corp:3128", PROPERTY);

        assertThat(alice).isNotEqualTo(bob);
        assertThat(alice).isEqualTo(ProxyUrl.parse("http://alice:a@PROXY.corp:3128/", PROPERTY));
        assertThat(alice.hashCode()).isEqualTo(ProxyUrl.parse("http://alice:a@proxy.corp:3128", PROPERTY).hashCode());
        assertThat(alice.toString()).isEqualTo(bob.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ftp://proxy.corp:21               | unsupported scheme 'ftp'",
            "proxy.corp:3128                   | needs a scheme",
            "http://proxy.corp:0               | invalid port '0'",
            "http://proxy.corp:65536           | invalid port '65536'",
            "http://proxy.corp:abc             | invalid port 'abc'",
            "http://proxy.corp:3128/path       | must not have a path",
            "http://proxy.corp:3128?x=1        | must not have a path",
            "http://:3128                      | has no host",
            "http://[::1:3128                  | unclosed '['",
            "http://::1:3128                   | IPv6 address without brackets",
            "http://pro xy:3128                | invalid character",
            "http://[zz::1]:3128               | invalid IPv6 address",
    })
    void rejectsMalformedValuesNamingTheProperty(String value, String problem) {
        assertThatThrownBy(() -> ProxyUrl.parse(value, PROPERTY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(PROPERTY + ": proxy URL ")
                .hasMessageContaining(problem);
    }

    @Test
    void rejectsEmptyValues() {
        assertThatThrownBy(() -> ProxyUrl.parse(" ", PROPERTY)).hasMessage(PROPERTY + ": proxy URL '' is empty");
        assertThatThrownBy(() -> ProxyUrl.parse(null, PROPERTY)).hasMessageContaining("is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ftp://alice:hunter2@proxy.corp:21",
            "alice:hunter2@proxy.corp:3128",
            "http://alice:hunter2@proxy.corp:99999",
            "http://alice:hunter2@proxy.corp:3128/path",
            "http://alice:hun/ter2@proxy.corp:3128/path",
            "http://alice:hunter2%zz@proxy.corp:3128",
            "http://:hunter2@proxy.corp:3128",
    })
    void errorMessagesNeverContainTheUserInfo(String value) {
        assertThatThrownBy(() -> ProxyUrl.parse(value, PROPERTY))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("hunter2")
                .doesNotContain("hun")
                .doesNotContain("alice");
    }

    @Test
    void authorityBracketsIpv6() {
        assertThat(ProxyUrl.parse("socks5h://[fd00::5]", PROPERTY).authority()).isEqualTo("[fd00::5]:1080");
        assertThat(ProxyUrl.parse("socks5h://socks.corp", PROPERTY).authority()).isEqualTo("socks.corp:1080");
    }

    @Test
    void schemeKnowsHowNamesAreResolved() {
        assertThat(ProxyUrl.parse("socks5h://s", PROPERTY).scheme().resolvesAtProxy()).isTrue();
        assertThat(ProxyUrl.parse("socks5://s", PROPERTY).scheme().resolvesAtProxy()).isFalse();
        assertThat(ProxyUrl.parse("https://p", PROPERTY).scheme().isHttp()).isTrue();
    }
}
