package io.poolclient.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fleet view in {@code monitoring/} against the real sample: every metric the Grafana dashboard
 * and the Prometheus alert rules query must be in the sample's {@code /actuator/prometheus} scrape
 * after traffic (a flaky run with retries, a blocking run with pool timeouts).
 * With {@code promtool} present (Debian package {@code prometheus}) the rules, their unit tests and
 * the example {@code prometheus.yml} must pass it too; where it is missing that test is skipped,
 * unless {@code POOLCLIENT_REQUIRE_PROMTOOL=1} (set by CI), then it fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
        properties = {"pool-client.mounts.blocking.pool-timeout=200ms", "sample.run-scenarios=false"})
@Timeout(180)
class FleetViewTest {

    /**
     * Meters the dashboard and the alerts use that the engine does not publish yet. Their Prometheus
     * names (the Micrometer name in snake case, with any suffix) are left out of the check until the
     * meters exist; then remove them here.
     */
    static final Set<String> NAMES_PENDING = Set.of();

    private static final int PORT = FreePort.find();
    private static final Path MONITORING = Path.of("..", "monitoring").toAbsolutePath().normalize();
    private static final Path DASHBOARD = MONITORING.resolve("grafana/pool-client-dashboard.json");
    private static final Path PROMETHEUS = MONITORING.resolve("prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Pattern METRIC = Pattern.compile("\\bhttp_client_pool_[a-z0-9_]+");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void port(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
    }

    @Autowired
    LoadRunner runner;

    private final SampleHttp http = new SampleHttp(PORT);

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsInTheScrape() throws Exception {
        // retries on the retrying mount; on the blocking mount (2 connections, 200 ms pool-timeout)
        // two calls hold both connections for a second while two more give up waiting
        load("{\"mount\":\"retrying\",\"calls\":10,\"delayMs\":0,\"failPercent\":50}");
        JsonNode blocking = load("{\"mount\":\"blocking\",\"calls\":4,\"delayMs\":1000,\"failPercent\":0}");
        assertThat(blocking.path("poolTimeouts").asInt()).isEqualTo(2);

        HttpResponse<String> scrape = http.get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        Set<String> scraped = new TreeSet<>();
        for (String line : scrape.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                scraped.add(line.split("[{ ]", 2)[0]);
            }
        }

        Set<String> queried = new TreeSet<>(dashboardMetrics());
        Set<String> alerted = metrics(Files.readString(PROMETHEUS.resolve("pool-client-alerts.yml")));
        assertThat(alerted).isNotEmpty();
        queried.addAll(alerted);

        Set<String> checked = new TreeSet<>();
        Set<String> pendingButScraped = new TreeSet<>();
        for (String name : queried) {
            if (pending(name)) {
                if (scraped.contains(name)) {
                    pendingButScraped.add(name);
                }
            }
            else {
                checked.add(name);
            }
        }
        if (!pendingButScraped.isEmpty()) {
            System.out.println("scraped now, no longer pending: " + pendingButScraped);
        }
        assertThat(checked).as("the meters that exist today must be queried")
                .contains("http_client_pool_connections", "http_client_pool_max_connections", "http_client_pool_pending",
                        "http_client_pool_acquire_seconds_bucket", "http_client_pool_connections_discarded_connections_total");
        assertThat(scraped).as("scraped pool metrics: %s", scraped.stream().filter(n -> n.startsWith("http_client_pool"))
                .toList()).containsAll(checked);
    }

    @Test
    void alertRulesTheirUnitTestsAndTheExampleConfigPassPromtool() throws Exception {
        if (!Files.isExecutable(PROMTOOL)) {
            if ("1".equals(System.getenv("POOLCLIENT_REQUIRE_PROMTOOL"))) {
                throw new IllegalStateException("POOLCLIENT_REQUIRE_PROMTOOL=1 but " + PROMTOOL + " is missing");
            }
            assumeTrue(false, "promtool is not installed (Debian package prometheus)");
        }
        promtool("check", "rules", "pool-client-alerts.yml");
        promtool("test", "rules", "pool-client-alerts.test.yml");
        promtool("check", "config", "prometheus.yml");
    }

    private JsonNode load(String body) throws Exception {
        assertThat(runner.awaitIdle(Duration.ofSeconds(60))).isTrue();
        HttpResponse<String> started = http.postJson("/sample/load", body);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(runner.awaitIdle(Duration.ofSeconds(60))).isTrue();
        return JSON.readTree(http.get("/sample/load").body()).path("last");
    }

    /** Metric names in the dashboard's panel queries and template variables. */
    private static Set<String> dashboardMetrics() throws IOException {
        JsonNode dashboard = JSON.readTree(Files.readString(DASHBOARD));
        Set<String> names = new TreeSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metrics(target.path("expr").asString()));
                queries++;
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            names.addAll(metrics(variable.path("definition").asString("")));
        }
        assertThat(queries).as("queries in the dashboard").isGreaterThan(10);
        return names;
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static boolean pending(String prometheusName) {
        for (String meter : NAMES_PENDING) {
            String base = meter.replace('.', '_');
            if (prometheusName.equals(base) || prometheusName.startsWith(base + "_")) {
                return true;
            }
        }
        return false;
    }

    private static void promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 60 s");
        }
        System.out.println("promtool " + String.join(" ", args) + ":\n" + out);
        assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    }
}
