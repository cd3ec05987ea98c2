/**
 * HTTP/1.1 exchange internals: sockets, TLS, name resolution, message framing over httpcore5 and
 * response body streams. Not public API: may change in any release without notice.
 */
package io.poolclient.internal.http;
