package io.poolclient.boot.actuate;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP face of {@link HttpPoolsEndpoint}: 404 for an unknown mount name on
 * {@code GET /actuator/httppools/{name}} and {@code DELETE /actuator/httppools/{name}}, 204 for a
 * successful delete.
 */
@EndpointWebExtension(endpoint = HttpPoolsEndpoint.class)
public class HttpPoolsEndpointWebExtension {

    private final HttpPoolsEndpoint delegate;

    public HttpPoolsEndpointWebExtension(HttpPoolsEndpoint delegate) {
        this.delegate = delegate;
    }

    @ReadOperation
    public WebEndpointResponse<MountDescriptor> mount(@Selector String name) {
        MountDescriptor mount = delegate.mount(name);
        return mount == null ? new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)
                : new WebEndpointResponse<>(mount, WebEndpointResponse.STATUS_OK);
    }

    @DeleteOperation
    public WebEndpointResponse<Void> drop(@Selector String name) {
        return new WebEndpointResponse<>(delegate.drop(name) ? WebEndpointResponse.STATUS_NO_CONTENT
                : WebEndpointResponse.STATUS_NOT_FOUND);
    }
}
