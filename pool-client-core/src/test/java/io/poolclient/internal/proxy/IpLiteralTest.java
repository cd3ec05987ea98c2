package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.2.3", "001.002.003.004"})
    void dottedQuadsAreIpv4Literals(String text) {
        byte[] address = IpLiteral.parse(text);
        assertThat(address).hasSize(4);
        String[] parts = text.split("\\.");
        for (int i = 0; i < 4; i++) {
            assertThat(address[i] & 0xff).isEqualTo(Integer.parseInt(parts[i]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3", "1..2.3", "256.1.1.1", "1.2.3.1000",
            "0001.2.3.4", "1.2.3.a", "1.2.3.-1", "1.2.3.4 ", "example.com", "localhost", "1.2.3.4x", "."})
    void everythingElseIsNotAnIpv4Literal(String text) {
        assertThat(IpLiteral.parse(text)).isNull();
        assertThat(IpLiteral.isLiteral(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "[::1]", "fe80::1%eth0", "2001:db8::7"})
    void ipv6LiteralsHaveSixteenBytes(String text) {
        assertThat(IpLiteral.parse(text)).hasSize(16);
    }
}
