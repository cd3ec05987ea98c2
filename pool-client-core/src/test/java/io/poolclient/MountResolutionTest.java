package io.poolclient;

import io.poolclient.internal.Mount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.retry.Retry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which mount a URL goes through (the longest mount prefix that matches it wins, as in requests'
 * {@code Session.mount}) and the startup validation of mounts, each message naming the offending
 * property. No request is sent.
 */
@Timeout(10)
class MountResolutionTest {

    private PoolClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private PoolClient build(PoolClient.Builder builder) {
        client = builder.build();
        return client;
    }

    private String mountFor(String url) {
        return client.resolve(URI.create(url)).name();
    }

    private static MountSettings none() {
        return MountSettings.EMPTY;
    }

    // ---- resolution ----------------------------------------------------------------------

    @Test
    void longestPrefixWins() {
        build(PoolClient.builder()
                .mount("site", "https://h/", none())
                .mount("api", "https://h/api/", none())
                .mount("v2", "https://h/api/v2/", none()));

        assertThat(mountFor("https://h/api/users")).isEqualTo("api");
        assertThat(mountFor("https://h/api/")).isEqualTo("api");
        assertThat(mountFor("https://h/api/v2/users?x=1")).isEqualTo("v2");
        assertThat(mountFor("https://h/api/v1/users")).isEqualTo("api");
        assertThat(mountFor("https://h/")).isEqualTo("site");
        assertThat(mountFor("https://h")).as("empty path is /").isEqualTo("site");
        assertThat(mountFor("https://h/other")).isEqualTo("site");
        assertThat(mountFor("https://h/api")).as("/api does not start with /api/").isEqualTo("site");
    }

    @Test
    void longestPrefixWinsWhateverTheOrderMountsWereDeclaredIn() {
        build(PoolClient.builder()
                .mount("v2", "https://h/api/v2/", none())
                .mount("api", "https://h/api/", none())
                .mount("site", "https://h/", none()));

        assertThat(mountFor("https://h/api/v2/x")).isEqualTo("v2");
        assertThat(mountFor("https://h/api/x")).isEqualTo("api");
        assertThat(mountFor("https://h/x")).isEqualTo("site");
    }

    @Test
    void aPathPrefixIsAPlainCaseSensitiveStringPrefix() {
        build(PoolClient.builder().mount("api", "https://h/api", none()));

        assertThat(mountFor("https://h/api")).isEqualTo("api");
        assertThat(mountFor("https://h/api/x")).isEqualTo("api");
        assertThat(mountFor("https://h/apix")).as("/api also matches /apix").isEqualTo("api");
        assertThat(mountFor("https://h/API/x")).as("paths compare case-sensitively").isEqualTo("https");
        assertThat(mountFor("https://h/ap")).isEqualTo("https");
    }

    @Test
    void schemeAndHostCompareCaseInsensitively() {
        build(PoolClient.builder().mount("pay", "HTTPS://Api.Payments.EXAMPLE/v1/", none()));

        assertThat(mountFor("https://api.payments.example/v1/charge")).isEqualTo("pay");
        assertThat(mountFor("HTTPS://API.PAYMENTS.EXAMPLE/v1/charge")).isEqualTo("pay");
        assertThat(mountFor("https://api.payments.example/V1/charge")).as("path stays case-sensitive").isEqualTo("https");
        assertThat(mountFor("http://api.payments.example/v1/charge")).as("scheme must match").isEqualTo("http");
        assertThat(client.mount("pay").orElseThrow().prefix()).hasToString("https://api.payments.example/v1/");
    }

    @Test
    void aDefaultPortEqualsItsAbsence() {
        build(PoolClient.builder()
                .mount("plain", "http://h/", none())
                .mount("secure", "https://h:443/s/", none())
                .mount("alt", "http://h:8080/", none()));

        assertThat(mountFor("http://h/x")).isEqualTo("plain");
        assertThat(mountFor("http://h:80/x")).isEqualTo("plain");
        assertThat(mountFor("https://h/s/x")).isEqualTo("secure");
        assertThat(mountFor("https://h:443/s/x")).isEqualTo("secure");
        assertThat(mountFor("http://h:8080/x")).isEqualTo("alt");
        assertThat(mountFor("http://h:8081/x")).as("another port is another origin").isEqualTo("http");
        assertThat(mountFor("https://h:8443/s/x")).isEqualTo("https");

        assertThat(client.mount("plain").orElseThrow().prefix()).hasToString("http://h/");
        assertThat(client.mount("secure").orElseThrow().prefix()).hasToString("https://h/s/");
        assertThat(client.mount("alt").orElseThrow().prefix()).hasToString("http://h:8080/");
    }

