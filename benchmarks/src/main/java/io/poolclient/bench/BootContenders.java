package io.poolclient.bench;

import java.net.http.HttpClient.Version;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.web.client.RestClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The contenders as a Spring Boot user gets them: a Boot context (no web server) whose auto-configured
 * {@code RestClient.Builder} builds the client, bodies read as {@code String} or, for the JSON target, as
 * a record through Boot's Jackson converter.
 *
 * <ul>
 *   <li>{@code boot-pool-client}: the starter's auto-configured factory builder, {@code pool-client.defaults}
 *       {@code pool-maxsize} = the cap and {@code pool-block: true};</li>
 *   <li>{@code boot-hc5}, {@code boot-jetty}, {@code boot-reactor}, {@code boot-jdk}: Boot's own
 *       {@link ClientHttpRequestFactoryBuilder} for each peer, given the same connection cap where the
 *       client has one;</li>
 *   <li>a {@code -metrics} suffix: Micrometer and its observation auto-configuration stay on (a
 *       {@code SimpleMeterRegistry}, Spring's {@code http.client.requests} observation per call, and for
 *       pool-client the starter's pool meters); without it they are excluded, as for an application
 *       without actuator.</li>
 * </ul>
 * Every context sets {@code spring.http.clients} connect and read timeouts to 10 s.
 */
public final class BootContenders {

    /** The user's-path contenders, in report order. */
    public static final List<String> USER_PATH = List.of("boot-pool-client", "boot-hc5", "boot-jetty", "boot-reactor",
            "boot-jdk", "boot-pool-client-metrics", "boot-hc5-metrics");

    private static final String PREFIX = "boot-";
    private static final String METRICS = "-metrics";

    /** Auto-configurations left out of a context without Micrometer. */
    static final String WITHOUT_METRICS = String.join(",",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration");

    private BootContenders() {
    }

    /** Whether {@code id} names a contender of this class. */
    public static boolean owns(String id) {
        return id.startsWith(PREFIX);
    }

    /** A new Boot context for {@code id} with connection cap {@code maxsize}, and the contender over it. */
    public static Contender create(String id, int maxsize) {
        boolean metrics = id.endsWith(METRICS);
        String client = id.substring(PREFIX.length(), id.length() - (metrics ? METRICS.length() : 0));
        Peer peer = peer(client, maxsize);
        Map<String, Object> properties = commonProperties();
        if (peer == null) {
            properties.put("pool-client.defaults.pool-maxsize", Integer.toString(maxsize));
            properties.put("pool-client.defaults.pool-block", "true");
        }
        else {
            properties.put("pool-client.enabled", "false");
        }
        if (!metrics) {
            properties.put("spring.autoconfigure.exclude", WITHOUT_METRICS);
        }
        SpringApplicationBuilder app = application(properties);
        if (peer != null) {
            app.initializers(context -> ((GenericApplicationContext) context).registerBean(
                    ClientHttpRequestFactoryBuilder.class, () -> peer.builder));
        }
        ConfigurableApplicationContext context = app.run();
        RestClient rest = context.getBean(RestClient.Builder.class).build();
        String description = describe(peer, maxsize, metrics);
        return new BootContender(id, description, rest, () -> {
            context.close();
            if (peer != null) {
                peer.closer.close();
            }
        });
    }

    /** The properties of every benchmark context: 10 s connect and read timeouts, no JMX. A new, mutable map. */
    static Map<String, Object> commonProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.http.clients.connect-timeout", "10s");
        properties.put("spring.http.clients.read-timeout", "10s");
        properties.put("spring.jmx.enabled", "false");
        properties.put("management.endpoints.jmx.exposure.exclude", "*");
        return properties;
    }

    /** A {@link BenchApplication} with {@code properties}: no web server, no banner, no startup log, no shutdown hook. */
    static SpringApplicationBuilder application(Map<String, Object> properties) {
        return new SpringApplicationBuilder(BenchApplication.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .registerShutdownHook(false)
                .properties(properties);
    }

    private static String describe(Peer peer, int maxsize, boolean metrics) {
        String what = peer == null
                ? "the starter's auto-configured builder, pool-client.defaults pool-maxsize " + maxsize + ", pool-block true"
                : peer.description;
        return "Boot context, auto-configured RestClient.Builder; " + what
                + (metrics ? "; Micrometer + observations on" : "; no Micrometer") + "; body as String, JSON as a record";
    }

    /** Boot's own builder for a peer, configured like {@link Contenders} configures it, or null for pool-client. */
    private static Peer peer(String client, int maxsize) {
        return switch (client) {
            case "pool-client" -> null;
            case "hc5" -> new Peer(ClientHttpRequestFactoryBuilder.httpComponents()
                    .withConnectionManagerCustomizer(b -> b.setMaxConnPerRoute(maxsize).setMaxConnTotal(maxsize)),
                    "Boot's httpComponents() builder, max per route = max total = " + maxsize, () -> { });
            case "jetty" -> new Peer(ClientHttpRequestFactoryBuilder.jetty()
                    .withHttpClientCustomizer(c -> c.setMaxConnectionsPerDestination(maxsize)),
                    "Boot's jetty() builder, maxConnectionsPerDestination " + maxsize, () -> { });
            case "reactor" -> reactor(maxsize);
            case "jdk" -> new Peer(ClientHttpRequestFactoryBuilder.jdk()
                    .withHttpClientCustomizer(b -> b.version(Version.HTTP_1_1)),
                    "Boot's jdk() builder, HTTP/1.1 (no connection cap exists)", () -> { });
            default -> throw new IllegalArgumentException("unknown Boot contender '" + PREFIX + client + "'");
        };
    }

    private static Peer reactor(int maxsize) {
        ConnectionProvider provider = Contenders.reactorProvider("bench-boot", maxsize);
        return new Peer(ClientHttpRequestFactoryBuilder.reactor()
                .withHttpClientFactory(() -> reactor.netty.http.client.HttpClient.create(provider)),
                "Boot's reactor() builder, ConnectionProvider maxConnections " + maxsize,
                () -> provider.disposeLater().block(Duration.ofSeconds(10)));
    }

    private record Peer(ClientHttpRequestFactoryBuilder<?> builder, String description,
            RestClientContender.Closer closer) {
    }

    /** The JSON target's body ({@code SampleContent.JSON}) as a user would map it. */
    public record Catalog(List<Item> items, String padding) {
    }

    /** One entry of {@link Catalog}. */
    public record Item(int id, String name, boolean active) {
    }

    /** The application the contexts are made from: auto-configuration only, no components. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class BenchApplication {
    }

    /** Reads {@code String} bodies, and the JSON target into {@link Catalog}. */
    static final class BootContender extends RestClientContender {

        BootContender(String id, String description, RestClient rest, Closer closer) {
            super(id, description, rest, closer);
        }

        @Override
        public int get(Target target) {
            if (target.path().equals("/json")) {
                Catalog catalog = rest().get().uri(target.uri()).retrieve().body(Catalog.class);
                // the JSON target is exactly its expected length when the record mapped it
                return catalog == null || catalog.items().isEmpty() ? 0 : target.expectedLength();
            }
            String body = rest().get().uri(target.uri()).retrieve().body(String.class);
            return body == null ? 0 : body.length();
        }
    }
}
