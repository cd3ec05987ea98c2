package io.poolclient.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The page's load controls through {@code POST /sample/load}: what a run does to the pools, and the
 * bounds it refuses to pass. The start-up scenarios are off, so the pools hold only this test's traffic.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = "sample.run-scenarios=false")
@Timeout(120)
class LoadRunnerTest {

    private static final int PORT = FreePort.find();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void port(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
    }

    @Autowired
    LoadRunner runner;

    @Autowired
    PoolClient pools;

    private final SampleHttp http = new SampleHttp(PORT);

    @Test
    void burstOnANonBlockingMountAnswersEveryCallAndKeepsAtMostMaxsizeIdle() throws Exception {
        JsonNode run = run("{\"mount\":\"small\",\"calls\":6,\"delayMs\":300,\"failPercent\":0}");

        assertThat(run.path("ok").asInt()).isEqualTo(6);
        assertThat(run.path("url").asString()).isEqualTo("http://localhost:" + PORT + "/upstream/load?ms=300&fail=0");
        PoolSnapshot pool = onlyPool("small");
        assertThat(pool.leased()).isZero();
        assertThat(pool.idle()).isBetween(1, 2);
        assertThat(pool.requests()).isEqualTo(6);
        // every connection opened is idle, discarded because the pool was full, or closed
        assertThat(pool.opened()).isEqualTo(pool.idle() + pool.discarded() + pool.closed());
    }

    @Test
    void flakyUpstreamOnTheRetryingMountIsRetried() throws Exception {
        JsonNode run = run("{\"mount\":\"retrying\",\"calls\":10,\"delayMs\":0,\"failPercent\":50}");

        assertThat(run.path("ok").asInt() + run.path("failedStatus").asInt()).isEqualTo(10);
        assertThat(run.path("otherErrors").asInt()).isZero();
        PoolSnapshot pool = onlyPool("retrying");
        assertThat(run.path("retries").asLong()).isPositive().isEqualTo(pool.requests() - 10);
        assertThat(pool.leased()).isZero();
    }

    @Test
    void refusesLoadOutOfBoundsAndASecondRunAtOnce() throws Exception {
        assertThat(start("{\"mount\":\"small\",\"calls\":0,\"delayMs\":0,\"failPercent\":0}").statusCode()).isEqualTo(400);
        assertThat(start("{\"mount\":\"small\",\"calls\":101,\"delayMs\":0,\"failPercent\":0}").statusCode()).isEqualTo(400);
        assertThat(start("{\"mount\":\"small\",\"calls\":1,\"delayMs\":5001,\"failPercent\":0}").statusCode()).isEqualTo(400);
        assertThat(start("{\"mount\":\"small\",\"calls\":1,\"delayMs\":0,\"failPercent\":101}").statusCode()).isEqualTo(400);
        assertThat(start("{\"mount\":\"nope\",\"calls\":1,\"delayMs\":0,\"failPercent\":0}").body()).contains("no mount 'nope'");
        assertThat(start("{\"mount\":\"https\",\"calls\":1,\"delayMs\":0,\"failPercent\":0}").statusCode()).isEqualTo(400);

        assertThat(runner.awaitIdle(Duration.ofSeconds(60))).isTrue();
        assertThat(start("{\"mount\":\"blocking\",\"calls\":2,\"delayMs\":3000,\"failPercent\":0}").statusCode()).isEqualTo(202);
        HttpResponse<String> second = start("{\"mount\":\"small\",\"calls\":1,\"delayMs\":0,\"failPercent\":0}");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("in progress");
        assertThat(runner.awaitIdle(Duration.ofSeconds(60))).isTrue();
        assertThat(JSON.readTree(http.get("/sample/load").body()).path("last").path("ok").asInt()).isEqualTo(2);
    }

    /** Starts a run once none is in progress and returns it as {@code GET /sample/load} shows it when done. */
    private JsonNode run(String body) throws Exception {
        assertThat(runner.awaitIdle(Duration.ofSeconds(60))).isTrue();
        HttpResponse<String> started = start(body);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long id = JSON.readTree(started.body()).path("id").asLong();
        assertThat(runner.awaitIdle(Duration.ofSeconds(60))).isTrue();
        JsonNode last = JSON.readTree(http.get("/sample/load").body()).path("last");
        assertThat(last.path("id").asLong()).isEqualTo(id);
        assertThat(last.path("running").asBoolean()).isFalse();
        return last;
    }

    private HttpResponse<String> start(String body) throws Exception {
        return http.postJson("/sample/load", body);
    }

    private PoolSnapshot onlyPool(String mount) {
        MountSnapshot m = pools.snapshot().mount(mount).orElseThrow();
        assertThat(m.pools()).hasSize(1);
        return m.pools().get(0);
    }
}
