package io.poolclient.sample;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * More ports for the embedded upstream: {@value #COUNT} extra Tomcat connectors on {@code 127.0.0.1},
 * each on a port the operating system picks at start-up. A host pool is per scheme, host and port,
 * so {@code 127.0.0.1} on three ports is three hosts to the pools: enough for the LRU scenario on
 * any OS, without loopback aliases such as {@code 127.0.0.2} that only some systems have.
 * <p>
 * Tomcat binds the connectors while the server starts; {@link #port(int)} is meant to be called
 * after that (the scenarios run once the application is ready) and returns -1 before.
 */
@Component
class UpstreamPorts implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    static final int COUNT = 3;

    private final List<Connector> connectors = IntStream.range(0, COUNT).mapToObj(i -> extraConnector()).toList();

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addAdditionalConnectors(connectors.toArray(Connector[]::new));
    }

    /** The bound port of extra connector {@code index} (0 to {@value #COUNT} - 1), or -1 before start. */
    int port(int index) {
        return connectors.get(index).getLocalPort();
    }

    private static Connector extraConnector() {
        Connector connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        return connector;
    }
}
