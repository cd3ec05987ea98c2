package io.poolclient.boot.actuate;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;

/**
 * The body of a 400 answer of the {@code httppools} endpoint: what was wrong with the request.
 *
 * @param status the HTTP status, 400
 * @param error the status's reason phrase, {@code Bad Request}
 * @param message what was wrong, naming the offending key or parameter (never repeating user-info)
 */
public record EndpointError(int status, String error, String message) implements OperationResponseBody {

    static EndpointError badRequest(String message) {
        return new EndpointError(400, "Bad Request", message);
    }
}
