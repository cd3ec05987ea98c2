package io.poolclient.bench;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Request;
import io.poolclient.Response;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import io.poolclient.testing.nginx.PrivateNginx;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.JettyClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Builds the contenders, each configured the way its users would for one host with
 * {@code maxsize} pooled connections: the same cap wherever the client has one, 10 s connect and read
 * timeouts, HTTP/1.1, everything else at its defaults.
 */
public final class Contenders {

    /**
     * The side-by-side contenders: pool-client first, then the Spring peers, then the engine without
     * Spring (what {@code RestClient} itself costs) and the raw ceiling.
     */
    public static final List<String> SIDE_BY_SIDE = List.of("pool-client", "hc5", "jdk", "jetty", "reactor", "simple",
            "pool-client-engine", "raw");

    /** The Spring peers (everything but pool-client and raw). */
    public static final List<String> PEERS = List.of("hc5", "jdk", "jetty", "reactor", "simple");

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Contenders() {
    }

    /**
     * Sizes {@code HttpURLConnection}'s keep-alive cache ({@code http.maxConnections}); it is read once,
     * so this must run before any {@code HttpURLConnection} is used.
     */
    public static void configureHttpUrlConnection(int maxsize) {
        System.setProperty("http.maxConnections", Integer.toString(maxsize));
    }

    /** A new contender talking to {@code nginx}'s host and port. */
    public static Contender create(String id, PrivateNginx nginx, int maxsize) throws Exception {
        if (BootContenders.owns(id)) {
            return BootContenders.create(id, maxsize);
        }
        return switch (id) {
            case "pool-client" -> poolClient(maxsize);
            case "pool-client-engine" -> poolClientEngine(maxsize);
            case "hc5" -> hc5(maxsize);
            case "jdk" -> jdk();
            case "jetty" -> jetty(maxsize);
            case "reactor" -> reactor(maxsize);
            case "simple" -> simple(maxsize);
            case "raw" -> new RawClient("127.0.0.1", nginx.port(), maxsize);
            default -> throw new IllegalArgumentException("unknown contender '" + id + "'");
        };
    }

    static PoolClient engine(int maxsize) {
        return PoolClient.builder()
                .defaults(MountSettings.builder()
                        .poolMaxsize(maxsize)
                        .poolBlock(true)
                        .connectTimeout(TIMEOUT)
                        .readTimeout(TIMEOUT)
                        .build())
                .build();
    }

    private static Contender poolClient(int maxsize) {
        PoolClient engine = engine(maxsize);
        return new SpringContender("pool-client", "PoolingClientHttpRequestFactory, pool-maxsize " + maxsize
                + ", pool-block true", new PoolingClientHttpRequestFactory(engine), engine::close);
    }

    private static Contender poolClientEngine(int maxsize) {
        PoolClient engine = engine(maxsize);
        return new Contender() {
            private final ThreadLocal<byte[]> buffer = ThreadLocal.withInitial(() -> new byte[8192]);

            @Override
            public String id() {
                return "pool-client-engine";
            }

            @Override
            public String description() {
                return "PoolClient.execute without Spring, body read into a reused buffer";
            }

            @Override
            public int get(Target target) throws Exception {
                byte[] buf = buffer.get();
                int total = 0;
                try (Response response = engine.execute(Request.get(target.uri()));
                        InputStream in = response.body()) {
                    for (int n; (n = in.read(buf)) >= 0;) {
                        total += n;
                    }
                }
                return total;
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }

    private static Contender hc5(int maxsize) {
        PoolingHttpClientConnectionManager manager = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(maxsize)
                .setMaxConnTotal(maxsize)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(TIMEOUT))
                        .setSocketTimeout(Timeout.of(TIMEOUT))
                        .build())
                .build();
        CloseableHttpClient client = HttpClients.custom().setConnectionManager(manager).build();
        return new SpringContender("hc5", "HttpComponentsClientHttpRequestFactory, HttpClient 5 classic, "
                + "PoolingHttpClientConnectionManager max per route = max total = " + maxsize,
                new HttpComponentsClientHttpRequestFactory(client), client::close);
    }

    private static Contender jdk() {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(client);
        factory.setReadTimeout(TIMEOUT);
        return new SpringContender("jdk", "JdkClientHttpRequestFactory, java.net.http.HttpClient HTTP/1.1 "
                + "(no connection cap exists)", factory, () -> closeReflectively(client));
    }

    private static Contender jetty(int maxsize) throws Exception {
        org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
        client.setMaxConnectionsPerDestination(maxsize);
        client.setConnectTimeout(TIMEOUT.toMillis());
        client.start();
        JettyClientHttpRequestFactory factory = new JettyClientHttpRequestFactory(client);
        factory.setReadTimeout(TIMEOUT);
        return new SpringContender("jetty", "JettyClientHttpRequestFactory, Jetty 12 HttpClient, "
                + "maxConnectionsPerDestination " + maxsize, factory, client::stop);
    }

    private static Contender reactor(int maxsize) {
        ConnectionProvider provider = reactorProvider("bench", maxsize);
        reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.create(provider);
        ReactorClientHttpRequestFactory factory = new ReactorClientHttpRequestFactory(client);
        factory.setConnectTimeout(TIMEOUT);
        factory.setReadTimeout(TIMEOUT);
        return new SpringContender("reactor", "ReactorClientHttpRequestFactory, Reactor Netty, "
                + "ConnectionProvider maxConnections " + maxsize, factory, () -> {
                    provider.disposeLater().block(TIMEOUT);
                    // the global event loops are non-daemon threads; they are made again on demand
                    reactor.netty.http.HttpResources.disposeLoopsAndConnectionsLater().block(TIMEOUT);
                });
    }

    private static Contender simple(int maxsize) {
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(TIMEOUT);
        factory.setReadTimeout(TIMEOUT);
        return new SpringContender("simple", "SimpleClientHttpRequestFactory, HttpURLConnection, "
                + "http.maxConnections=" + System.getProperty("http.maxConnections", "5")
                + " (a keep-alive cache size, not a cap)", factory, () -> { });
    }

    /**
     * Reactor Netty's pool for a contender: {@code maxsize} connections, a queue long enough for any run's
     * waiters, 30 s to wait for a connection.
     */
    static ConnectionProvider reactorProvider(String name, int maxsize) {
        return ConnectionProvider.builder(name)
                .maxConnections(maxsize)
                .pendingAcquireMaxCount(100_000)
                .pendingAcquireTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Closes a {@code java.net.http.HttpClient}: {@code HttpClient.close()} exists from Java 21 on. */
    static void closeReflectively(Object client) {
        try {
            Method close = client.getClass().getMethod("close");
            close.invoke(client);
        }
        catch (NoSuchMethodException onJava17) {
            // Java 17: the client and its selector thread go when unreachable
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            // closing is best effort
        }
    }

    /** A contender that sends through Spring's {@link RestClient} over a request factory, body as {@code byte[]}. */
    static final class SpringContender extends RestClientContender {

        SpringContender(String id, String description, ClientHttpRequestFactory factory, Closer closer) {
            super(id, description, RestClient.builder().requestFactory(factory).build(), closer);
        }

        @Override
        public int get(Target target) {
            return getBytes(target.uri());
        }
    }
}
