package io.poolclient.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The live page at {@code /} in headless Chromium (Debian's {@code chromium}): after the scenarios
 * ran it must show the mounts and their host pools; clicking a load control must put points on the
 * charts. Skipped where Chromium is missing, unless {@code POOLCLIENT_REQUIRE_CHROMIUM=1} (set by
 * CI), then it fails. Leaves screenshots in {@code target/sample-page.png} and
 * {@code target/sample-page-load.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Timeout(120)
class PageTest {

    private static final int PORT = FreePort.find();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @DynamicPropertySource
    static void port(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
    }

    @Test
    void pageRendersTheLivePools() throws Exception {
        requireChromium();
        String url = "http://127.0.0.1:" + PORT + "/";
        Path profile = Files.createTempDirectory("chromium-profile");
        Path screenshot = Path.of("target", "sample-page.png").toAbsolutePath();
        String dom = chromium(profile, "--dump-dom", url);
        assertThat(dom).contains("data-mount=\"small\"", "data-mount=\"blocking\"", "data-mount=\"retrying\"");
        assertThat(dom).contains("class=\"pool\"");
        assertThat(dom).contains("http://localhost:" + PORT);
        chromium(profile, "--screenshot=" + screenshot, "--window-size=1200,1400", url);
        assertThat(screenshot).exists();
        System.out.println("sample page screenshot: " + screenshot);
    }

    /**
     * "Slow upstream" on the blocking mount (pool-maxsize 2, pool-block true): 8 calls answered
     * after 1.5 s each. The mount's chart must receive points showing both connections leased and
     * callers waiting, never more than 2 leased, and the run must end with every call answered.
     */
    @Test
    void slowUpstreamControlPutsLeasedAndWaitingOnTheCharts() throws Exception {
        requireChromium();
        Path profile = Files.createTempDirectory("chromium-profile");
        try (HeadlessChromium browser = new HeadlessChromium(CHROMIUM, profile)) {
            browser.open("http://127.0.0.1:" + PORT + "/");
            int before = browser.evaluate(waitFor("""
                    const chart = document.querySelector('.chart[data-mount="blocking"]');
                    const option = document.querySelector('#load-mount option[value="blocking"]');
                    return chart && option && Number(chart.dataset.points) > 0 ? Number(chart.dataset.points) : null;
                    """, 20_000), Duration.ofSeconds(20)).asInt();

            browser.evaluate("""
                    document.getElementById('load-mount').value = 'blocking';
                    document.getElementById('load-calls').value = '8';
                    document.getElementById('load-delay').value = '1500';
                    document.getElementById('load-slow').click();
                    true""", Duration.ofSeconds(5));

            JsonNode seen = browser.evaluate(waitFor("""
                    const chart = document.querySelector('.chart[data-mount="blocking"]');
                    const status = document.getElementById('load-status');
                    if (status.dataset.state !== 'done' || Number(chart.dataset.maxPending) < 1) return null;
                    return {points: Number(chart.dataset.points), maxLeased: Number(chart.dataset.maxLeased),
                            maxPending: Number(chart.dataset.maxPending), status: status.textContent};
                    """, 45_000), Duration.ofSeconds(45));
            System.out.println("blocking chart after the slow-upstream run: " + seen);

            assertThat(seen.path("points").asInt()).isGreaterThan(before);
            assertThat(seen.path("maxLeased").asInt()).isEqualTo(2);
            assertThat(seen.path("maxPending").asInt()).isBetween(1, 6);
            assertThat(seen.path("status").asString()).contains("8 calls", "done: 8 ok", "0 pool timeouts");
            Path screenshot = Path.of("target", "sample-page-load.png").toAbsolutePath();
            browser.screenshot(screenshot);
            System.out.println("sample page after the load: " + screenshot);
        }
    }

    /**
     * A promise that resolves to the first truthy value of {@code body} (a function body), checked
     * whenever the page's DOM changes; rejected after {@code timeoutMs}.
     */
    private static String waitFor(String body, int timeoutMs) {
        return "new Promise((resolve, reject) => {\n"
                + "  const value = () => {\n" + body + "\n};\n"
                + "  let observer; let timer;\n"
                + "  const check = () => { const v = value(); if (v) { observer.disconnect(); clearTimeout(timer); resolve(v); } };\n"
                + "  observer = new MutationObserver(check);\n"
                + "  timer = setTimeout(() => { observer.disconnect(); reject(new Error('not within " + timeoutMs
                + " ms: ' + value.toString())); }, " + timeoutMs + ");\n"
                + "  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});\n"
                + "  check();\n"
                + "})";
    }

    private static void requireChromium() {
        boolean required = "1".equals(System.getenv("POOLCLIENT_REQUIRE_CHROMIUM"));
        if (!Files.isExecutable(CHROMIUM)) {
            if (required) {
                throw new IllegalStateException("POOLCLIENT_REQUIRE_CHROMIUM=1 but " + CHROMIUM + " is missing");
            }
            assumeTrue(false, "chromium is not installed");
        }
    }

    private static String chromium(Path profile, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=4000"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
