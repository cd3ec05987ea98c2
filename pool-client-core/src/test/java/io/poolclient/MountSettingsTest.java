package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.retry.Retry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link MountSettings} on its own: key-by-key fallback (the retry policy being one key), the
 * key table, equality and the property-named {@code toString}.
 */
class MountSettingsTest {

    @Test
    void everyUnsetKeyFallsBackAndEverySetKeyWins() {
        MountSettings own = MountSettings.builder().poolMaxsize(3).readTimeout(Duration.ofSeconds(2)).build();
        MountSettings fallback = MountSettings.builder().poolMaxsize(50).poolBlock(true)
                .readTimeout(Duration.ofSeconds(9)).decompress(false).build();

        MountSettings merged = own.withFallback(fallback);

        assertThat(merged.poolMaxsize()).isEqualTo(3);
        assertThat(merged.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(merged.poolBlock()).isTrue();
        assertThat(merged.decompress()).isFalse();
        assertThat(merged.connectTimeout()).isNull();
        assertThat(own.poolBlock()).as("the receiver is not changed").isNull();
    }

    @Test
    void builtInFallbackFillsEveryKeyItKnows() {
        MountSettings resolved = MountSettings.EMPTY.withFallback(MountSettings.BUILT_IN);
        assertThat(resolved).isEqualTo(MountSettings.BUILT_IN);
        assertThat(resolved.poolConnections()).isEqualTo(MountSettings.DEFAULT_POOL_CONNECTIONS);
        assertThat(resolved.poolTimeout()).isEqualTo(MountSettings.DEFAULT_POOL_TIMEOUT);
        assertThat(resolved.tls()).as("left to the caller's settings").isNull();
    }

    @Test
    void theRetryPolicyIsOneKeyNeitherSpellingIsTakenFromTheFallbackWhenOneIsSet() {
        Retry full = Retry.builder().total(5).build();
        MountSettings withRetry = MountSettings.builder().retry(full).build();
        MountSettings withMaxRetries = MountSettings.builder().maxRetries(2).build();

        MountSettings a = withRetry.withFallback(withMaxRetries);
        assertThat(a.retry()).isSameAs(full);
        assertThat(a.maxRetries()).isNull();
        assertThat(a.retryPolicy()).isSameAs(full);

        MountSettings b = withMaxRetries.withFallback(withRetry);
        assertThat(b.retry()).isNull();
        assertThat(b.retryPolicy().total()).isEqualTo(2);

        MountSettings c = MountSettings.EMPTY.withFallback(withRetry);
        assertThat(c.retry()).as("unset here: both spellings come from the fallback").isSameAs(full);
    }

    @Test
    void keysAreListedOnceEachWithTheirPropertyNames() {
        List<String> properties = MountSettings.keys().stream().map(MountSettings.Key::property).toList();
        assertThat(properties).doesNotHaveDuplicates().startsWith("pool-connections", "pool-maxsize")
                .contains("ssl-bundle", "leak-detection-threshold", "max-header-line");
        MountSettings set = MountSettings.builder().set(MountSettings.POOL_MAXSIZE, 7).build();
        assertThat(set.poolMaxsize()).isEqualTo(7);
        assertThat(set.get(MountSettings.POOL_MAXSIZE)).isEqualTo(7);
    }

    @Test
    void equalSettingsAreEqualAndPrintByPropertyName() {
        MountSettings a = MountSettings.builder().poolMaxsize(4).poolTimeout(Duration.ofMillis(250)).build();
        MountSettings b = MountSettings.builder().poolTimeout(Duration.ofMillis(250)).poolMaxsize(4).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(MountSettings.EMPTY);
        assertThat(a).hasToString("{pool-maxsize=4, pool-timeout=250ms}");
    }
}
