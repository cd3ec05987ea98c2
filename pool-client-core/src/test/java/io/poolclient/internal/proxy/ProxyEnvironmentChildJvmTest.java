package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.ChildJvm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ProxyEnvironment#system()} reads the real environment and system properties: a child JVM started
 * with proxy variables and properties prints what it found.
 */
class ProxyEnvironmentChildJvmTest {

    /** Runs in the child JVM: prints the proxy chosen for a few targets, one per line. */
    public static final class Probe {
        public static void main(String[] args) {
            ProxyEnvironment env = ProxyEnvironment.system();
            for (String target : List.of("https://api.example.com:443", "https://db.internal.test:443",
                    "http://api.example.com:80")) {
                String[] parts = target.split("://|:");
                System.out.println(target + " -> " + env.proxyFor(parts[0], parts[1], Integer.parseInt(parts[2]))
                        .map(ProxyUrl::toString).orElse("direct"));
            }
        }
    }

    @Test
    void readsTheProcessEnvironmentAndSystemProperties() throws Exception {
        ChildJvm.Result child = ChildJvm.run(Probe.class,
                List.of("-Dhttp.proxyHost=jvm-proxy.test", "-Dhttp.proxyPort=8081"), List.of(),
                Map.of("HTTPS_PROXY", "http://user:pw@env-proxy.test:3128", "no_proxy", ".internal.test"));
        String output = child.output();

        assertThat(child.exited()).as("child JVM exited; output: %s", output).isTrue();
        assertThat(output.lines()).containsExactly(
                "https://api.example.com:443 -> http://env-proxy.test:3128",
                "https://db.internal.test:443 -> direct",
                "http://api.example.com:80 -> http://jvm-proxy.test:8081");
    }
}
