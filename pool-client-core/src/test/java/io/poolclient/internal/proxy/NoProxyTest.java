package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoProxyTest {

    private static final String PROPERTY = "pool-client.defaults.no-proxy";

    @ParameterizedTest(name = "[{index}] no-proxy ''{0}'' vs {1}:{2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // names: the name itself and its subdomains, on label boundaries
            "example.com                 | example.com        | 443  | true",
            "example.com                 | api.example.com    | 443  | true",
            "example.com                 | a.b.example.com    | 80   | true",
            "example.com                 | badexample.com     | 443  | false",
            "example.com                 | example.com.evil   | 443  | false",
            ".example.com                | example.com        | 443  | true",
            ".example.com                | api.example.com    | 443  | true",
            "*.example.com               | api.example.com    | 443  | true",
            "*.example.com               | example.com        | 443  | true",
            "Example.COM                 | API.example.com    | 443  | true",
            "example.com                 | example.com.       | 443  | true",
            "example.com                 | example.org        | 443  | false",
            // lists: commas, spaces, empty entries
            "foo.test, ,example.com      | api.example.com    | 443  | true",
            "foo.test,bar.test           | example.com        | 443  | false",
            // IPv4 literals and CIDR
            "10.1.2.3                    | 10.1.2.3           | 80   | true",
            "10.1.2.3                    | 10.1.2.4           | 80   | false",
            "10.0.0.0/8                  | 10.200.3.4         | 80   | true",
            "10.0.0.0/8                  | 11.0.0.1           | 80   | false",
            "192.168.1.0/25              | 192.168.1.127      | 80   | true",
            "192.168.1.0/25              | 192.168.1.128      | 80   | false",
            "0.0.0.0/0                   | 8.8.8.8            | 80   | true",
            "10.0.0.0/8                  | ten.example        | 80   | false",
            // IPv6 literals and CIDR, with or without brackets
            "::1                         | ::1                | 80   | true",
            "[::1]                       | [::1]              | 80   | true",
            "::1                         | [0:0:0:0:0:0:0:1]  | 80   | true",
            "fd00::/8                    | fd12:3456::1       | 443  | true",
            "fd00::/8                    | [fd12:3456::1]     | 443  | true",
            "fd00::/8                    | fe80::1            | 443  | false",
            "fd00::/8                    | 10.0.0.1           | 443  | false",
            "10.0.0.0/8                  | fd00::1            | 443  | false",
            // a literal never matches a name entry and a name never matches an address entry
            "127.0.0.1                   | localhost          | 80   | false",
            "localhost                   | 127.0.0.1          | 80   | false",
            // optional :port
            "example.com:8443            | api.example.com    | 8443 | true",
            "example.com:8443            | api.example.com    | 443  | false",
            "10.1.2.3:8080               | 10.1.2.3           | 8080 | true",
            "10.1.2.3:8080               | 10.1.2.3           | 80   | false",
            "[::1]:8080                  | ::1                | 8080 | true",
            "[::1]:8080                  | ::1                | 80   | false",
            // everything
            "*                           | anything.test      | 443  | true",
            "*                           | 10.0.0.1           | 80   | true",
            "foo.test, *                 | anything.test      | 443  | true",
    })
    void matchingTable(String noProxy, String host, int port, boolean bypass) {
        assertThat(NoProxy.parse(noProxy, PROPERTY).matches(host, port)).isEqualTo(bypass);
    }

    @Test
    void listEntriesMayThemselvesHoldCommas() {
        NoProxy noProxy = NoProxy.of(List.of("a.test", "b.test, 10.0.0.0/8"), PROPERTY);

        assertThat(noProxy.matches("x.b.test", 80)).isTrue();
        assertThat(noProxy.matches("10.9.9.9", 80)).isTrue();
        assertThat(noProxy).hasToString("a.test,b.test,10.0.0.0/8");
    }

    @Test
    void emptyMatchesNothing() {
        assertThat(NoProxy.parse("", PROPERTY).matches("example.com", 80)).isFalse();
        assertThat(NoProxy.parse(null, PROPERTY)).isSameAs(NoProxy.NONE);
        assertThat(NoProxy.parse(" , ", PROPERTY).isEmpty()).isTrue();
        assertThat(NoProxy.NONE.matches("", 80)).isFalse();
    }

    @Test
    void malformedEntriesFailNamingTheProperty() {
        assertThatThrownBy(() -> NoProxy.parse("10.0.0.0/33", PROPERTY))
                .hasMessage(PROPERTY + ": invalid CIDR range '10.0.0.0/33' (expected e.g. 10.0.0.0/8 or fd00::/8)");
        assertThatThrownBy(() -> NoProxy.parse("example.com/8", PROPERTY)).hasMessageContaining("invalid CIDR range");
        assertThatThrownBy(() -> NoProxy.parse("fd00::/129", PROPERTY)).hasMessageContaining("invalid CIDR range");
        assertThatThrownBy(() -> NoProxy.parse("example.com:99999", PROPERTY))
                .hasMessage(PROPERTY + ": invalid port in no-proxy entry 'example.com:99999'");
        assertThatThrownBy(() -> NoProxy.parse("ex*ple.com", PROPERTY)).hasMessageContaining("invalid no-proxy entry");
    }
}
