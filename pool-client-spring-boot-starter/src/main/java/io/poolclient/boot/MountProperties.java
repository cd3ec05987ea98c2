package io.poolclient.boot;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * The settings of one mount ({@code pool-client.mounts.<name>.*}) or of every mount
 * ({@code pool-client.defaults.*}). Every field starts unset ({@code null}) so that the engine's
 * fallback order applies key by key. Each field's Javadoc is its description in the configuration
 * metadata; the built-in defaults are listed there (and in the README), checked against the engine's.
 */
public class MountProperties {

    /**
     * URL prefix this mount serves, such as https://api.payments.example/. Scheme and host compare
     * case-insensitively; the path is a case-sensitive plain prefix. Required on every mount except the
     * implicit "http" and "https", where it must not be set.
     */
    private String prefix;

    /**
     * Maximum number of per-host pools the mount keeps; past that, the least recently used one is evicted.
     */
    private Integer poolConnections;

    /**
     * Maximum number of idle connections kept per host pool; with pool-block, also the maximum number of
     * connections in use.
     */
    private Integer poolMaxsize;

    /**
     * Whether callers wait for a free connection (up to pool-timeout) instead of opening one past
     * pool-maxsize.
     */
    private Boolean poolBlock;

    /**
     * Maximum time a caller waits for a connection when pool-block is true.
     */
    private Duration poolTimeout;

    /**
     * Connect timeout, covering the host name lookup, the TCP connect and the TLS handshake. When not set,
     * spring.http.clients.connect-timeout applies, else 10s.
     */
    private Duration connectTimeout;

    /**
     * Read timeout: the longest wait for response bytes. When not set, spring.http.clients.read-timeout
     * applies, else 30s.
     */
    private Duration readTimeout;

    /**
     * Maximum time a connection may stay idle and still be reused; 0 keeps idle connections until the
     * server's Keep-Alive timeout.
     */
    private Duration idleTimeout;

    /**
     * Maximum age of a connection that is reused. When not set, age is not limited.
     */
    private Duration maxLifetime;

    /**
     * Maximum number of retries of connection failures, before any byte reached the server (requests'
     * max_retries). Cannot be combined with retry.*.
     */
    private Integer maxRetries;

    /**
     * Full urllib3-style retry policy, replacing max-retries. Unset unless a retry.* key is given.
     */
    @NestedConfigurationProperty
    private RetryProperties retry;

    /**
     * Name of the SSL bundle (spring.ssl.bundle.*) used for HTTPS through this mount. When not set,
     * spring.http.clients.ssl.bundle applies, else the JDK's trust store.
     */
    private String sslBundle;

    /**
     * How redirect responses are handled. When not set, spring.http.clients.redirects applies, else follow.
     */
    private RedirectMode redirects;

    /**
     * Maximum number of redirects followed for one request.
     */
    private Integer maxRedirects;

    /**
     * Whether gzip and deflate responses are decoded transparently when the caller set no Accept-Encoding.
     */
    private Boolean decompress;

    /**
     * Lease duration after which a WARN with the stack where the connection was leased is logged; must be
     * positive. When not set, leaks are not reported.
     */
    private Duration leakDetectionThreshold;

    /**
     * Maximum number of response headers accepted.
     */
    private Integer maxHeaderCount;

    /**
     * Maximum length of a response header line.
     */
    private DataSize maxHeaderLine;

    /**
     * Proxy for this mount's requests: http://[user:password@]host:port, https://... (TLS to the
     * proxy), socks5://... or socks5h://... (names resolved by the proxy). Credentials are never
     * logged or shown. When unset, trust-env decides.
     */
    private String proxy;

    /**
     * Comma-separated list of hosts that bypass any proxy: names (matching their subdomains), IP
     * literals, CIDR ranges (10.0.0.0/8, fd00::/8) or * for all.
     */
    private List<String> noProxy;

    /**
     * With no proxy set, use the JVM's proxy properties (https.proxyHost, ...), else the
     * HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY environment variables; localhost and loopback
     * addresses always go direct then.
     */
    private Boolean trustEnv;

