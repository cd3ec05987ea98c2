package io.poolclient.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.internal.proxy.ProxyUrl;
import org.junit.jupiter.api.Test;

/**
 * A host pool's key: direct and proxied connections to one host, connections through different proxies
 * and as different proxy users are different keys; the key's text shows the proxy without credentials.
 */
class HostKeyTest {

    private static ProxyUrl proxy(String url) {
        return ProxyUrl.parse(url, "proxy");
    }

    @Test
    void directAndProxiedConnectionsToOneHostAreDifferentPools() {
        HostKey direct = new HostKey("https", "api.example", 443, null);
        HostKey proxied = new HostKey("https", "api.example", 443, null, proxy("http://proxy.example:3128"));

        assertThat(direct).isEqualTo(new HostKey("https", "API.example", 443, null, null));
        assertThat(proxied).isNotEqualTo(direct)
                .isNotEqualTo(new HostKey("https", "api.example", 443, null, proxy("http://other.example:3128")))
                .isNotEqualTo(new HostKey("https", "api.example", 443, null, proxy("socks5://proxy.example:3128")))
                .isEqualTo(new HostKey("https", "api.example", 443, null, proxy("http://proxy.example:3128")));
        assertThat(new HostKey("https", "api.example", 443, null, proxy("http://alice:a@proxy.example:3128")))
                .isNotEqualTo(new HostKey("https", "api.example", 443, null, proxy("http://bob:b@proxy.example:3128")));
    }

    @Test
    void theKeysTextShowsTheProxyWithoutCredentials() {
        HostKey key = new HostKey("http", "api.example", 80, null, proxy("http://alice:secret@proxy.example:3128"));

        assertThat(key).hasToString("http://api.example:80 via http://proxy.example:3128");
        assertThat(key.hostPort()).isEqualTo("api.example:80");
    }
}