    @Test
    void ipv6HostsMatchAndPrintInBrackets() {
        build(PoolClient.builder().mount("v6", "http://[::1]:8080/", none()));

        assertThat(mountFor("http://[::1]:8080/x")).isEqualTo("v6");
        assertThat(mountFor("http://[::1]:8081/x")).isEqualTo("http");
        assertThat(client.mount("v6").orElseThrow().prefix()).hasToString("http://[::1]:8080/");
    }

    @Test
    void theImplicitMountsCatchEveryOtherUrl() {
        build(PoolClient.builder().mount("api", "https://h/api/", none()));

        assertThat(mountFor("https://other.example/")).isEqualTo("https");
        assertThat(mountFor("https://h/")).isEqualTo("https");
        assertThat(mountFor("http://h/api/x")).isEqualTo("http");
        assertThat(mountFor("HTTP://anything:1234/x")).isEqualTo("http");
        assertThat(client.mount("http").orElseThrow().prefix()).hasToString("http://");
        assertThat(client.mount("https").orElseThrow().prefix()).hasToString("https://");
    }

    @Test
    void theImplicitMountsAlwaysExistEvenWithNoConfiguredMount() {
        build(PoolClient.builder());

        assertThat(client.snapshot().mounts()).extracting(MountSnapshot::name).containsExactlyInAnyOrder("http", "https");
        assertThat(mountFor("http://a/")).isEqualTo("http");
        assertThat(mountFor("https://a/")).isEqualTo("https");
    }

    @Test
    void snapshotListsMountsInMatchOrderLongestPrefixFirstImplicitLast() {
        build(PoolClient.builder()
                .mount("site", "http://h/", none())
                .mount("v1", "http://h/api/v1/", none())
                .mount("api", "http://H:80/api/", none())
                .mount("secure", "https://h/api/v1/", none()));

        List<MountSnapshot> mounts = client.snapshot().mounts();
        List<String> names = mounts.stream().map(MountSnapshot::name).toList();
        assertThat(names).hasSize(6);
        // longest prefix first: "https://h/api/v1/" (17) > "http://h/api/v1/" (16) > "http://h/api/" > "http://h/"
        assertThat(names.subList(0, 4)).containsExactly("secure", "v1", "api", "site");
        assertThat(names.subList(4, 6)).containsExactlyInAnyOrder("http", "https");
        assertThat(mounts).extracting(MountSnapshot::prefix).startsWith(
                "https://h/api/v1/", "http://h/api/v1/", "http://h/api/", "http://h/");
        assertThat(client.mounts()).extracting(Mount::name).containsExactlyElementsOf(names);
        assertThat(mounts).allSatisfy(m -> assertThat(m.pools()).isEmpty());
    }

    @Test
    void sameHostThroughTwoMountsGetsTwoSeparatePoolManagers() {
        build(PoolClient.builder()
                .mount("api", "http://h/api/", MountSettings.builder().poolMaxsize(2).build()));

        Mount api = client.resolve(URI.create("http://h/api/x"));
        Mount http = client.resolve(URI.create("http://h/other"));
        assertThat(api.pools()).isNotSameAs(http.pools());
        assertThat(api.settings().poolMaxsize()).isEqualTo(2);
        assertThat(http.settings().poolMaxsize()).isEqualTo(MountSettings.DEFAULT_POOL_MAXSIZE);
    }

