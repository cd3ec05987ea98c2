package io.poolclient.sample;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The embedded upstream the scenarios and the page's load controls call, so the sample needs no
 * outside network. Every wait is bounded (at most {@link #MAX_WAIT}). {@code /load}, {@code /slow}
 * and {@code /flaky} all take {@code ms} (answer after that many milliseconds) and {@code fail} (the
 * percentage of calls answered with 503, spread evenly over consecutive calls), so that load can be
 * aimed at any mount whose prefix leads here.
 */
@RestController
@RequestMapping("/upstream")
class UpstreamController {

    static final Duration MAX_WAIT = Duration.ofSeconds(5);

    private final Map<String, CountDownLatch> groups = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> flakyCalls = new ConcurrentHashMap<>();
    private final AtomicLong shaped = new AtomicLong();

    /** A fast, small answer. */
    @GetMapping("/hello")
    Map<String, Object> hello() {
        return Map.of("message", "hello from the embedded upstream");
    }

    /** Answers after {@code ms} milliseconds (at most 5 s); {@code fail} percent of the calls with 503. */
    @GetMapping("/slow")
    ResponseEntity<Map<String, Object>> slow(@RequestParam(defaultValue = "200") long ms,
            @RequestParam(defaultValue = "0") int fail) throws InterruptedException {
        return shaped(ms, fail);
    }

    /** The target of the page's load on mounts whose prefix ends in {@code /}: like {@code /slow}, 0 ms by default. */
    @GetMapping("/load")
    ResponseEntity<Map<String, Object>> load(@RequestParam(defaultValue = "0") long ms,
            @RequestParam(defaultValue = "0") int fail) throws InterruptedException {
        return shaped(ms, fail);
    }

    /**
     * Answers once {@code n} requests of the same {@code group} are all in flight (or after 5 s), so
     * that a scenario can prove its callers really overlapped.
     */
    @GetMapping("/gather")
    Map<String, Object> gather(@RequestParam String group, @RequestParam int n) throws InterruptedException {
        CountDownLatch latch = groups.computeIfAbsent(group, g -> new CountDownLatch(n));
        latch.countDown();
        boolean all = latch.await(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return Map.of("group", group, "together", all);
    }

    /**
     * With an {@code id}: fails with 503 the first {@code failures} times it is called for that id, then
     * answers 200. Without: like {@code /load}, failing {@code fail} percent of the calls (50 by default).
     */
    @GetMapping("/flaky")
    ResponseEntity<Map<String, Object>> flaky(@RequestParam(required = false) String id,
            @RequestParam(defaultValue = "2") int failures, @RequestParam(defaultValue = "0") long ms,
            @RequestParam(defaultValue = "50") int fail) throws InterruptedException {
        if (id == null) {
            return shaped(ms, fail);
        }
        int call = flakyCalls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (call <= failures) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("call", call, "ok", false));
        }
        return ResponseEntity.ok(Map.of("call", call, "ok", true));
    }

    /**
     * Waits {@code ms} (at most {@link #MAX_WAIT}), then answers 503 for {@code fail} percent of the
     * calls: call n fails when n × fail / 100 steps up, so any 100 consecutive calls fail exactly
     * {@code fail} times.
     */
    private ResponseEntity<Map<String, Object>> shaped(long ms, int fail) throws InterruptedException {
        if (ms > 0) {
            Thread.sleep(Math.min(ms, MAX_WAIT.toMillis()));
        }
        long n = shaped.getAndIncrement();
        int percent = Math.max(0, Math.min(100, fail));
        boolean failed = (n + 1) * percent / 100 > n * percent / 100;
        HttpStatus status = failed ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK;
        return ResponseEntity.status(status).body(Map.of("sleptMs", Math.max(0, ms), "ok", !failed));
    }
}
