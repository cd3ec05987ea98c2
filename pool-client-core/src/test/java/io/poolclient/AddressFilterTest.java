package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import io.poolclient.testing.FaultServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The address filter ({@link RequestOptions#addressFilter()}, Spring Boot's {@code InetAddressFilter})
 * is applied to every resolved address before connecting, redirect targets included, so that a
 * URL cannot be used to reach an address the application forbids (SSRF). A refused address is an {@link AddressRefusedException}; nothing is connected, which
 * the test proves from the server's side: the next allowed request is its first connection.
 */
@Timeout(30)
class AddressFilterTest {

    private static final Predicate<InetAddress> NOT_127_0_0_1 = a -> !a.getHostAddress().equals("127.0.0.1");
    private static final Predicate<InetAddress> NOT_127_0_0_2 = a -> !a.getHostAddress().equals("127.0.0.2");

    private FaultServer server;
    private MockWebServer redirector;
    private PoolClient client;

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server, redirector);
    }

    @Test
    void aRefusedAddressIsNeverConnected() throws Exception {
        server = FaultServer.start(FaultServer.Fault.NONE);
        // a connect retry budget must not retry a refusal
        client = PoolClient.builder().defaults(MountSettings.builder().maxRetries(3).build()).build();
        RequestOptions filtered = options(NOT_127_0_0_1);

        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            URI uri = URI.create("http://" + host + ":" + server.port() + "/secret");
            assertThatThrownBy(() -> client.execute(Request.get(uri), filtered))
                    .isExactlyInstanceOf(AddressRefusedException.class)
                    .hasMessage("Every address of " + host + ":" + server.port()
                            + " was refused by the address filter (mount 'http'); nothing was connected");
        }

        assertNothingReached(server);
        assertThat(client.snapshot("http").orElseThrow().pools()).allSatisfy(p -> assertThat(p.requests()).isZero());
    }

    @Test
    void aRedirectToARefusedAddressIsRefused() throws Exception {
        server = FaultServer.builder().address(InetAddress.getByName("127.0.0.2")).start();
        redirector = new MockWebServer();
        redirector.start(InetAddress.getByName("127.0.0.1"), 0);
        String target = "http://127.0.0.2:" + server.port() + "/internal";
        redirector.enqueue(new MockResponse.Builder().code(302).addHeader("Location", target).build());
        client = PoolClient.builder().defaults(MountSettings.builder().retry(Retry.builder().total(3).build()).build()).build();

        URI start = URI.create("http://127.0.0.1:" + redirector.getPort() + "/start");
        assertThatThrownBy(() -> client.execute(Request.get(start), options(NOT_127_0_0_2)))
                .isExactlyInstanceOf(AddressRefusedException.class)
                .hasMessage("Every address of 127.0.0.2:" + server.port()
                        + " was refused by the address filter (mount 'http'); nothing was connected");

        assertThat(redirector.getRequestCount()).as("the allowed first hop was made").isEqualTo(1);
        assertNothingReached(server);
    }

    @Test
    void springRequestsThroughAFilteringFactoryAreRefusedToo() throws Exception {
        server = FaultServer.start(FaultServer.Fault.NONE);
        client = PoolClient.builder().build();
        RestClient rest = RestClient.builder()
                .requestFactory(new PoolingClientHttpRequestFactory(client, options(NOT_127_0_0_1))).build();

        assertThatThrownBy(() -> rest.get().uri(server.uri("/secret")).retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause().isExactlyInstanceOf(AddressRefusedException.class);
        assertNothingReached(server);
    }

    private static RequestOptions options(Predicate<InetAddress> filter) {
        return new RequestOptions(null, null, null, null, filter);
    }

    /** The server saw no connection: an unfiltered request now is its first connection and first request. */
    private static void assertNothingReached(FaultServer server) throws IOException {
        try (PoolClient plain = PoolClient.builder().build();
                Response r = plain.execute(Request.get(server.uri("/allowed")))) {
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(FaultServer.OK_BODY);
        }
        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.received()).extracting(FaultServer.Received::target).containsExactly("/allowed");
    }
}