    @Test
    void implicitMountsAreTunedByNameWithoutAPrefix() {
        build(PoolClient.builder()
                .defaults(MountSettings.builder().poolMaxsize(7).build())
                .mount("https", MountSettings.builder().poolMaxsize(50).build()));

        assertThat(client.mount("https").orElseThrow().settings().poolMaxsize()).isEqualTo(50);
        assertThat(client.mount("http").orElseThrow().settings().poolMaxsize()).isEqualTo(7);
        assertThat(client.snapshot("https").orElseThrow().settings().poolMaxsize()).isEqualTo(50);
    }

    @Test
    void retryPolicyIsOneKeyMountRetryReplacesDefaultMaxRetries() {
        Retry policy = Retry.builder().total(4).build();
        build(PoolClient.builder()
                .defaults(MountSettings.builder().maxRetries(2).build())
                .mount("api", "http://h/api/", MountSettings.builder().retry(policy).build()));

        assertThat(client.mount("api").orElseThrow().retry()).isSameAs(policy);
        assertThat(client.mount("api").orElseThrow().settings().maxRetries()).isNull();
        Retry inherited = client.mount("http").orElseThrow().retry();
        assertThat(inherited.total()).isEqualTo(2);
        assertThat(inherited.read()).isZero();
        assertThat(inherited.status()).isZero();
    }

    // ---- validation ----------------------------------------------------------------------

    private static void assertRefused(PoolClient.Builder builder, String... fragments) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void aPrefixThatIsNotHttpOrHttpsIsRefused() {
        assertRefused(PoolClient.builder().mount("files", "ftp://h/", none()),
                "pool-client.mounts.files.prefix", "http:// or https://", "ftp://h/");
        assertRefused(PoolClient.builder().mount("bare", "h/api/", none()),
                "pool-client.mounts.bare.prefix", "http:// or https://");
        assertRefused(PoolClient.builder().mount("blank", "  ", none()), "pool-client.mounts.blank.prefix");
    }

    @Test
    void aMountWithoutAPrefixIsRefused() {
        assertRefused(PoolClient.builder().mount("payments", MountSettings.EMPTY),
                "pool-client.mounts.payments.prefix", "must be set");
    }

    @Test
    void aPrefixThatIsNotAUrlOrCarriesAQueryIsRefused() {
        assertRefused(PoolClient.builder().mount("spaced", "https://h/a b/", none()),
                "pool-client.mounts.spaced.prefix", "not a valid URL prefix");
        assertRefused(PoolClient.builder().mount("query", "https://h/api?x=1", none()),
                "pool-client.mounts.query.prefix", "query");
    }

    @Test
    void aPrefixWithoutAHostIsRefused() {
        assertRefused(PoolClient.builder().mount("nohost", "https://", none()),
                "pool-client.mounts.nohost.prefix", "host");
    }

