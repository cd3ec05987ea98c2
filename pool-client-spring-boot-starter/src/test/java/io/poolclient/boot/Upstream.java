package io.poolclient.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer on 127.0.0.1 that answers every request with 200 and {@code ok <target>}, and
 * tells how many TCP connections the client really opened (from each request's connection index).
 */
public final class Upstream implements AutoCloseable {

    private final MockWebServer server = new MockWebServer();

    public Upstream() {
        this(null);
    }

    /**
     * @param tls when not {@code null}, the server speaks HTTPS with this socket factory
     */
    public Upstream(SSLSocketFactory tls) {
        if (tls != null) {
            server.useHttps(tls);
        }
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("ok " + request.getTarget()).build();
            }
        });
        try {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** {@code http://127.0.0.1:port} + path. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** {@code https://127.0.0.1:port} + path. */
    public String httpsUrl(String path) {
        return "https://127.0.0.1:" + port() + path;
    }

    /** The requests received so far, in arrival order (drains the server's queue). */
    public List<RecordedRequest> take(int count) {
        List<RecordedRequest> list = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
                if (r == null) {
                    throw new AssertionError("expected " + count + " requests, got " + i);
                }
                list.add(r);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
        return list;
    }

    /** How many distinct TCP connections the given requests came on. */
    public static int connections(List<RecordedRequest> requests) {
        Set<Integer> indexes = new HashSet<>();
        requests.forEach(r -> indexes.add(r.getConnectionIndex()));
        return indexes.size();
    }

    public int requestCount() {
        return server.getRequestCount();
    }

    @Override
    public void close() {
        server.close();
    }
}
