package io.poolclient.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Markdown for the HTTP/2 cells: one table per transport and body size, the targets against the best
 * peer that spoke HTTP/2, and pool-client's HTTP/1.1 against its h2 over the same TLS listener. A
 * pool-client row whose connections nginx did not all log as HTTP/2 never enters a comparison as an h2
 * number.
 */
final class H2Report {

    private H2Report() {
    }

    static String render(SideBySide.Settings s, List<H2SideBySide.Section> sections, Map<String, String> descriptions,
            boolean virtualAvailable, long seconds) {
        StringBuilder md = new StringBuilder();
        md.append("## HTTP/2 side by side through `RestClient` (nginx h2 over TLS and h2c, 127.0.0.1)\n\n");
        md.append(String.format(Locale.ROOT,
                "Settings: connection cap **%s** for every client that has one; pool-client with pool-block true; per "
                        + "cell: every client built fresh, 1 warm-up round of %d ms, then %d measured round(s) of %d ms, "
                        + "interleaved (A B C … A B C …); each worker bounded by time and by %,d requests. Wall time %d s.%s\n\n",
                s.maxsize > 0 ? Integer.toString(s.maxsize) : "= threads", s.warmupMs, s.rounds, s.roundMs,
                s.maxRequestsPerThread, seconds, s.smoke ? " **SMOKE MODE: numbers are not meaningful.**" : ""));
        md.append("nginx: one process, one worker; a plain HTTP/1.1 listener, `listen … ssl http2` (TLS 1.2/1.3, ALPN h2 "
                + "and http/1.1, EC P-256 certificate for 127.0.0.1 from a CA generated for the run, which every client "
                + "trusts explicitly) and `listen … http2` (h2c, prior knowledge only); `keepalive_requests 1000000000`, "
                + "`keepalive_timeout 120s`, `http2_max_concurrent_streams` at its default 128. Body read fully as "
                + "`byte[]`. *nginx saw* = the protocol nginx logged for the first request of every connection that "
                + "client opened in the cell (one line per connection). *conns* = connections nginx accepted from that "
                + "client over warm-up and all rounds (`stub_status`). *CPU µs/req* = CPU time of the whole benchmark JVM "
                + "per request (nginx excluded). *× best h2 peer* compares with the fastest peer whose connections all "
                + "spoke HTTP/2 in that cell, for rows that spoke HTTP/2 only. *conns* can exceed the connections nginx "
                + "logged: a connection that carried no request is accepted but never logged.");
        if (!virtualAvailable) {
            md.append(" Virtual threads: not available on this JVM (Java 21+ needed), row skipped.");
        }
        md.append("\n\nClients:\n\n");
        descriptions.forEach((id, d) -> md.append("- `").append(id).append("`: ").append(d).append('\n'));
        md.append('\n');

        for (H2SideBySide.Section section : sections) {
            List<String> sizes = new ArrayList<>();
            section.cells().forEach(c -> {
                if (!sizes.contains(c.target().name())) {
                    sizes.add(c.target().name());
                }
            });
            for (String size : sizes) {
                SideBySide.Cell first = section.cells().stream().filter(c -> c.target().name().equals(size)).findFirst()
                        .orElseThrow();
                md.append("### ").append(section.transport().equals("tls") ? "h2 over TLS" : "h2c").append(", ")
                        .append(size).append(" (`").append(first.target().uri().getScheme()).append("://…")
                        .append(first.target().path()).append("`)\n\n");
                md.append("| threads | client | nginx saw | req/s | p50 µs | p99 µs | CPU µs/req | conns | errors "
                        + "| × best h2 peer | spread |\n");
                md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (SideBySide.Cell cell : section.cells()) {
                    if (!cell.target().name().equals(size)) {
                        continue;
                    }
                    SideBySide.Tally best = bestH2Peer(cell);
                    boolean firstRow = true;
                    for (SideBySide.Tally t : cell.tallies().values()) {
                        boolean ours = t.id.startsWith("pool-client");
                        md.append("| ").append(firstRow ? cell.load().label() : "").append(" | ")
                                .append(ours ? "**" + t.id + "**" : t.id).append(" | ")
                                .append(H2SideBySide.protocols(t)).append(" | ")
                                .append(String.format(Locale.ROOT, "%,.0f", t.rate())).append(" | ")
                                .append(Report.micros(t.latency.quantile(0.50))).append(" | ")
                                .append(Report.micros(t.latency.quantile(0.99))).append(" | ")
                                .append(String.format(Locale.ROOT, "%.1f", t.cpuMicrosPerRequest())).append(" | ")
                                .append(t.connections).append(" | ")
                                .append(t.errors == 0 ? "0" : t.errors + (t.stuck ? " (stuck)" : "")).append(" | ")
                                .append(!H2SideBySide.spokeH2(t) ? "not h2"
                                        : best == null || best.rate() == 0 ? "-"
                                        : String.format(Locale.ROOT, "%.2f", t.rate() / best.rate())).append(" | ")
                                .append(String.format(Locale.ROOT, "%.0f%%", t.spread() * 100)).append(" |\n");
                        firstRow = false;
                    }
                }
                md.append('\n');
            }
        }
        errors(md, sections);
        targets(md, sections);
        h1VersusH2(md, sections);
        return md.toString();
    }

