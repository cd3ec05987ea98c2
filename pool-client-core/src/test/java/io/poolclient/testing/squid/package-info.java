/**
 * Private squid instances for the proxy tests ({@link io.poolclient.testing.squid.PrivateSquid}), and the
 * foreground-process handling shared with the dante launcher ({@link io.poolclient.testing.squid.ForegroundDaemon}).
 */
package io.poolclient.testing.squid;