    /**
     * Comma-separated list of HTTP versions to speak, in order of preference: h2, http/1.1, h2c.
     * On https:// mounts the ALPN offer (h2,
     * http/1.1): the server's choice decides per connection. On http:// mounts h2c means HTTP/2 with
     * prior knowledge. Inherited from pool-client.defaults, entries that do not fit a mount's scheme
     * are skipped.
     */
    private List<String> protocols;

    /**
     * Maximum number of HTTP/2 streams one connection carries at once; the server's
     * SETTINGS_MAX_CONCURRENT_STREAMS lowers it. A new connection opens only when every open one is
     * at its limit.
     */
    private Integer maxConcurrentStreams;

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public Integer getPoolConnections() {
        return poolConnections;
    }

    public void setPoolConnections(Integer poolConnections) {
        this.poolConnections = poolConnections;
    }

    public Integer getPoolMaxsize() {
        return poolMaxsize;
    }

    public void setPoolMaxsize(Integer poolMaxsize) {
        this.poolMaxsize = poolMaxsize;
    }

    public Boolean getPoolBlock() {
        return poolBlock;
    }

    public void setPoolBlock(Boolean poolBlock) {
        this.poolBlock = poolBlock;
    }

    public Duration getPoolTimeout() {
        return poolTimeout;
    }

    public void setPoolTimeout(Duration poolTimeout) {
        this.poolTimeout = poolTimeout;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getMaxLifetime() {
        return maxLifetime;
    }

    public void setMaxLifetime(Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
    }

    public Integer getMaxRetries() {
        return maxRetries;
    }

    public void setMaxRetries(Integer maxRetries) {
        this.maxRetries = maxRetries;
    }

    public RetryProperties getRetry() {
        return retry;
    }

    public void setRetry(RetryProperties retry) {
        this.retry = retry;
    }

    public String getSslBundle() {
        return sslBundle;
    }

    public void setSslBundle(String sslBundle) {
        this.sslBundle = sslBundle;
    }

    public RedirectMode getRedirects() {
        return redirects;
    }

    public void setRedirects(RedirectMode redirects) {
        this.redirects = redirects;
    }

    public Integer getMaxRedirects() {
        return maxRedirects;
    }

    public void setMaxRedirects(Integer maxRedirects) {
        this.maxRedirects = maxRedirects;
    }

    public Boolean getDecompress() {
        return decompress;
    }

    public void setDecompress(Boolean decompress) {
        this.decompress = decompress;
    }

    public Duration getLeakDetectionThreshold() {
        return leakDetectionThreshold;
    }

    public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
        this.leakDetectionThreshold = leakDetectionThreshold;
    }

    public Integer getMaxHeaderCount() {
        return maxHeaderCount;
    }

    public void setMaxHeaderCount(Integer maxHeaderCount) {
        this.maxHeaderCount = maxHeaderCount;
    }

    public DataSize getMaxHeaderLine() {
        return maxHeaderLine;
    }

    public void setMaxHeaderLine(DataSize maxHeaderLine) {
        this.maxHeaderLine = maxHeaderLine;
    }

    public String getProxy() {
        return proxy;
    }

    public void setProxy(String proxy) {
        this.proxy = proxy;
    }

    public List<String> getNoProxy() {
        return noProxy;
    }

    public void setNoProxy(List<String> noProxy) {
        this.noProxy = noProxy;
    }

    public Boolean getTrustEnv() {
        return trustEnv;
    }

    public void setTrustEnv(Boolean trustEnv) {
        this.trustEnv = trustEnv;
    }

    public List<String> getProtocols() {
        return protocols;
    }

    public void setProtocols(List<String> protocols) {
        this.protocols = protocols;
    }

    public Integer getMaxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    public void setMaxConcurrentStreams(Integer maxConcurrentStreams) {
        this.maxConcurrentStreams = maxConcurrentStreams;
    }

    /** The values of the {@code redirects} setting. */
    public enum RedirectMode {
        /** Follow 301, 302, 303, 307 and 308 up to max-redirects. */
        FOLLOW,
        /** Hand the redirect response to the caller as it is. */
        DONT_FOLLOW
    }
}
