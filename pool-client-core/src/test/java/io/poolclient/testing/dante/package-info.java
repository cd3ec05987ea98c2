/** Private dante ({@code danted}) SOCKS5 servers for the proxy tests ({@link io.poolclient.testing.dante.PrivateDante}). */
package io.poolclient.testing.dante;
