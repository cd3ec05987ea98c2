package io.poolclient.spring;

import io.poolclient.Response;
import java.io.InputStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/** A Spring view of an engine {@link Response}; closing it returns or closes the connection. One thread. */
final class PoolingClientHttpResponse implements ClientHttpResponse {

    private final Response response;
    private HttpHeaders headers;

    PoolingClientHttpResponse(Response response) {
        this.response = response;
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return HttpStatusCode.valueOf(response.status());
    }

    @Override
    public String getStatusText() {
        return response.reason();
    }

    @Override
    public HttpHeaders getHeaders() {
        if (headers == null) {
            headers = HttpHeaders.readOnlyHttpHeaders(new ResponseHeaders(response.headers()));
        }
        return headers;
    }

    @Override
    public InputStream getBody() {
        return response.body();
    }

    @Override
    public void close() {
        response.close();
    }
}
