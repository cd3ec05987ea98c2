package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Protocols;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code protocols} and {@code max-concurrent-streams} from properties, as a user writes them: a
 * list under {@code pool-client.defaults} reaches every mount whose scheme it fits (h2 on
 * {@code https://}, h2c on {@code http://}), a mount's own list wins, and YAML's indexed form binds
 * like the comma-separated one.
 */
class ProtocolsFromPropertiesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(PoolClientAutoConfigurationTests.CORE)
        .withConfiguration(PoolClientAutoConfigurationTests.STARTER);

    private static MountSettings settings(PoolClient engine, String mount) {
        return engine.settings(mount).orElseThrow();
    }

    @Test
    void defaultsTurnOnH2ForEveryHttpsMountAndLeaveHttpMountsAlone() {
        runner.withPropertyValues("pool-client.defaults.protocols[0]=h2", "pool-client.defaults.protocols[1]=http/1.1",
                "pool-client.mounts.payments.prefix=https://api.payments.example/",
                "pool-client.mounts.inventory.prefix=http://inventory.internal:8080/")
            .run(context -> {
                PoolClient engine = context.getBean(PoolClient.class);
                assertThat(settings(engine, "https").protocols()).isEqualTo(Protocols.of("h2", "http/1.1"));
                assertThat(settings(engine, "payments").protocols()).isEqualTo(Protocols.of("h2", "http/1.1"));
                assertThat(settings(engine, "http").protocols()).isEqualTo(Protocols.HTTP_1_1);
                assertThat(settings(engine, "inventory").protocols()).isEqualTo(Protocols.HTTP_1_1);
            });
    }

    @Test
    void aMountsOwnListWinsAndInheritedEntriesAreFittedToItsScheme() {
        runner.withPropertyValues("pool-client.defaults.protocols=h2c,h2,http/1.1",
                "pool-client.defaults.max-concurrent-streams=200",
                "pool-client.mounts.payments.prefix=https://api.payments.example/",
                "pool-client.mounts.payments.protocols=http/1.1",
                "pool-client.mounts.inventory.prefix=http://inventory.internal:8080/",
                "pool-client.mounts.inventory.max-concurrent-streams=8",
                "pool-client.mounts.https.max-concurrent-streams=50")
            .run(context -> {
                PoolClient engine = context.getBean(PoolClient.class);
                assertThat(settings(engine, "payments").protocols()).isEqualTo(Protocols.HTTP_1_1);
                assertThat(settings(engine, "inventory").protocols()).isEqualTo(Protocols.of("h2c", "http/1.1"));
                assertThat(settings(engine, "https").protocols()).isEqualTo(Protocols.of("h2", "http/1.1"));
                assertThat(settings(engine, "inventory").maxConcurrentStreams()).isEqualTo(8);
                assertThat(settings(engine, "https").maxConcurrentStreams()).isEqualTo(50);
                assertThat(settings(engine, "payments").maxConcurrentStreams()).isEqualTo(200);
            });
    }

    @Test
    void unsetTheBuiltInDefaultsApply() {
        runner.run(context -> {
            PoolClient engine = context.getBean(PoolClient.class);
            for (String mount : new String[] { "http", "https" }) {
                assertThat(settings(engine, mount).protocols()).isEqualTo(Protocols.HTTP_1_1);
                assertThat(settings(engine, mount).maxConcurrentStreams())
                    .isEqualTo(MountSettings.DEFAULT_MAX_CONCURRENT_STREAMS);
            }
        });
    }
}