    @Test
    void userInfoInAPrefixIsRefusedWithoutEchoingTheSecret() {
        assertThatThrownBy(() -> PoolClient.builder().mount("creds", "https://alice:s3cr3t@h/", none()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool-client.mounts.creds.prefix")
                .hasMessageContaining("user-info")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t").doesNotContain("alice"));
    }

    @Test
    void twoMountsWithTheSameNormalizedPrefixAreRefused() {
        assertRefused(PoolClient.builder()
                        .mount("first", "http://H:80/x", none())
                        .mount("second", "http://h/x", none()),
                "pool-client.mounts.second.prefix", "'first'", "http://h/x");
        assertRefused(PoolClient.builder()
                        .mount("a", "https://h", none())
                        .mount("b", "HTTPS://h:443/", none()),
                "pool-client.mounts.b.prefix", "'a'");
    }

    @Test
    void differentPathsOrCaseOfPathAreDifferentPrefixes() {
        build(PoolClient.builder()
                .mount("lower", "http://h/x", none())
                .mount("upper", "http://h/X", none())
                .mount("folder", "http://h/x/", none()));

        assertThat(mountFor("http://h/x/1")).isEqualTo("folder");
        assertThat(mountFor("http://h/xy")).isEqualTo("lower");
        assertThat(mountFor("http://h/X1")).isEqualTo("upper");
    }

    @Test
    void aPrefixOnTheImplicitMountsIsRefused() {
        assertRefused(PoolClient.builder().mount("https", "https://h/", none()),
                "pool-client.mounts.https.prefix", "must not be set");
        assertRefused(PoolClient.builder().mount("http", "http://h/", none()),
                "pool-client.mounts.http.prefix", "must not be set");
    }

    @Test
    void poolConnectionsAndPoolMaxsizeBelowOneAreRefused() {
        assertRefused(PoolClient.builder().mount("api", "http://h/", MountSettings.builder().poolConnections(0).build()),
                "pool-client.mounts.api.pool-connections", ">= 1", "0");
        assertRefused(PoolClient.builder().mount("api", "http://h/", MountSettings.builder().poolMaxsize(0).build()),
                "pool-client.mounts.api.pool-maxsize", ">= 1", "0");
        assertRefused(PoolClient.builder().defaults(MountSettings.builder().poolMaxsize(-3).build()),
                "pool-client.defaults.pool-maxsize", "-3");
        assertRefused(PoolClient.builder().defaults(MountSettings.builder().poolConnections(0).build()),
                "pool-client.defaults.pool-connections");
        assertRefused(PoolClient.builder().mount("https", MountSettings.builder().poolMaxsize(0).build()),
                "pool-client.mounts.https.pool-maxsize");
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of("pool-timeout", (BiFunction<MountSettings.Builder, Duration, MountSettings.Builder>) MountSettings.Builder::poolTimeout),
                Arguments.of("connect-timeout", (BiFunction<MountSettings.Builder, Duration, MountSettings.Builder>) MountSettings.Builder::connectTimeout),
                Arguments.of("read-timeout", (BiFunction<MountSettings.Builder, Duration, MountSettings.Builder>) MountSettings.Builder::readTimeout),
                Arguments.of("idle-timeout", (BiFunction<MountSettings.Builder, Duration, MountSettings.Builder>) MountSettings.Builder::idleTimeout),
                Arguments.of("max-lifetime", (BiFunction<MountSettings.Builder, Duration, MountSettings.Builder>) MountSettings.Builder::maxLifetime));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durations")
    void negativeDurationsAreRefused(String key, BiFunction<MountSettings.Builder, Duration, MountSettings.Builder> setter) {
        MountSettings bad = setter.apply(MountSettings.builder(), Duration.ofMillis(-1)).build();
        assertRefused(PoolClient.builder().mount("api", "http://h/", bad), "pool-client.mounts.api." + key, "negative");
        assertRefused(PoolClient.builder().defaults(bad), "pool-client.defaults." + key);

        MountSettings zero = setter.apply(MountSettings.builder(), Duration.ZERO).build();
        build(PoolClient.builder().mount("api", "http://h/", zero)); // zero is allowed
        client.close();
        client = null;
    }

    @Test
    void aLeakDetectionThresholdOfZeroOrLessIsRefused() {
        // Zero would capture a stack on every lease and never report; unset is how detection is off.
        assertRefused(PoolClient.builder().mount("api", "http://h/", MountSettings.builder().leakDetectionThreshold(Duration.ZERO).build()),
                "pool-client.mounts.api.leak-detection-threshold", "must be positive", "0s");
        assertRefused(PoolClient.builder().defaults(MountSettings.builder().leakDetectionThreshold(Duration.ofMillis(-1)).build()),
                "pool-client.defaults.leak-detection-threshold", "must be positive");
        build(PoolClient.builder().mount("api", "http://h/",
                MountSettings.builder().leakDetectionThreshold(Duration.ofMillis(1)).build()));
        assertThat(client.mount("api").orElseThrow().settings().leakDetectionThreshold()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void maxRetriesAndRetryOnOneMountAreRefused() {
        MountSettings both = MountSettings.builder().maxRetries(2).retry(Retry.builder().build()).build();
        assertRefused(PoolClient.builder().mount("api", "http://h/", both),
                "pool-client.mounts.api.max-retries", "pool-client.mounts.api.retry");
        assertRefused(PoolClient.builder().defaults(both), "pool-client.defaults.max-retries", "pool-client.defaults.retry");
    }

    @Test
    void negativeMaxRetriesIsRefused() {
        assertRefused(PoolClient.builder().mount("api", "http://h/", MountSettings.builder().maxRetries(-1).build()),
                "pool-client.mounts.api.max-retries");
    }
}
