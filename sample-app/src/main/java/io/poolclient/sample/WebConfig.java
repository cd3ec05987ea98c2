package io.poolclient.sample;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Lets the {@link ConnectionLedger} see every upstream request. */
@Configuration(proxyBeanMethods = false)
class WebConfig implements WebMvcConfigurer {

    private final ConnectionLedger ledger;

    WebConfig(ConnectionLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(ledger).addPathPatterns("/upstream/**");
    }
}
