package io.poolclient.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Markdown for the side-by-side results: one table per body size, then the targets. */
final class Report {

    private Report() {
    }

    static String sideBySide(SideBySide.Settings s, List<SideBySide.Cell> cells, Map<String, String> descriptions,
            boolean virtualAvailable, long seconds) {
        StringBuilder md = new StringBuilder();
        String lead = s.lead();
        boolean userPath = BootContenders.owns(lead);
        md.append(userPath ? "## The user's path: Boot's auto-configured `RestClient.Builder` (nginx, 127.0.0.1)\n\n"
                : "## Side by side through `RestClient` (nginx, 127.0.0.1)\n\n");
        md.append(String.format(Locale.ROOT,
                "Settings: pool-maxsize / connection cap **%s** for every client that has one; %s; per cell: every client "
                        + "built fresh, 1 warm-up round of %d ms, then %d measured round(s) of %d ms, interleaved "
                        + "(A B C … A B C …); each worker bounded by time and by %,d requests. Wall time %d s.%s\n\n",
                s.maxsize > 0 ? Integer.toString(s.maxsize) : "= threads", "pool-client with pool-block true", s.warmupMs, s.rounds, s.roundMs, s.maxRequestsPerThread, seconds,
                s.smoke ? " **SMOKE MODE: numbers are not meaningful.**" : ""));
        md.append("nginx: one process, one worker, `keepalive_timeout 120s 120s`, `keepalive_requests 1000000000`, "
                + "access log off. " + (userPath
                        ? "Bodies read as a user does: `retrieve().body(String.class)`, the JSON target as a record "
                                + "(`body(Catalog.class)`) through Boot's Jackson converter. "
                        : "Body read fully as `byte[]` via `retrieve().body(byte[].class)`. ")
                + "Latency: per request, "
                + "log-linear histogram (±1.6%). *conns* = TCP connections nginx accepted from that client over warm-up "
                + "and all rounds of the cell (expected: min(threads, pool-maxsize); `simple` keeps one keep-alive cache "
                + "for the whole JVM, so it can show 0 where it reuses connections an earlier cell opened). "
                + "*spread* = (max − min) / mean of "
                + "the per-round rates. *CPU µs/req* = CPU time of the whole benchmark JVM (all threads: the client's I/O "
                + "threads, JIT and GC included; nginx excluded) per request: less sensitive to a shared machine's load "
                + "than req/s.");
        if (!virtualAvailable) {
            md.append(" Virtual threads: not available on this JVM (Java 21+ needed), row skipped.");
        }
        md.append("\n\nClients:\n\n");
        descriptions.forEach((id, d) -> md.append("- `").append(id).append("`: ").append(d).append('\n'));
        md.append('\n');

        List<String> sizes = new ArrayList<>();
        cells.forEach(c -> {
            if (!sizes.contains(c.target().name())) {
                sizes.add(c.target().name());
            }
        });
        for (String size : sizes) {
            SideBySide.Cell first = cells.stream().filter(c -> c.target().name().equals(size)).findFirst().orElseThrow();
            md.append("### ").append(size).append(" (`").append(first.target().path()).append("`)\n\n");
            md.append("| threads | client | req/s | p50 µs | p99 µs | CPU µs/req | conns | errors | × " + lead + " | × raw | spread |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (SideBySide.Cell cell : cells) {
                if (!cell.target().name().equals(size)) {
                    continue;
                }
                SideBySide.Tally pc = cell.tallies().get(lead);
                SideBySide.Tally raw = cell.tallies().get("raw");
                boolean firstRow = true;
                for (SideBySide.Tally t : cell.tallies().values()) {
                    md.append("| ").append(firstRow ? cell.load().label() : "").append(" | ")
                            .append(t.id.equals(lead) ? "**" + lead + "**" : t.id).append(" | ")
                            .append(String.format(Locale.ROOT, "%,.0f", t.rate())).append(" | ")
                            .append(micros(t.latency.quantile(0.50))).append(" | ")
                            .append(micros(t.latency.quantile(0.99))).append(" | ")
                            .append(String.format(Locale.ROOT, "%.1f", t.cpuMicrosPerRequest())).append(" | ")
                            .append(t.connections).append(" | ")
                            .append(t.errors == 0 ? "0" : t.errors + (t.stuck ? " (stuck)" : "")).append(" | ")
                            .append(ratio(t, pc)).append(" | ")
                            .append(ratio(t, raw)).append(" | ")
                            .append(String.format(Locale.ROOT, "%.0f%%", t.spread() * 100)).append(" |\n");
                    firstRow = false;
                }
            }
            md.append('\n');
        }
        errors(md, cells);
        targets(md, s, cells);
        if (userPath) {
            userPathTargets(md, s, cells);
        }
        return md.toString();
    }

