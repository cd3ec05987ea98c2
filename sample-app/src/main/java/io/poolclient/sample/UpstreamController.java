package io.poolclient.sample;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The embedded upstream the scenarios call, so the sample needs no outside network. Every wait is
 * bounded (at most {@link #MAX_WAIT}).
 */
@RestController
@RequestMapping("/upstream")
class UpstreamController {

    static final Duration MAX_WAIT = Duration.ofSeconds(5);

    private final Map<String, CountDownLatch> groups = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> flakyCalls = new ConcurrentHashMap<>();

    /** A fast, small answer. */
    @GetMapping("/hello")
    Map<String, Object> hello() {
        return Map.of("message", "hello from the embedded upstream");
    }

    /** Answers after {@code ms} milliseconds (at most 5 s). */
    @GetMapping("/slow")
    Map<String, Object> slow(@RequestParam(defaultValue = "200") long ms) throws InterruptedException {
        Thread.sleep(Math.min(ms, MAX_WAIT.toMillis()));
        return Map.of("sleptMs", ms);
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

    /** Fails with 503 the first {@code failures} times it is called for an {@code id}, then answers 200. */
    @GetMapping("/flaky")
    ResponseEntity<Map<String, Object>> flaky(@RequestParam String id, @RequestParam(defaultValue = "2") int failures) {
        int call = flakyCalls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (call <= failures) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("call", call, "ok", false));
        }
        return ResponseEntity.ok(Map.of("call", call, "ok", true));
    }
}
