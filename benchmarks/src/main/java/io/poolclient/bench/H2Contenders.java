package io.poolclient.bench;

import java.net.URI;
import java.net.http.HttpClient.Version;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.JettyClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.resources.ConnectionProvider;

/**
 * The contenders of the HTTP/2 cells, each through {@code RestClient}, body read as {@code byte[]}, 10 s
 * connect and read timeouts, trusting only the run's CA ({@link H2Nginx#clientContext()}).
 *
 * <p>Two transports, each with its own list: {@code tls} (nginx {@code ssl http2}, h2 by ALPN) and
 * {@code h2c} (nginx {@code http2} without TLS, prior knowledge). pool-client runs the way a Boot user
 * gets it: a Boot context (no Micrometer), the starter's auto-configured {@code RestClient.Builder},
 * configured only by properties under {@code pool-client.defaults}.
 */
final class H2Contenders {

    /** Over TLS: pool-client with [h2, http/1.1], pool-client with [http/1.1], then the peers with h2. */
    static final List<String> TLS = List.of("pool-client-h2", "pool-client-h1", "jdk-h2", "jetty-h2", "reactor-h2");

    /** Without TLS: pool-client with [h2c], then the peers with h2c (the JDK's attempt is an upgrade). */
    static final List<String> H2C = List.of("pool-client-h2c", "jdk-h2c", "jetty-h2c", "reactor-h2c");

    /** The peers that speak h2 (everything but pool-client). */
    static final List<String> PEERS = List.of("jdk-h2", "jetty-h2", "reactor-h2", "jdk-h2c", "jetty-h2c", "reactor-h2c");

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PROTOCOLS_CLASS = "io.poolclient.Protocols";

    private H2Contenders() {
    }

    /** The contender ids of a transport, {@code tls} or {@code h2c}. */
    static List<String> of(String transport) {
        return switch (transport) {
            case "tls" -> TLS;
            case "h2c" -> H2C;
            default -> throw new IllegalArgumentException("unknown transport '" + transport + "' (tls, h2c)");
        };
    }

