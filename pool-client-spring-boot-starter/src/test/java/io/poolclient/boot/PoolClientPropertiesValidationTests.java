package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.PoolClient;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Bad {@code pool-client.*} properties stop the application while they are bound, and Spring Boot's
 * failure analysis names the property, its value, where it was set and why it is refused.
 */
@ExtendWith(OutputCaptureExtension.class)
class PoolClientPropertiesValidationTests {

    /** The analysis of a failed start, as Spring Boot prints it. */
    private static String analysis(CapturedOutput output, String... properties) {
        List<String> args = new ArrayList<>(List.of("--spring.config.name=pool-client-validation-tests"));
        for (String property : properties) {
            args.add("--" + property);
        }
        assertThatThrownBy(() -> app().run(args.toArray(String[]::new)).close()).isInstanceOf(RuntimeException.class);
        String out = output.getOut() + output.getErr();
        assertThat(out).contains("APPLICATION FAILED TO START");
        return out.substring(out.indexOf("APPLICATION FAILED TO START"));
    }

    private static SpringApplication app() {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setBannerMode(Banner.Mode.OFF);
        return app;
    }

    private static String line(String label, String text) {
        return "    " + label + ": " + text;
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("pool-client.mounts.payments.pool-maxsize", "0", "must be >= 1, was 0",
                        "pool-client.mounts.payments.prefix=https://api.example/"),
                bad("pool-client.defaults.pool-connections", "0", "must be >= 1, was 0"),
                bad("pool-client.mounts.https.read-timeout", "-1s", "must not be negative"),
                bad("pool-client.defaults.leak-detection-threshold", "0", "must be positive"),
                bad("pool-client.mounts.https.leak-detection-threshold", "0s", "must be positive"),
                bad("pool-client.mounts.https.retry.total", "-1", "must be >= 0, was -1"),
                bad("pool-client.mounts.https.retry.backoff-factor", "-5s", "must be a non-negative duration"),
                bad("pool-client.mounts.payments.prefix", "ftp://files.example/", "must start with http:// or https://"),
                bad("pool-client.mounts.https.prefix", "https://api.example/", "must not be set"),
                bad("pool-client.defaults.prefix", "https://api.example/", "must not be set"),
                bad("pool-client.mounts.b.prefix", "https://api.example/v1", "is the same prefix as mount 'a'",
                        "pool-client.mounts.a.prefix=https://API.example:443/v1"),
                bad("pool-client.mounts.payments.max-retries", "2",
                        "pool-client.mounts.payments.retry are both set",
                        "pool-client.mounts.payments.prefix=https://api.example/",
                        "pool-client.mounts.payments.retry.total=3"),
                bad("pool-client.mounts.https.redirects", "sometimes", "sometimes"),
                bad("pool-client.mounts.api.protocols", "h2", "does not fit the mount's http:// prefix",
                        "pool-client.mounts.api.prefix=http://api.example/"),
                bad("pool-client.mounts.https.protocols", "h2c,http/1.1", "does not fit the mount's https:// prefix"),
                bad("pool-client.defaults.protocols", "h3", "'h3', which is not a protocol"),
                bad("pool-client.mounts.https.max-concurrent-streams", "0", "must be >= 1, was 0"));
    }

    private static Arguments bad(String property, String value, String reason, String... others) {
        return Arguments.of(property, value, reason, others);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueIsReportedWithItsPropertyValueAndOrigin(String property, String value, String reason, String[] others,
            CapturedOutput output) {
        List<String> properties = new ArrayList<>(List.of(others));
        properties.add(property + "=" + value);
        String analysis = analysis(output, properties.toArray(String[]::new));
        assertThat(analysis).contains(line("Property", property))
            .contains(line("Value", "\"" + value + "\""))
            .contains(line("Origin", "\"" + property + "\" from property source \"commandLineArgs\""))
            .containsPattern("    Reason: .*" + java.util.regex.Pattern.quote(reason));
    }

    @Test
    void theOriginIsTheLineOfTheConfigurationFile(CapturedOutput output) {
        String analysis = analysis(output, "spring.config.location=classpath:validation/payments.yml");
        assertThat(analysis).contains(line("Property", "pool-client.mounts.payments.pool-maxsize"))
            .contains(line("Value", "\"0\""))
            .contains(line("Origin", "class path resource [validation/payments.yml] - 5:21"))
            .contains(line("Reason", "pool-client.mounts.payments.pool-maxsize must be >= 1, was 0"));
    }

    @Test
    void aMissingPrefixIsReportedOnTheMountsPrefix(CapturedOutput output) {
        assertThat(analysis(output, "pool-client.mounts.payments.pool-maxsize=5"))
            .contains(line("Property", "pool-client.mounts.payments.prefix"))
            .contains("pool-client.mounts.payments.prefix must be set");
    }

    @Test
    void credentialsInAPrefixAreNeitherEchoedNorLogged(CapturedOutput output) {
        String analysis = analysis(output, "pool-client.mounts.payments.prefix=https://user:secret@api.payments.example/");
        assertThat(analysis).contains(line("Property", "pool-client.mounts.payments.prefix"))
            .contains("must not contain user-info");
        assertThat(output.getOut() + output.getErr()).doesNotContain("secret");
    }

    @Test
    void validPropertiesStartTheEngine() {
        try (ConfigurableApplicationContext context = app().run("--spring.config.name=pool-client-validation-tests",
                "--pool-client.mounts.payments.prefix=https://api.example/", "--pool-client.mounts.payments.retry.total=2",
                "--pool-client.mounts.https.max-retries=1")) {
            assertThat(context.getBeansOfType(PoolClient.class)).hasSize(1);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
            PoolClientAutoConfiguration.class })
    static class App {
    }
}
