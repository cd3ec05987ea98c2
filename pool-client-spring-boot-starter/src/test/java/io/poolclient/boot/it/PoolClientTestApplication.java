package io.poolclient.boot.it;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * A plain Spring Boot application with the starter on the classpath and an HTTP service group
 * {@code upstream}; everything pool-related comes from properties.
 */
@SpringBootApplication
@ImportHttpServices(group = "upstream", types = PoolClientTestApplication.UpstreamApi.class)
public class PoolClientTestApplication {

    /** An HTTP interface client; its group's base URL comes from {@code spring.http.serviceclient.upstream}. */
    @HttpExchange("/services")
    public interface UpstreamApi {

        @GetExchange("/items/{id}")
        String item(@PathVariable String id);
    }
}
