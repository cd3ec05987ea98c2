package io.poolclient.boot.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls the application's actuator over real HTTP with the JDK client (not through the pools, so
 * that reading the counts does not change them).
 */
final class Actuator {

    private static final JsonMapper json = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    Actuator(int port) {
        this.port = port;
    }

    /** Status and body of a request to {@code /actuator} + path. */
    Reply call(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator" + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Status and body of a request to {@code /actuator} + path with a JSON body. */
    Reply call(String method, String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator" + path))
            .method(method, HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json")
            .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** GET {@code /actuator} + path, which must answer 200, as JSON. */
    JsonNode get(String path) {
        Reply reply = call("GET", path);
        if (reply.status() != 200) {
            throw new AssertionError("GET /actuator" + path + " answered " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    record Reply(int status, String body) {

        JsonNode json() {
            return Actuator.json.readTree(body);
        }

        String pretty() {
            return Actuator.json.writerWithDefaultPrettyPrinter().writeValueAsString(json());
        }
    }
}
