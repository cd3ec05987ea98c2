package io.poolclient.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A headless Chromium with one tab, driven over the DevTools protocol (a WebSocket on 127.0.0.1):
 * {@link #open} loads a page, {@link #evaluate} runs JavaScript in it and waits for its value,
 * promises included. Every wait is bounded. For one test thread; {@link #close()} ends the browser.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration START = Duration.ofSeconds(30);

    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> events = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final WebSocket socket;

    /**
     * Starts Chromium and connects to its tab. A start that prints no DevTools address within
     * {@link #START} is killed and made once more with a fresh profile (a loaded machine sometimes
     * stalls the first start); two stalled starts fail.
     */
    HeadlessChromium(Path binary, Path profile) throws Exception {
        Process started = null;
        URI browser = null;
        TimeoutException stalled = null;
        for (int attempt = 1; attempt <= 2 && browser == null; attempt++) {
            Path dir = attempt == 1 ? profile : Files.createDirectories(profile.resolve("second-start"));
            Process p = launch(binary, dir);
            started = p;
            try {
                browser = URI.create(CompletableFuture.supplyAsync(() -> devToolsAddress(p))
                        .get(START.toMillis(), TimeUnit.MILLISECONDS));
            }
            catch (TimeoutException e) {
                stalled = e;
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            catch (Exception e) {
                p.destroyForcibly();
                throw e;
            }
        }
        if (browser == null) {
            throw new IllegalStateException("chromium printed no DevTools address within " + START.toSeconds()
                    + " s, twice", stalled);
        }
        process = started;
        try {
            socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(pageSocket(browser), new Replies())
                    .get(10, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static Process launch(Path binary, Path profile) throws IOException {
        return new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=1200,1400", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Loads {@code url} in the tab and waits for its load event (at most 30 s). */
    void open(String url) throws Exception {
        call("Page.enable", json.createObjectNode(), Duration.ofSeconds(10));
        CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
        events.put("Page.loadEventFired", loaded);
        ObjectNode params = json.createObjectNode();
        params.put("url", url);
        JsonNode result = call("Page.navigate", params, Duration.ofSeconds(10));
        if (result.has("errorText")) {
            throw new AssertionError("cannot open " + url + ": " + result.path("errorText"));
        }
        loaded.get(30, TimeUnit.SECONDS);
    }

    /**
     * The value of a JavaScript expression in the page; a promise is awaited (for at most
     * {@code timeout}).
     */
    JsonNode evaluate(String expression, Duration timeout) throws Exception {
        ObjectNode params = json.createObjectNode();
        params.put("expression", expression);
        params.put("awaitPromise", true);
        params.put("returnByValue", true);
        JsonNode result = call("Runtime.evaluate", params, timeout.plusSeconds(5));
        if (result.has("exceptionDetails")) {
            throw new AssertionError("the page threw: " + result.path("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Saves what the tab shows as a PNG. */
    void screenshot(Path file) throws Exception {
        JsonNode result = call("Page.captureScreenshot", json.createObjectNode(), Duration.ofSeconds(20));
        Files.write(file, Base64.getDecoder().decode(result.path("data").asString()));
    }

    private JsonNode call(String method, ObjectNode params, Duration timeout) throws Exception {
        long id = ids.incrementAndGet();
        ObjectNode message = json.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", params);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        socket.sendText(json.writeValueAsString(message), true).get(5, TimeUnit.SECONDS);
        JsonNode answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.path("error"));
        }
        return answer.path("result");
    }

    /** The browser's DevTools address, from the line Chromium prints on stderr when it listens. */
    private static String devToolsAddress(Process process) {
        try (BufferedReader err = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    String address = m.group(1);
                    // keep draining stderr so that Chromium never blocks on a full pipe
                    Thread drain = new Thread(() -> err.lines().forEach(l -> { }), "chromium-stderr");
                    drain.setDaemon(true);
                    drain.start();
                    return address;
                }
            }
            throw new IllegalStateException("chromium exited without opening DevTools");
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The WebSocket of the browser's tab, from its {@code /json/list}. */
    private URI pageSocket(URI browser) throws Exception {
        URI list = URI.create("http://" + browser.getAuthority() + "/json/list");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(list).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : json.readTree(response.body())) {
            if ("page".equals(target.path("type").asString())) {
                return URI.create(target.path("webSocketDebuggerUrl").asString());
            }
        }
        throw new IllegalStateException("no tab in " + response.body());
    }

    @Override
    public void close() throws InterruptedException {
        if (socket != null) {
            socket.abort();
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Collects text frames into messages and completes the call each answers. */
    private final class Replies implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = json.readTree(partial.toString());
                partial.setLength(0);
                if (message.has("id")) {
                    CompletableFuture<JsonNode> reply = replies.remove(message.path("id").asLong());
                    if (reply != null) {
                        reply.complete(message);
                    }
                }
                else if (message.has("method")) {
                    CompletableFuture<JsonNode> awaited = events.remove(message.path("method").asString());
                    if (awaited != null) {
                        awaited.complete(message);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            replies.values().forEach(r -> r.completeExceptionally(error));
            events.values().forEach(e -> e.completeExceptionally(error));
        }
    }
}
