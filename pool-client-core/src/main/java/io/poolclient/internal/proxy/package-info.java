/**
 * Proxy building blocks: parsing a proxy URL ({@link io.poolclient.internal.proxy.ProxyUrl}), the
 * {@code no-proxy} matcher ({@link io.poolclient.internal.proxy.NoProxy}), proxies discovered from the JVM's
 * properties and the environment ({@link io.poolclient.internal.proxy.ProxyEnvironment}), the choice of a
 * proxy for one request ({@link io.poolclient.internal.proxy.ProxySelection}), and the client side of the
 * HTTP {@code CONNECT} and SOCKS5 handshakes over an already connected socket. Not public API: may change
 * in any release without notice.
 */
package io.poolclient.internal.proxy;