    /** The fastest peer of the cell whose connections nginx all logged as HTTP/2, or null. */
    private static SideBySide.Tally bestH2Peer(SideBySide.Cell cell) {
        SideBySide.Tally best = null;
        for (SideBySide.Tally t : cell.tallies().values()) {
            if (H2Contenders.PEERS.contains(t.id) && H2SideBySide.spokeH2(t) && t.errors == 0
                    && (best == null || t.rate() > best.rate())) {
                best = t;
            }
        }
        return best;
    }

    private static void errors(StringBuilder md, List<H2SideBySide.Section> sections) {
        StringBuilder list = new StringBuilder();
        for (H2SideBySide.Section section : sections) {
            for (SideBySide.Cell cell : section.cells()) {
                for (SideBySide.Tally t : cell.tallies().values()) {
                    if (t.errors > 0 && t.firstError != null) {
                        list.append("- ").append(section.transport()).append(", ").append(cell.target().name()).append(", ")
                                .append(cell.load().label()).append(" threads, `").append(t.id).append("`: ")
                                .append(t.errors).append(" errors, first: `")
                                .append(shorten(t.firstError).replace('`', '\'').replace('|', '/')).append("`\n");
                    }
                }
            }
        }
        if (!list.isEmpty()) {
            md.append("Errors:\n\n").append(list).append('\n');
        }
    }

    private static String shorten(String text) {
        return text.length() <= 240 ? text : text.substring(0, 240) + "…";
    }

