package io.poolclient.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live page at {@code /} in headless Chromium (Debian's {@code chromium}): after the scenarios
 * ran it must show the mounts and their host pools. Skipped where Chromium is missing, unless
 * {@code POOLCLIENT_REQUIRE_CHROMIUM=1} (set by CI), then it fails. Leaves a screenshot in
 * {@code target/sample-page.png}.
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
        boolean required = "1".equals(System.getenv("POOLCLIENT_REQUIRE_CHROMIUM"));
        if (!Files.isExecutable(CHROMIUM)) {
            if (required) {
                throw new IllegalStateException("POOLCLIENT_REQUIRE_CHROMIUM=1 but " + CHROMIUM + " is missing");
            }
            assumeTrue(false, "chromium is not installed");
        }
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
