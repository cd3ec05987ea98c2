package io.poolclient.spring;

import io.poolclient.Header;
import io.poolclient.PoolClient;
import io.poolclient.Request;
import io.poolclient.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/** One request through a {@link PoolClient}; the body streams onto the connection. One thread. */
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
        return new PoolingClientHttpResponse(client.execute(new Request(method.name(), uri, list, requestBody), options));
    }
}
