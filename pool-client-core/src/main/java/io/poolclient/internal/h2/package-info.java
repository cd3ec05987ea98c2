/**
 * HTTP/2 connection internals: framing, one reader thread per connection, stream multiplexing, flow
 * control both ways, SETTINGS, PING and GOAWAY handling. Header compression (HPACK) comes from
 * httpcore5-h2; everything else is here. An {@link io.poolclient.internal.h2.H2Connection} is handed a
 * connected socket (plain for h2c with prior knowledge, or TLS after ALPN chose {@code h2}) and
 * serves streams ({@link io.poolclient.internal.h2.H2Stream}) reserved without blocking. Not public
 * API: may change in any release without notice.
 */
package io.poolclient.internal.h2;
