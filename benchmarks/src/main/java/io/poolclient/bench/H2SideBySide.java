package io.poolclient.bench;

import io.poolclient.testing.nginx.PrivateNginx;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP/2 cells: side by side through {@code RestClient} against {@link H2Nginx}, per transport
 * ({@code tls}: h2 by ALPN; {@code h2c}: prior knowledge) and per thread count, with the same interleaved
 * rounds, bounds and columns as {@link SideBySide}, plus the protocol nginx logged for every connection
 * each client opened (so a client that fell back to HTTP/1.1 shows as such).
 *
 * <p>Usage: {@code H2SideBySide [--smoke] [--transports tls,h2c] [--threads 1,16,64] [--virtual 64|0]
 * [--sizes small,json] [--contenders ...] [--warmup-ms N] [--round-ms N] [--rounds N] [--maxsize N|threads]
 * [--out file.md]}. The connection cap defaults to the thread count; {@code --contenders} filters the
 * transports' lists.
 */
public final class H2SideBySide {

    private H2SideBySide() {
    }

    /** One transport's cells. */
    record Section(String transport, List<SideBySide.Cell> cells) {
    }

    public static void main(String[] args) throws Exception {
        List<String> transports = List.of("tls", "h2c");
        List<String> rest = new ArrayList<>();
        boolean sizesGiven = false;
        boolean maxsizeGiven = false;
        boolean contendersGiven = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--transports") && i + 1 < args.length) {
                transports = List.of(args[++i].split(","));
                continue;
            }
            sizesGiven |= args[i].equals("--sizes");
            maxsizeGiven |= args[i].equals("--maxsize");
            contendersGiven |= args[i].equals("--contenders");
            rest.add(args[i]);
        }
        SideBySide.Settings s = SideBySide.Settings.parse(rest.toArray(String[]::new));
        if (!sizesGiven) {
            s.sizes = List.of("small", "json");
        }
        if (!maxsizeGiven) {
            s.maxsize = 0; // = threads
        }
        List<SideBySide.Load> loads = new ArrayList<>();
        s.threads.forEach(t -> loads.add(new SideBySide.Load(t, false)));
        boolean virtualAvailable = SideBySide.virtualThreadsSupported();
        if (s.virtualThreads > 0 && virtualAvailable) {
            loads.add(new SideBySide.Load(s.virtualThreads, true));
        }
        Map<String, String> descriptions = new LinkedHashMap<>();
        List<Section> sections = new ArrayList<>();
        long started = System.nanoTime();
        try (H2Nginx nginx = H2Nginx.start()) {
            for (String transport : transports) {
                List<String> ids = new ArrayList<>(H2Contenders.of(transport));
                if (contendersGiven) {
                    ids.retainAll(s.contenders);
                }
                if (ids.isEmpty()) {
                    continue;
                }
                warmUpJvm(s, nginx, transport, ids);
                List<SideBySide.Cell> cells = new ArrayList<>();
                for (String size : s.sizes) {
                    Target target = target(nginx, transport, size);
                    for (SideBySide.Load load : loads) {
                        cells.add(runCell(s, nginx, ids, target, load, descriptions));
                    }
                }
                sections.add(new Section(transport, cells));
            }
        }
        String report = H2Report.render(s, sections, descriptions, virtualAvailable,
                (System.nanoTime() - started) / 1_000_000_000);
        Files.createDirectories(s.out.toAbsolutePath().getParent());
        Files.writeString(s.out, report);
        System.out.println("h2 side-by-side: wrote " + s.out);
        System.exit(0); // some peers keep non-daemon threads (Reactor's event loops, Jetty's)
    }

    /** The size's location on the transport's listener. */
    static Target target(H2Nginx nginx, String transport, String size) {
        Target plain = Target.of(nginx.nginx(), size);
        URI uri = transport.equals("tls") ? nginx.tls(plain.path()) : nginx.h2c(plain.path());
        return new Target(plain.name(), plain.path(), uri, plain.rawRequest(), plain.expectedLength());
    }

    /** A few seconds of every contender with a few threads, so the JIT has compiled the common paths. Not reported. */
    private static void warmUpJvm(SideBySide.Settings s, H2Nginx nginx, String transport, List<String> ids)
            throws Exception {
        if (s.jvmWarmupMs <= 0) {
            return;
        }
        long perRun = Math.max(50, s.jvmWarmupMs / s.sizes.size());
        SideBySide.Load load = new SideBySide.Load(4, false);
        for (String id : ids) {
            try (Contender c = H2Contenders.create(id, nginx, s.maxsizeFor(load))) {
                for (String size : s.sizes) {
                    SideBySide.run(c, target(nginx, transport, size), load, perRun, s.maxRequestsPerThread);
                }
            }
        }
        System.out.println("JVM warm-up done (" + transport + ")");
    }

    private static SideBySide.Cell runCell(SideBySide.Settings s, H2Nginx nginx, List<String> ids, Target target,
            SideBySide.Load load, Map<String, String> descriptions) throws Exception {
        Map<String, Contender> contenders = new LinkedHashMap<>();
        Map<String, SideBySide.Tally> tallies = new LinkedHashMap<>();
        PrivateNginx server = nginx.nginx();
        try {
            for (String id : ids) {
                Contender c = H2Contenders.create(id, nginx, s.maxsizeFor(load));
                contenders.put(id, c);
                descriptions.putIfAbsent(id, c.description());
                tallies.put(id, new SideBySide.Tally(id));
            }
            for (int round = 0; round <= s.rounds; round++) {
                boolean measured = round > 0;
                for (Contender c : contenders.values()) {
                    long before = server.acceptsExcludingSelf();
                    long logged = nginx.connectionLogOffset();
                    SideBySide.Run run = SideBySide.run(c, target, load, measured ? s.roundMs : s.warmupMs,
                            s.maxRequestsPerThread);
                    long opened = server.acceptsExcludingSelf() - before;
                    SideBySide.Tally tally = tallies.get(c.id());
                    tally.absorb(run, opened, measured);
                    nginx.protocolsSince(logged).forEach((protocol, n) -> tally.protocols.merge(protocol, n, Long::sum));
                    if (!server.isRunning()) {
                        throw new IllegalStateException("nginx died: " + server.log());
                    }
                }
            }
        }
        finally {
            contenders.values().forEach(Contender::close);
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-5s %-10s %-10s",
                target.uri().getScheme(), target.name(), load.label()));
        tallies.values().forEach(t -> line.append(String.format(Locale.ROOT, "  %s %.0f/s p99 %dus c%d %s%s", t.id,
                t.rate(), t.latency.quantile(0.99) / 1000, t.connections, t.protocols,
                t.errors > 0 ? " ERR" + t.errors : "")));
        System.out.println(line);
        return new SideBySide.Cell(load, target, tallies);
    }

    /** Whether every connection nginx logged for {@code tally} spoke HTTP/2 (and there was at least one). */
    static boolean spokeH2(SideBySide.Tally tally) {
        return !tally.protocols.isEmpty() && tally.protocols.keySet().stream().allMatch(p -> p.startsWith("HTTP/2"));
    }

    /** {@code HTTP/2.0 (TLS) ×1, HTTP/1.1 (TLS) ×3}, or {@code none logged}. */
    static String protocols(SideBySide.Tally tally) {
        if (tally.protocols.isEmpty()) {
            return "none logged";
        }
        List<String> parts = new ArrayList<>();
        tally.protocols.forEach((p, n) -> parts.add(p + " ×" + n));
        return String.join(", ", parts);
    }
}
