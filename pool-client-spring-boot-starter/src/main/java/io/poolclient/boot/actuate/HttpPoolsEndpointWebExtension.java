package io.poolclient.boot.actuate;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP face of {@link HttpPoolsEndpoint}: 404 for an unknown mount name on
 * {@code GET}, {@code POST} and {@code DELETE /actuator/httppools/{name}}, 204 for a successful
 * delete (of one mount's pools or, on {@code /actuator/httppools}, of every mount's), 400 with an
 * {@link EndpointError} body naming what is wrong for {@code GET ?url=} with a URL that is not
 * absolute http(s) and for a {@code POST} with an unknown key or an invalid value.
 */
@EndpointWebExtension(endpoint = HttpPoolsEndpoint.class)
public class HttpPoolsEndpointWebExtension {

    private final HttpPoolsEndpoint delegate;

    public HttpPoolsEndpointWebExtension(HttpPoolsEndpoint delegate) {
        this.delegate = delegate;
    }

    /** The whole document, or with {@code url} the route; 400 with an {@link EndpointError} body for a bad URL. */
    @ReadOperation
    public WebEndpointResponse<OperationResponseBody> pools(@Nullable String url) {
        try {
            return new WebEndpointResponse<>(delegate.pools(url), WebEndpointResponse.STATUS_OK);
        }
        catch (InvalidEndpointRequestException ex) {
            return badRequest(ex);
        }
    }

    /** The mount object after the change; 404 for an unknown mount, 400 naming an unknown key or invalid value. */
    @WriteOperation
    public WebEndpointResponse<OperationResponseBody> update(@Selector String name, MountChanges changes) {
        try {
            MountDescriptor mount = delegate.update(name, changes);
            return mount == null ? new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)
                    : new WebEndpointResponse<>(mount, WebEndpointResponse.STATUS_OK);
        }
        catch (InvalidEndpointRequestException ex) {
            return badRequest(ex);
        }
    }

    /** Drops every mount's pools: 204. */
    @DeleteOperation
    public WebEndpointResponse<Void> dropAll() {
        delegate.dropAll();
        return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NO_CONTENT);
    }

    private static WebEndpointResponse<OperationResponseBody> badRequest(InvalidEndpointRequestException ex) {
        return new WebEndpointResponse<>(EndpointError.badRequest(ex.getReason()), WebEndpointResponse.STATUS_BAD_REQUEST);
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