    private static void errors(StringBuilder md, List<SideBySide.Cell> cells) {
        StringBuilder list = new StringBuilder();
        for (SideBySide.Cell cell : cells) {
            for (SideBySide.Tally t : cell.tallies().values()) {
                if (t.errors > 0 && t.firstError != null) {
                    list.append("- ").append(cell.target().name()).append(", ").append(cell.load().label())
                            .append(" threads, `").append(t.id).append("`: ").append(t.errors).append(" errors, first: `")
                            .append(t.firstError.replace('`', '\'').replace('|', '/')).append("`\n");
                }
            }
        }
        if (!list.isEmpty()) {
            md.append("Errors:\n\n").append(list).append('\n');
        }
    }

    private static void targets(StringBuilder md, SideBySide.Settings s, List<SideBySide.Cell> cells) {
        if (cells.isEmpty() || !cells.get(0).tallies().containsKey("pool-client")) {
            return;
        }
        md.append("### Targets, side by side\n\n");
        md.append("Best peer = the Spring peer (hc5, jdk, jetty, reactor, simple) with the highest req/s in that cell; "
                + "its p99 is the one compared. *Best capped peer* = the best of the peers that opened no more than "
                + "min(threads, cap) connections in that cell, i.e. that held the same connection budget as pool-client "
                + "(`simple` has no cap and `jdk` none either; at 64 threads they open up to 64–250).\n\n");
        md.append("| size | threads | pool-client req/s | best peer | peer req/s | ratio (≥ 1.10) | p99 pool-client / peer µs "
                + "| p99 ok | best capped peer | ratio | × raw (≥ 0.75 at 1 thread) | conns (expected) |\n");
        md.append("|---|---|---:|---|---:|---:|---:|---|---|---:|---:|---:|\n");
        for (SideBySide.Cell cell : cells) {
            SideBySide.Tally pc = cell.tallies().get("pool-client");
            SideBySide.Tally raw = cell.tallies().get("raw");
            int expected = Math.min(cell.load().threads(), s.maxsizeFor(cell.load()));
            SideBySide.Tally best = null;
            SideBySide.Tally capped = null;
            for (String id : Contenders.PEERS) {
                SideBySide.Tally t = cell.tallies().get(id);
                if (t != null && (best == null || t.rate() > best.rate())) {
                    best = t;
                }
                if (t != null && t.connections <= expected && (capped == null || t.rate() > capped.rate())) {
                    capped = t;
                }
            }
            double cappedRatio = capped == null || capped.rate() == 0 ? 0 : pc.rate() / capped.rate();
            double ratio = best == null || best.rate() == 0 ? 0 : pc.rate() / best.rate();
            long p99 = pc.latency.quantile(0.99);
            long peerP99 = best == null ? 0 : best.latency.quantile(0.99);
            double toRaw = raw == null || raw.rate() == 0 ? 0 : pc.rate() / raw.rate();
            boolean rawApplies = cell.load().threads() == 1 && !cell.load().virtual();
            md.append("| ").append(cell.target().name()).append(" | ").append(cell.load().label()).append(" | ")
                    .append(String.format(Locale.ROOT, "%,.0f", pc.rate())).append(" | ")
                    .append(best == null ? "-" : best.id).append(" | ")
                    .append(best == null ? "-" : String.format(Locale.ROOT, "%,.0f", best.rate())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f× %s", ratio, ratio >= 1.10 ? "✅" : "❌")).append(" | ")
                    .append(micros(p99)).append(" / ").append(micros(peerP99)).append(" | ")
                    .append(p99 <= peerP99 ? "✅" : "❌").append(" | ")
                    .append(capped == null ? "-" : capped.id).append(" | ")
                    .append(capped == null ? "-" : String.format(Locale.ROOT, "%.2f× %s", cappedRatio, cappedRatio >= 1.10 ? "✅" : "❌"))
                    .append(" | ")
                    .append(raw == null ? "-" : String.format(Locale.ROOT, "%.2f× %s", toRaw,
                            rawApplies ? (toRaw >= 0.75 ? "✅" : "❌") : "")).append(" | ")
                    .append(pc.connections).append(" (").append(expected).append(") ")
                    .append(pc.connections == expected ? "✅" : "❌").append(" |\n");
        }
        md.append('\n');
    }

    /**
     * The user's-path targets: pool-client against HttpClient 5, both through Boot's auto-configured builder
     * (req/s ≥ 1.10×, CPU per request ≤ 0.85×), and its p99 against the best peer that held the same
     * connection budget; the same for the pair with Micrometer on where both ran.
     */
    private static void userPathTargets(StringBuilder md, SideBySide.Settings s, List<SideBySide.Cell> cells) {
        md.append("### Targets on the user's path\n\n");
        md.append("pool-client / HttpClient 5, both from Boot's auto-configured builder in the same run; *capped peer* = the "
                + "best Boot peer that opened no more than min(threads, cap) connections.\n\n");
        md.append("| size | threads | pair | req/s ratio (≥ 1.10) | CPU µs/req pool-client / hc5 | CPU ratio (≤ 0.85) "
                + "| p99 µs pool-client / best capped peer | p99 ok |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---|\n");
        for (SideBySide.Cell cell : cells) {
            int cap = s.maxsizeFor(cell.load());
            int expected = Math.min(cell.load().threads(), cap);
            for (String suffix : List.of("", "-metrics")) {
                SideBySide.Tally pc = cell.tallies().get("boot-pool-client" + suffix);
                SideBySide.Tally hc5 = cell.tallies().get("boot-hc5" + suffix);
                if (pc == null || hc5 == null || hc5.rate() == 0) {
                    continue;
                }
                SideBySide.Tally capped = null;
                for (SideBySide.Tally t : cell.tallies().values()) {
                    boolean peer = BootContenders.owns(t.id) && !t.id.startsWith("boot-pool-client")
                            && t.id.endsWith("-metrics") == !suffix.isEmpty();
                    if (peer && t.connections <= expected && (capped == null || t.rate() > capped.rate())) {
                        capped = t;
                    }
                }
                double ratio = pc.rate() / hc5.rate();
                double cpu = hc5.cpuMicrosPerRequest() <= 0 ? 0 : pc.cpuMicrosPerRequest() / hc5.cpuMicrosPerRequest();
                long p99 = pc.latency.quantile(0.99);
                long peerP99 = capped == null ? 0 : capped.latency.quantile(0.99);
                md.append("| ").append(cell.target().name()).append(" | ").append(cell.load().label()).append(" | ")
                        .append(suffix.isEmpty() ? "no Micrometer" : "Micrometer on").append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f× %s", ratio, ratio >= 1.10 ? "✅" : "❌")).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f / %.1f", pc.cpuMicrosPerRequest(), hc5.cpuMicrosPerRequest()))
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f %s", cpu, cpu > 0 && cpu <= 0.85 ? "✅" : "❌")).append(" | ")
                        .append(micros(p99)).append(" / ").append(capped == null ? "-" : micros(peerP99) + " (" + capped.id + ")")
                        .append(" | ").append(capped != null && p99 <= peerP99 ? "✅" : "❌").append(" |\n");
            }
        }
        md.append('\n');
    }

    private static String ratio(SideBySide.Tally t, SideBySide.Tally base) {
        if (base == null || base.rate() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", t.rate() / base.rate());
    }

    static String micros(long nanos) {
        double us = nanos / 1000.0;
        return us < 100 ? String.format(Locale.ROOT, "%.1f", us) : String.format(Locale.ROOT, "%,.0f", us);
    }
}
