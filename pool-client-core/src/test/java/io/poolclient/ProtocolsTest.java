package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolsTest {

    @Test
    void namesAreCheckedAndKeptInOrder() {
        Protocols p = Protocols.parse("pool-client.mounts.api.protocols", List.of("H2", " http/1.1 "));
        assertThat(p.names()).containsExactly("h2", "http/1.1");
        assertThat(p.alpn()).containsExactly("h2", "http/1.1");
        assertThat(p.offersH2()).isTrue();
        assertThat(p.h2c()).isFalse();
        assertThat(Protocols.of("h2c").alpn()).isEmpty();

        assertThatIllegalArgumentException().isThrownBy(() -> Protocols.parse("pool-client.mounts.api.protocols",
                List.of("h3"))).withMessageContaining("pool-client.mounts.api.protocols").withMessageContaining("'h3'");
        assertThatIllegalArgumentException().isThrownBy(() -> Protocols.parse("x.protocols", List.of("h2", "h2")))
                .withMessageContaining("x.protocols lists 'h2' twice");
        assertThatIllegalArgumentException().isThrownBy(() -> Protocols.parse("x.protocols", List.of(" ")))
                .withMessageContaining("x.protocols must name at least one protocol");
    }

    @Test
    void entriesThatDoNotFitASchemeAreDroppedOnlyWhenInherited() {
        Protocols all = Protocols.of("h2", "h2c", "http/1.1");
        assertThat(all.forScheme("https").names()).containsExactly("h2", "http/1.1");
        assertThat(all.forScheme("http").names()).containsExactly("h2c", "http/1.1");
        assertThat(Protocols.of("h2").forScheme("http")).isEqualTo(Protocols.HTTP_1_1);
        assertThat(Protocols.of("h2").fits("https")).isTrue();
        assertThat(Protocols.of("h2").fits("http")).isFalse();
        assertThat(Protocols.of("h2c").fits("https")).isFalse();
    }

    @Test
    void aMountsOwnProtocolsMustFitItsScheme() {
        assertThatIllegalArgumentException().isThrownBy(() -> PoolClient.builder()
                .mount("api", "http://api.example/", MountSettings.builder().protocols(Protocols.of("h2")).build())
                .build())
            .withMessageContaining("pool-client.mounts.api.protocols").withMessageContaining("h2c");
        assertThatIllegalArgumentException().isThrownBy(() -> PoolClient.builder()
                .mount("https", MountSettings.builder().protocols(Protocols.of("h2c", "http/1.1")).build())
                .build())
            .withMessageContaining("pool-client.mounts.https.protocols").withMessageContaining("[h2c]");
    }

    @Test
    void inheritedProtocolsAreFittedToEachMountsScheme() {
        MountSettings defaults = MountSettings.builder().protocols(Protocols.of("h2", "http/1.1")).build();
        try (PoolClient client = PoolClient.builder().defaults(defaults)
                .mount("api", "http://api.example/", MountSettings.EMPTY)
                .mount("plain", "http://plain.example/", MountSettings.builder().protocols(Protocols.of("h2c")).build())
                .build()) {
            assertThat(client.route(URI.create("https://any.example/")).settings().protocols().names())
                .containsExactly("h2", "http/1.1");
            assertThat(client.route(URI.create("http://any.example/")).settings().protocols())
                .isEqualTo(Protocols.HTTP_1_1);
            assertThat(client.route(URI.create("http://api.example/x")).settings().protocols())
                .isEqualTo(Protocols.HTTP_1_1);
            assertThat(client.route(URI.create("http://plain.example/x")).settings().protocols().names())
                .containsExactly("h2c");
        }
    }

    @Test
    void builtInDefaultsAreHttp11AndAHundredStreams() {
        try (PoolClient client = PoolClient.builder().build()) {
            MountSettings s = client.route(URI.create("https://any.example/")).settings();
            assertThat(s.protocols()).isEqualTo(Protocols.HTTP_1_1);
            assertThat(s.maxConcurrentStreams()).isEqualTo(100);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> PoolClient.builder()
                .mount("api", "http://api.example/", MountSettings.builder().maxConcurrentStreams(0).build()).build())
            .withMessageContaining("pool-client.mounts.api.max-concurrent-streams must be >= 1");
    }
}
