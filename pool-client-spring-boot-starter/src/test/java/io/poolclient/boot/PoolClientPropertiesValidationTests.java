package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Bad {@code pool-client.*} properties stop the application at startup, and the innermost cause of
 * the failure names the property.
 */
class PoolClientPropertiesValidationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class, PoolClientAutoConfiguration.class));

    private String failure(String... properties) {
        String[] message = new String[1];
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            message[0] = Failures.rootMessage(context);
        });
        return message[0];
    }

    @Test
    void prefixMustBeHttpOrHttps() {
        assertThat(failure("pool-client.mounts.payments.prefix=ftp://files.example/"))
            .startsWith("IllegalArgumentException: ")
            .contains("pool-client.mounts.payments.prefix must start with http:// or https://");
    }

    @Test
    void prefixMustNotCarryUserInfo() {
        assertThat(failure("pool-client.mounts.payments.prefix=https://user:secret@api.payments.example/"))
            .contains("pool-client.mounts.payments.prefix must not contain user-info")
            .doesNotContain("secret");
    }

    @Test
    void twoMountsCannotShareAPrefix() {
        assertThat(failure("pool-client.mounts.a.prefix=https://API.example:443/v1",
                "pool-client.mounts.b.prefix=https://api.example/v1"))
            .contains("pool-client.mounts.b.prefix").contains("same prefix as mount 'a'");
    }

    @Test
    void implicitMountsTakeNoPrefix() {
        assertThat(failure("pool-client.mounts.https.prefix=https://api.example/"))
            .contains("pool-client.mounts.https.prefix must not be set");
    }

    @Test
    void aZeroLeakDetectionThresholdIsRefused() {
        assertThat(failure("pool-client.defaults.leak-detection-threshold=0"))
            .contains("pool-client.defaults.leak-detection-threshold must be positive");
        assertThat(failure("pool-client.mounts.https.leak-detection-threshold=0s"))
            .contains("pool-client.mounts.https.leak-detection-threshold must be positive");
    }

    @Test
    void everyOtherMountNeedsAPrefix() {
        assertThat(failure("pool-client.mounts.payments.pool-maxsize=5"))
            .contains("pool-client.mounts.payments.prefix must be set");
    }

    @Test
    void defaultsTakeNoPrefix() {
        assertThat(failure("pool-client.defaults.prefix=https://api.example/"))
            .contains("pool-client.defaults.prefix must not be set");
    }

    @Test
    void poolMaxsizeMustBeAtLeastOne() {
        assertThat(failure("pool-client.mounts.payments.prefix=https://api.example/",
                "pool-client.mounts.payments.pool-maxsize=0"))
            .contains("pool-client.mounts.payments.pool-maxsize must be >= 1, was 0");
    }

    @Test
    void poolConnectionsMustBeAtLeastOneInDefaultsToo() {
        assertThat(failure("pool-client.defaults.pool-connections=0"))
            .contains("pool-client.defaults.pool-connections must be >= 1, was 0");
    }

    @Test
    void durationsMustNotBeNegative() {
        assertThat(failure("pool-client.mounts.https.read-timeout=-1s"))
            .contains("pool-client.mounts.https.read-timeout must not be negative");
    }

    @Test
    void maxRetriesAndRetryBlockExcludeEachOther() {
        assertThat(failure("pool-client.mounts.payments.prefix=https://api.example/",
                "pool-client.mounts.payments.max-retries=2", "pool-client.mounts.payments.retry.total=3"))
            .contains("pool-client.mounts.payments.max-retries and pool-client.mounts.payments.retry are both set");
    }

    @Test
    void retryKeysAreValidatedWithTheirFullName() {
        assertThat(failure("pool-client.mounts.https.retry.total=-1"))
            .contains("pool-client.mounts.https.retry.total must be >= 0, was -1");
        assertThat(failure("pool-client.mounts.https.retry.backoff-factor=-5s"))
            .contains("pool-client.mounts.https.retry.backoff-factor");
    }

    @Test
    void retryBudgetKeysAreValidatedWithTheirFullName() {
        assertThat(failure("pool-client.mounts.https.retry.budget-percent=-1"))
            .contains("pool-client.mounts.https.retry.budget-percent must be between 0 and 1000, was -1");
        assertThat(failure("pool-client.defaults.retry.budget-min-per-second=-1"))
            .contains("pool-client.defaults.retry.budget-min-per-second must be >= 0, was -1");
        assertThat(failure("pool-client.mounts.https.retry.budget-window=500ms"))
            .contains("pool-client.mounts.https.retry.budget-window must be at least 1s");
    }

    @Test
    void aRetryBudgetFromPropertiesReachesTheEngine() {
        runner.withPropertyValues("pool-client.mounts.payments.prefix=https://api.example/",
                "pool-client.mounts.payments.retry.budget-percent=20", "pool-client.mounts.payments.retry.budget-window=30s")
            .run(context -> {
                io.poolclient.retry.Retry retry = context.getBean(PoolClient.class).settings("payments").orElseThrow()
                    .retryPolicy();
                assertThat(retry.budgetPercent()).isEqualTo(20.0);
                assertThat(retry.budgetMinPerSecond()).isEqualTo(10);
                assertThat(retry.budgetWindow()).hasSeconds(30);
            });
    }

    @Test
    void unknownRedirectsValueIsABindingFailureNamingTheProperty() {
        String message = failure("pool-client.mounts.https.redirects=sometimes");
        assertThat(message).contains("sometimes");
        runner.withPropertyValues("pool-client.mounts.https.redirects=sometimes")
            .run(context -> assertThat(context.getStartupFailure())
                .hasStackTraceContaining("pool-client.mounts.https.redirects"));
    }

    @Test
    void validPropertiesStartTheEngine() {
        runner.withPropertyValues("pool-client.mounts.payments.prefix=https://api.example/",
                "pool-client.mounts.payments.retry.total=2", "pool-client.mounts.https.max-retries=1")
            .run(context -> assertThat(context).hasSingleBean(PoolClient.class));
    }

    @Test
    void aBadProxyUrlIsRefusedNamingThePropertyWithoutItsCredentials() {
        assertThat(failure("pool-client.mounts.corp.prefix=https://api.example/",
                "pool-client.mounts.corp.proxy=ftp://user:hunter2@proxy.example:3128"))
            .contains("pool-client.mounts.corp.proxy")
            .contains("unsupported scheme")
            .doesNotContain("hunter2").doesNotContain("user:");
        assertThat(failure("pool-client.defaults.proxy=http://user:hunter2@proxy.example:99999"))
            .contains("pool-client.defaults.proxy").contains("invalid port")
            .doesNotContain("hunter2");
    }

    @Test
    void aBadNoProxyEntryIsRefusedNamingTheProperty() {
        assertThat(failure("pool-client.mounts.https.no-proxy=10.0.0.0/99"))
            .contains("pool-client.mounts.https.no-proxy");
    }
}
