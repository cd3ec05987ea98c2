package io.poolclient.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class H2ReportTest {

    private static final Target SMALL = new Target("13 B", "/small", URI.create("https://127.0.0.1:1/small"),
            new byte[0], 13);

    @Test
    void poolClientThatSpokeHttp11IsNeverComparedAsH2() {
        String md = render(tally("pool-client-h2", 2000, "HTTP/1.1 (TLS)", 16), tally("pool-client-h1", 1500,
                "HTTP/1.1 (TLS)", 16), tally("jetty-h2", 1000, "HTTP/2.0 (TLS)", 1));

        String target = line(md, "| tls | 13 B | 16 | pool-client-h2 |");
        assertThat(target).contains("**not HTTP/2**").contains("HTTP/1.1 (TLS) ×16").doesNotContain("2.00×");
        assertThat(line(md, "| 13 B | 16 | 1,500 |")).contains("not HTTP/2");
        assertThat(line(md, "| 16 | **pool-client-h2** |")).contains("not h2");
    }

    @Test
    void poolClientThatSpokeH2IsComparedWithTheBestPeerThatSpokeH2() {
        String md = render(tally("pool-client-h2", 2200, "HTTP/2.0 (TLS)", 1), tally("pool-client-h1", 1100,
                "HTTP/1.1 (TLS)", 16), tally("jdk-h2", 3000, "HTTP/1.1 (TLS)", 1), tally("jetty-h2", 2000,
                "HTTP/2.0 (TLS)", 1));

        String target = line(md, "| tls | 13 B | 16 | pool-client-h2 |");
        assertThat(target).contains("| jetty-h2 |").contains("1.10× ✅");
        assertThat(line(md, "| 13 B | 16 | 1,100 |")).contains("| 2,200 |").contains("| 2.00 |");
    }

    private static String render(SideBySide.Tally... tallies) {
        Map<String, SideBySide.Tally> byId = new LinkedHashMap<>();
        for (SideBySide.Tally t : tallies) {
            byId.put(t.id, t);
        }
        SideBySide.Settings s = SideBySide.Settings.parse(new String[] {"--out", Path.of("unused.md").toString()});
        SideBySide.Cell cell = new SideBySide.Cell(new SideBySide.Load(16, false), SMALL, byId);
        return H2Report.render(s, List.of(new H2SideBySide.Section("tls", List.of(cell))), Map.of(), true, 1);
    }

    private static SideBySide.Tally tally(String id, long perSecond, String protocol, long connections) {
        SideBySide.Tally t = new SideBySide.Tally(id);
        Histogram latency = new Histogram();
        latency.record(1_000_000);
        t.absorb(new SideBySide.Run(perSecond, 0, 1_000_000_000L, 1_000_000_000L, latency, null, false), connections,
                true);
        t.protocols.put(protocol, connections);
        return t;
    }

    private static String line(String md, String start) {
        return md.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in\n" + md));
    }
}
