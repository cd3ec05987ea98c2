package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code proxy}, {@code no-proxy} and {@code trust-env} settings as values: checked when made, with
 * errors naming the property and never the credentials; shown redacted; merged key by key like every
 * other setting; {@code trust-env} on by default.
 */
class ProxySettingsTest {

    @Test
    void aProxyAddressShowsOnlySchemeHostAndPort() {
        ProxyAddress proxy = ProxyAddress.of("http://alice:p%40ss@Proxy.Corp.example:3128/");
        assertThat(proxy).hasToString("http://proxy.corp.example:3128");
        assertThat(proxy.url()).isEqualTo("http://alice:p%40ss@Proxy.Corp.example:3128/");
        assertThat(ProxyAddress.of("socks5h://bastion.example")).hasToString("socks5h://bastion.example:1080");
        assertThat(ProxyAddress.of("https://proxy.example")).hasToString("https://proxy.example:443");
        assertThat(proxy).isEqualTo(ProxyAddress.of("http://alice:p%40ss@Proxy.Corp.example:3128/"))
                .isNotEqualTo(ProxyAddress.of("http://alice:other@Proxy.Corp.example:3128/"));
    }

    @Test
    void aBadProxyUrlNamesThePropertyAndHidesTheCredentials() {
        assertThatThrownBy(() -> ProxyAddress.parse("ftp://alice:hunter2@proxy.example:21", "pool-client.mounts.x.proxy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pool-client.mounts.x.proxy: ")
                .message().doesNotContain("hunter2").doesNotContain("alice");
        assertThatThrownBy(() -> ProxyAddress.parse("http://proxy.example/path", "p"))
                .hasMessageContaining("must not have a path");
        assertThatThrownBy(() -> ProxyAddress.parse(" ", "p")).hasMessageContaining("is empty");
    }

    @Test
    void noProxyEntriesAreCheckedAndKeptAsGiven() {
        NoProxyHosts hosts = NoProxyHosts.parse(List.of(".corp.example, 10.0.0.0/8", " ", "fd00::/8", "*"), "np");
        assertThat(hosts.entries()).containsExactly(".corp.example", "10.0.0.0/8", "fd00::/8", "*");
        assertThat(hosts).hasToString(".corp.example,10.0.0.0/8,fd00::/8,*");
        assertThatThrownBy(() -> NoProxyHosts.parse(List.of("10.0.0.0/40"), "pool-client.defaults.no-proxy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool-client.defaults.no-proxy");
    }

    @Test
    void proxyKeysMergeKeyByKeyAndTrustEnvIsOnByDefault() {
        MountSettings defaults = MountSettings.builder().proxy(ProxyAddress.of("http://u:pw@proxy.example:3128"))
                .noProxy(NoProxyHosts.of("internal.example")).build();
        MountSettings mount = MountSettings.builder().noProxy(NoProxyHosts.of("*")).trustEnv(false).build();

        MountSettings resolved = mount.withFallback(defaults).withFallback(MountSettings.BUILT_IN);

        assertThat(resolved.proxy()).hasToString("http://proxy.example:3128");
        assertThat(resolved.noProxy().entries()).containsExactly("*");
        assertThat(resolved.trustEnv()).isFalse();
        assertThat(MountSettings.BUILT_IN.trustEnv()).isTrue();
        assertThat(resolved.toString()).contains("proxy=http://proxy.example:3128", "no-proxy=*", "trust-env=false")
                .doesNotContain("pw");
    }
}