    /** Whether this build of pool-client has the {@code protocols} key. */
    static boolean poolClientHasProtocols() {
        try {
            Class.forName(PROTOCOLS_CLASS);
            return true;
        }
        catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** A new contender; {@code maxsize} caps connections wherever a client has a cap. */
    static Contender create(String id, H2Nginx nginx, int maxsize) throws Exception {
        return switch (id) {
            case "pool-client-h2" -> poolClient(id, nginx, maxsize, "h2,http/1.1");
            case "pool-client-h1" -> poolClient(id, nginx, maxsize, "http/1.1");
            case "pool-client-h2c" -> poolClient(id, nginx, maxsize, "h2c");
            case "jdk-h2" -> jdk(id, nginx, false);
            case "jdk-h2c" -> jdk(id, nginx, true);
            case "jetty-h2" -> jetty(id, nginx, maxsize, true);
            case "jetty-h2c" -> jetty(id, nginx, maxsize, false);
            case "reactor-h2" -> reactor(id, nginx, maxsize, true);
            case "reactor-h2c" -> reactor(id, nginx, maxsize, false);
            default -> throw new IllegalArgumentException("unknown HTTP/2 contender '" + id + "'");
        };
    }

    /**
     * pool-client from a Boot context: {@code pool-client.defaults} with {@code pool-maxsize},
     * {@code pool-block: true}, an SSL bundle trusting the run's CA, {@code protocols} and
     * {@code max-concurrent-streams: 100}. A build without the {@code protocols} key runs without it
     * (HTTP/1.1), and its description says so.
     */
    private static Contender poolClient(String id, H2Nginx nginx, int maxsize, String protocols) {
        boolean keys = poolClientHasProtocols();
        Map<String, Object> properties = BootContenders.commonProperties();
        properties.put("spring.autoconfigure.exclude", BootContenders.WITHOUT_METRICS);
        properties.put("spring.ssl.bundle.pem.bench.truststore.certificate", nginx.caPem().toUri().toString());
        properties.put("pool-client.defaults.ssl-bundle", "bench");
        properties.put("pool-client.defaults.pool-maxsize", Integer.toString(maxsize));
        properties.put("pool-client.defaults.pool-block", "true");
        if (keys) {
            properties.put("pool-client.defaults.protocols", protocols);
            properties.put("pool-client.defaults.max-concurrent-streams", "100");
        }
        ConfigurableApplicationContext context = BootContenders.application(properties).run();
        RestClient rest = context.getBean(RestClient.Builder.class).build();
        String description = "Boot context, the starter's auto-configured RestClient.Builder, pool-client.defaults "
                + "pool-maxsize = the cap, pool-block true, ssl-bundle trusting the run's CA, "
                + (keys ? "protocols [" + protocols.replace(",", ", ") + "], max-concurrent-streams 100"
                        : "**no protocols key in this build: it can only speak HTTP/1.1** (asked for ["
                                + protocols.replace(",", ", ") + "])")
                + "; no Micrometer";
        return new H2Contender(id, description, rest, null, context::close);
    }

    /**
     * The JDK's client, {@code version(HTTP_2)}. Over TLS it negotiates h2 by ALPN. Without TLS it has no
     * prior-knowledge mode: it sends HTTP/1.1 with {@code Upgrade: h2c}, which nginx's h2c listener cannot
     * read, so {@code jdk-h2c} goes to the plain listener, where nginx ignores the upgrade and answers
     * HTTP/1.1: that is what the JDK speaks to nginx without TLS.
     */
    private static Contender jdk(String id, H2Nginx nginx, boolean cleartext) throws Exception {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder()
                .version(Version.HTTP_2)
                .connectTimeout(TIMEOUT);
        if (!cleartext) {
            builder.sslContext(nginx.clientContext());
        }
        java.net.http.HttpClient client = builder.build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(client);
        factory.setReadTimeout(TIMEOUT);
        String description = cleartext
                ? "JdkClientHttpRequestFactory, java.net.http.HttpClient version(HTTP_2) on http://: it only upgrades "
                        + "(Upgrade: h2c), which nginx does not do, so it runs against the plain listener and speaks HTTP/1.1"
                : "JdkClientHttpRequestFactory, java.net.http.HttpClient version(HTTP_2), h2 by ALPN (no connection cap exists)";
        return new H2Contender(id, description, factory, cleartext ? nginx : null, () -> Contenders.closeReflectively(client));
    }

    /** Jetty 12 with its HTTP/2 transport: ALPN h2 over TLS, prior knowledge on {@code http://}. */
    private static Contender jetty(String id, H2Nginx nginx, int maxsize, boolean tls) throws Exception {
        ClientConnector connector = new ClientConnector();
        if (tls) {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setSslContext(nginx.clientContext());
            connector.setSslContextFactory(ssl);
        }
        HTTP2Client http2 = new HTTP2Client(connector);
        org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient(
                new HttpClientTransportOverHTTP2(http2));
        client.setMaxConnectionsPerDestination(maxsize);
        client.setConnectTimeout(TIMEOUT.toMillis());
        client.start();
        JettyClientHttpRequestFactory factory = new JettyClientHttpRequestFactory(client);
        factory.setReadTimeout(TIMEOUT);
        return new H2Contender(id, "JettyClientHttpRequestFactory, Jetty 12 HttpClient over HttpClientTransportOverHTTP2 ("
                + (tls ? "h2 by ALPN" : "h2c, prior knowledge") + "), maxConnectionsPerDestination = the cap",
                factory, null, client::stop);
    }

    /** Reactor Netty with {@code protocol(H2)} over TLS or {@code protocol(H2C)} (prior knowledge). */
    private static Contender reactor(String id, H2Nginx nginx, int maxsize, boolean tls) {
        ConnectionProvider provider = Contenders.reactorProvider("bench-" + id, maxsize);
        reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.create(provider);
        if (tls) {
            java.security.cert.X509Certificate ca = nginx.ca();
            client = client.protocol(HttpProtocol.H2)
                    .secure(spec -> spec.sslContext(Http2SslContextSpec.forClient().configure(b -> b.trustManager(ca))));
        }
        else {
            client = client.protocol(HttpProtocol.H2C);
        }
        ReactorClientHttpRequestFactory factory = new ReactorClientHttpRequestFactory(client);
        factory.setConnectTimeout(TIMEOUT);
        factory.setReadTimeout(TIMEOUT);
        return new H2Contender(id, "ReactorClientHttpRequestFactory, Reactor Netty protocol(" + (tls ? "H2" : "H2C")
                + ")" + (tls ? ", trust: the run's CA" : "") + ", ConnectionProvider maxConnections = the cap", factory,
                null, () -> {
                    provider.disposeLater().block(TIMEOUT);
                    reactor.netty.http.HttpResources.disposeLoopsAndConnectionsLater().block(TIMEOUT);
                });
    }

    /**
     * A contender over {@code RestClient}, body as {@code byte[]}. With {@code plain} set, each target's
     * path is sent to nginx's plain listener instead of the target's own URL.
     */
    static final class H2Contender extends RestClientContender {

        private final H2Nginx plain;
        private final Map<String, URI> rebased = new ConcurrentHashMap<>();

        H2Contender(String id, String description, ClientHttpRequestFactory factory, H2Nginx plain, Closer closer) {
            this(id, description, RestClient.builder().requestFactory(factory).build(), plain, closer);
        }

        H2Contender(String id, String description, RestClient rest, H2Nginx plain, Closer closer) {
            super(id, description, rest, closer);
            this.plain = plain;
        }

        @Override
        public int get(Target target) {
            return getBytes(plain == null ? target.uri() : rebased.computeIfAbsent(target.path(), plain::plain));
        }
    }
}
