package io.poolclient.sample;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The upstream's own count of TCP connections per scenario: every connection has its own client
 * port, so the distinct {@code address:port} pairs seen under an {@code X-Scenario} header are the
 * connections the client really opened. Thread-safe.
 */
@Component
class ConnectionLedger implements HandlerInterceptor {

    static final String HEADER = "X-Scenario";

    private final Map<String, Set<String>> connections = new ConcurrentHashMap<>();

    @Override
    public boolean preHandle(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response, Object handler) {
        String scenario = request.getHeader(HEADER);
        if (scenario != null) {
            connections.computeIfAbsent(scenario, s -> ConcurrentHashMap.newKeySet())
                    .add(request.getRemoteAddr() + ":" + request.getRemotePort());
        }
        return true;
    }

    /** Distinct client connections seen for a scenario. */
    int connections(String scenario) {
        return connections.getOrDefault(scenario, Set.of()).size();
    }
}
