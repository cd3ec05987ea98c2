package io.poolclient.spring;

import io.poolclient.Header;
import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Request;
import io.poolclient.RequestOptions;
import io.poolclient.retry.Retry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * One request through a {@link PoolClient}; the body streams onto the connection. Its
 * {@link PoolClientAttributes} attributes become the per-request layer of its settings. One thread.
 */
final class PoolingClientHttpRequest extends AbstractStreamingClientHttpRequest {

    private final PoolClient client;
    private final RequestOptions options;
    private final URI uri;
    private final HttpMethod method;

    PoolingClientHttpRequest(PoolClient client, RequestOptions options, URI uri, HttpMethod method) {
        this.client = client;
        this.options = options;
        this.uri = uri;
        this.method = method;
    }

    @Override
    public HttpMethod getMethod() {
        return method;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers, StreamingHttpOutputMessage.Body body)
            throws IOException {
        List<Header> list = new ArrayList<>();
        headers.forEach((name, values) -> values.forEach(v -> list.add(new Header(name, v))));
        SpringRequestBody requestBody = body == null ? null : new SpringRequestBody(body, headers.getContentLength());
        RequestOptions withAttributes = perRequest(getAttributes(), options);
        return new PoolingClientHttpResponse(client.execute(new Request(method.name(), uri, list, requestBody), withAttributes));
    }

    /** The options with the request's {@link PoolClientAttributes} as overrides; unchanged when it has none. */
    static RequestOptions perRequest(Map<String, Object> attributes, RequestOptions options) {
        if (attributes.isEmpty()) {
            return options;
        }
        Duration read = duration(attributes, PoolClientAttributes.READ_TIMEOUT);
        Duration connect = duration(attributes, PoolClientAttributes.CONNECT_TIMEOUT);
        Object retry = attributes.get(PoolClientAttributes.RETRY);
        if (retry != null && !(retry instanceof Boolean)) {
            throw new IllegalArgumentException("Request attribute " + PoolClientAttributes.RETRY
                    + " must be a Boolean (Boolean.FALSE turns retries off), was a " + retry.getClass().getName());
        }
        if (read == null && connect == null && !Boolean.FALSE.equals(retry)) {
            return options;
        }
        return options.withOverrides(MountSettings.builder().readTimeout(read).connectTimeout(connect)
                .retry(Boolean.FALSE.equals(retry) ? Retry.none() : null).build());
    }

    private static @Nullable Duration duration(Map<String, Object> attributes, String name) {
        Object value = attributes.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Duration d)) {
            throw new IllegalArgumentException("Request attribute " + name + " must be a java.time.Duration, was a "
                    + value.getClass().getName());
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("Request attribute " + name + " must not be negative, was " + d);
        }
        return d;
    }
}
