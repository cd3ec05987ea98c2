/**
 * HTTP/2 test peers: a scripted raw-frame server for protocol faults, and a private nginx speaking
 * {@code http2} over TLS (ALPN) and h2c.
 */
package io.poolclient.testing.h2;