    /** pool-client's h2 (or h2c) cell against the best peer that spoke HTTP/2; target ≥ 1.10× at 16 and 64 threads. */
    private static void targets(StringBuilder md, List<H2SideBySide.Section> sections) {
        md.append("### Targets, HTTP/2\n\n");
        md.append("pool-client with h2 (TLS) or h2c against the best peer that spoke HTTP/2 in the same cell; the target "
                + "(≥ 1.10×) applies at 16 and 64 threads. A pool-client cell whose connections did not all speak HTTP/2 "
                + "has no h2 number and is marked so.\n\n");
        md.append("| transport | size | threads | pool-client | nginx saw | req/s | best h2 peer | peer req/s | ratio "
                + "| p99 pool-client / peer µs | CPU µs/req pool-client / peer |\n");
        md.append("|---|---|---|---|---|---:|---|---:|---:|---:|---:|\n");
        for (H2SideBySide.Section section : sections) {
            String id = section.transport().equals("tls") ? "pool-client-h2" : "pool-client-h2c";
            for (SideBySide.Cell cell : section.cells()) {
                SideBySide.Tally pc = cell.tallies().get(id);
                if (pc == null) {
                    continue;
                }
                SideBySide.Tally best = bestH2Peer(cell);
                boolean h2 = H2SideBySide.spokeH2(pc);
                boolean applies = !cell.load().virtual() && (cell.load().threads() == 16 || cell.load().threads() == 64);
                md.append("| ").append(section.transport()).append(" | ").append(cell.target().name()).append(" | ")
                        .append(cell.load().label()).append(" | ").append(id).append(" | ")
                        .append(H2SideBySide.protocols(pc)).append(" | ");
                if (!h2) {
                    md.append("**not HTTP/2**: no h2 number (").append(String.format(Locale.ROOT, "%,.0f", pc.rate()))
                            .append(" req/s, ").append(pc.errors).append(" errors) | ")
                            .append(best == null ? "-" : best.id).append(" | ")
                            .append(best == null ? "-" : String.format(Locale.ROOT, "%,.0f", best.rate()))
                            .append(" | n/a | n/a | n/a |\n");
                    continue;
                }
                double ratio = best == null || best.rate() == 0 ? 0 : pc.rate() / best.rate();
                md.append(String.format(Locale.ROOT, "%,.0f", pc.rate())).append(" | ")
                        .append(best == null ? "-" : best.id).append(" | ")
                        .append(best == null ? "-" : String.format(Locale.ROOT, "%,.0f", best.rate())).append(" | ")
                        .append(best == null ? "-" : String.format(Locale.ROOT, "%.2f×%s", ratio,
                                applies ? (ratio >= 1.10 ? " ✅" : " ❌") : "")).append(" | ")
                        .append(Report.micros(pc.latency.quantile(0.99))).append(" / ")
                        .append(best == null ? "-" : Report.micros(best.latency.quantile(0.99))).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f", pc.cpuMicrosPerRequest())).append(" / ")
                        .append(best == null ? "-" : String.format(Locale.ROOT, "%.1f", best.cpuMicrosPerRequest()))
                        .append(" |\n");
            }
        }
        md.append('\n');
    }

    /** pool-client over the same TLS listener with [http/1.1] and with [h2, http/1.1]. */
    private static void h1VersusH2(StringBuilder md, List<H2SideBySide.Section> sections) {
        StringBuilder rows = new StringBuilder();
        for (H2SideBySide.Section section : sections) {
            for (SideBySide.Cell cell : section.cells()) {
                SideBySide.Tally h1 = cell.tallies().get("pool-client-h1");
                SideBySide.Tally h2 = cell.tallies().get("pool-client-h2");
                if (h1 == null || h2 == null) {
                    continue;
                }
                boolean spoke = H2SideBySide.spokeH2(h2);
                rows.append("| ").append(cell.target().name()).append(" | ").append(cell.load().label()).append(" | ")
                        .append(String.format(Locale.ROOT, "%,.0f", h1.rate())).append(" | ")
                        .append(spoke ? String.format(Locale.ROOT, "%,.0f", h2.rate()) : "not HTTP/2").append(" | ")
                        .append(spoke && h1.rate() > 0 ? String.format(Locale.ROOT, "%.2f", h2.rate() / h1.rate()) : "n/a")
                        .append(" | ").append(Report.micros(h1.latency.quantile(0.99))).append(" / ")
                        .append(spoke ? Report.micros(h2.latency.quantile(0.99)) : "n/a").append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f", h1.cpuMicrosPerRequest())).append(" / ")
                        .append(spoke ? String.format(Locale.ROOT, "%.1f", h2.cpuMicrosPerRequest()) : "n/a").append(" | ")
                        .append(h1.connections).append(" / ").append(h2.connections).append(" |\n");
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("### pool-client: HTTP/1.1 against h2 over the same TLS listener\n\n");
        md.append("`pool-client-h1` (protocols [http/1.1], pool-maxsize = cap) against `pool-client-h2` (protocols "
                + "[h2, http/1.1], max-concurrent-streams 100).\n\n");
        md.append("| size | threads | HTTP/1.1 req/s | h2 req/s | h2 / HTTP/1.1 | p99 µs h1 / h2 | CPU µs/req h1 / h2 "
                + "| conns h1 / h2 |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        md.append(rows).append('\n');
    }
}
