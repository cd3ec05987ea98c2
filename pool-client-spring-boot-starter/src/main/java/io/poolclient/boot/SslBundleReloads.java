package io.poolclient.boot;

import io.poolclient.PoolClient;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.boot.ssl.SslBundles;

/**
 * Makes the engine follow reloaded SSL bundles ({@code spring.ssl.bundle.*.reload-on-update}, or a
 * {@code SslBundleRegistry.updateBundle} call): a mount whose TLS material comes from a bundle, its
 * own {@code ssl-bundle} or {@code pool-client.defaults.ssl-bundle}, switches to the bundle's new
 * material, and its host pools of the old material are dropped ({@link PoolClient#useTls}). Called
 * once, when the engine is built; the handlers run on whatever thread Spring Boot reloads on.
 */
final class SslBundleReloads {

    private SslBundleReloads() {
    }

    static void follow(PoolClient client, PoolClientProperties properties, SslBundles bundles, SslBundleTlsConfigs tls) {
        MountProperties defaults = properties.getDefaults();
        String defaultBundle = defaults == null ? null : blankToNull(defaults.getSslBundle());
        Set<String> names = new LinkedHashSet<>(properties.getMounts().keySet());
        names.add(PoolClient.HTTP);
        names.add(PoolClient.HTTPS);
        for (String mount : names) {
            MountProperties own = properties.getMounts().get(mount);
            String bundle = own == null ? null : blankToNull(own.getSslBundle());
            String property = PoolClientPropertiesMapper.ROOT + ".mounts." + mount + ".ssl-bundle";
            if (bundle == null) {
                bundle = defaultBundle;
                property = PoolClientPropertiesMapper.ROOT + ".defaults.ssl-bundle";
            }
            if (bundle != null) {
                String name = bundle;
                String setBy = property;
                bundles.addBundleUpdateHandler(name, updated -> client.useTls(mount, tls.named(setBy, name)));
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
