package io.poolclient.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sample's scenarios run at start-up exactly as a user sees them; this pins the numbers they print. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Timeout(120)
class SampleScenariosTest {

    @DynamicPropertySource
    static void port(DynamicPropertyRegistry registry) {
        int port = FreePort.find();
        registry.add("server.port", () -> port);
    }

    @Autowired
    ScenarioRunner runner;

    @Test
    void scenariosPrintTheNumbersOfTheRequestsModel() {
        List<ScenarioReport> reports = runner.reports();
        assertThat(reports).hasSize(5);

        ScenarioReport reuse = reports.get(0);
        assertThat(reuse.connectionsSeen()).isEqualTo(1);
        assertThat(reuse.opened()).isEqualTo(1);
        assertThat(reuse.reused()).isEqualTo(4);

        ScenarioReport lru = reports.get(1);
        assertThat(lru.evicted()).isEqualTo(3);
        assertThat(lru.connectionsSeen()).isEqualTo(4);

        ScenarioReport overflow = reports.get(2);
        assertThat(overflow.connectionsSeen()).isEqualTo(4);
        assertThat(overflow.opened()).isEqualTo(4);
        assertThat(overflow.discarded()).isEqualTo(2);

        ScenarioReport blocking = reports.get(3);
        assertThat(blocking.opened()).isBetween(1L, 2L);
        assertThat(blocking.connectionsSeen()).isEqualTo((int) blocking.opened());
        assertThat(blocking.reused()).isEqualTo(6 - blocking.opened());

        ScenarioReport retries = reports.get(4);
        assertThat(retries.attempts()).isEqualTo(3);
        assertThat(retries.retried()).isEqualTo(2);
        // Tomcat closes the connection after every 503, so each attempt needed a connection of its own
        assertThat(retries.connectionsSeen()).isEqualTo(3);
        assertThat(retries.opened()).isEqualTo(3);
    }
}
