package io.poolclient.internal.http;

/**
 * Where an exchange attempt had got to when it failed, and what that means for the failure: which
 * phase its message names, whether the request body had started to go out, and whether a response
 * could have begun. Shared by the HTTP/1.1 and HTTP/2 exchanges. The stages come in this order;
 * immutable.
 */
enum ExchangeStage {

    /** Sending the request line or head (HTTP/2: opening the stream). */
    HEADERS,
    /** Sending the request body. */
    BODY,
    /** The request is out; waiting for the response head. */
    AWAIT,
    /** The response head has arrived. */
    RESPONSE;

    /** The phase as failure messages name it: "sending the request" or "waiting for the response". */
    String phase() {
        return this == AWAIT || this == RESPONSE ? "waiting for the response" : "sending the request";
    }

    /** True from the body stage on: a request body may have started to go out. */
    boolean bodyStarted() {
        return ordinal() >= BODY.ordinal();
    }

    /** True while the request was still being sent: no response can have begun. */
    boolean sending() {
        return this == HEADERS || this == BODY;
    }

    /** True before the response head arrived. */
    boolean beforeResponse() {
        return this != RESPONSE;
    }
}
