package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.TlsConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * {@link SslBundleTlsConfigs}: one TLS config per bundle instance while it is current, a new one
 * when the bundle is reloaded, and nothing kept of the instances a reload replaced.
 */
class SslBundleTlsConfigsTests {

    private final DefaultSslBundleRegistry registry = new DefaultSslBundleRegistry("corp", bundle());
    private final SslBundleTlsConfigs configs = new SslBundleTlsConfigs(registry);

    private static SslBundle bundle() {
        return SslBundle.of(SslStoreBundle.NONE);
    }

    @Test
    void theSameBundleYieldsTheSameTlsConfigByNameOrByInstance() {
        TlsConfig byName = configs.named("pool-client.mounts.corp.ssl-bundle", "corp");
        assertThat(configs.named("pool-client.defaults.ssl-bundle", "corp")).isSameAs(byName);
        assertThat(configs.of(registry.getBundle("corp"))).isSameAs(byName);
        assertThat(byName.name()).isEqualTo("corp");
    }

    @Test
    void aReloadedBundleGetsANewTlsConfigAndReplacesTheOldOne() {
        TlsConfig previous = configs.named("p", "corp");
        for (int reload = 0; reload < 5; reload++) {
            registry.updateBundle("corp", bundle());
            TlsConfig current = configs.named("p", "corp");
            assertThat(current).as("reload %d", reload).isNotSameAs(previous);
            assertThat(configs.of(registry.getBundle("corp"))).isSameAs(current);
            previous = current;
        }
        assertThat(configs.cachedCount()).as("only the current instance of 'corp' is kept").isEqualTo(1);
    }

    @Test
    void aBundleThatIsNotConfiguredIsShownUnderAMadeUpName() {
        SslBundle adHoc = bundle();
        TlsConfig tls = configs.of(adHoc);
        assertThat(configs.of(adHoc)).isSameAs(tls);
        assertThat(tls.name()).startsWith("ssl-bundle@");
    }
}
