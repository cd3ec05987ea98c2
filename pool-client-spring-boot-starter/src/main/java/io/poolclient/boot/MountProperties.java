package io.poolclient.boot;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * The settings of one mount ({@code pool-client.mounts.<name>.*}) or of every mount
 * ({@code pool-client.defaults.*}). Every field starts unset ({@code null}) so that the engine's
 * fallback order applies key by key; the defaults named below are the built-in ones.
 */
public class MountProperties {

    /**
     * URL prefix this mount serves, e.g. https://api.payments.example/ ; scheme and host compare
     * case-insensitively, the path is a plain case-sensitive prefix. Required on every mount except
     * the implicit "http" and "https", where it must not be set.
     */
    private String prefix;

    /**
     * How many per-host pools the mount keeps; the least recently used one is evicted past that.
     * Default 10.
     */
    private Integer poolConnections;

    /**
     * Idle connections kept per host pool; with pool-block also the cap on connections in use.
     * Default 10.
     */
    private Integer poolMaxsize;

    /**
     * Whether callers wait for a free connection (up to pool-timeout) instead of opening one past
     * pool-maxsize. Default false.
     */
    private Boolean poolBlock;

    /**
     * How long a caller waits for a connection when pool-block is true. Default 30s.
     */
    private Duration poolTimeout;

    /**
     * Connect timeout. Default: spring.http.clients.connect-timeout, else 10s.
     */
    private Duration connectTimeout;

    /**
     * Read timeout (longest wait for response bytes). Default: spring.http.clients.read-timeout,
     * else 30s.
     */
    private Duration readTimeout;

    /**
     * An idle connection older than this is closed instead of reused; 0 keeps idle connections
     * until the server's Keep-Alive timeout. Default 30s.
     */
    private Duration idleTimeout;

    /**
     * A connection older than this is not reused. Default unset (no limit).
     */
    private Duration maxLifetime;

    /**
     * Retries of connection failures only, before any byte reached the server (requests'
     * max_retries). Default 0. Cannot be combined with retry.*.
     */
    private Integer maxRetries;

    /**
     * Full urllib3-style retry policy; replaces max-retries. Unset unless a retry.* key is given.
     */
    @NestedConfigurationProperty
    private RetryProperties retry;

    /**
     * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) used for HTTPS through this mount.
     * Default: spring.http.clients.ssl.bundle, else the JDK's trust store.
     */
    private String sslBundle;

    /**
     * Redirect handling: follow or dont-follow. Default: spring.http.clients.redirects, else follow.
     */
    private RedirectMode redirects;

    /**
     * Most redirects followed for one request. Default 30.
     */
    private Integer maxRedirects;

    /**
     * Whether gzip and deflate responses are decoded transparently when the caller set no
     * Accept-Encoding. Default true.
     */
    private Boolean decompress;

    /**
     * A lease held longer than this logs a WARN with the stack where it was leased; must be
     * positive. Default unset (off).
     */
    private Duration leakDetectionThreshold;

    /**
     * Most response headers accepted. Default 100.
     */
    private Integer maxHeaderCount;

    /**
     * Longest response header line accepted. Default 8KB.
     */
    private DataSize maxHeaderLine;

    /**
     * Proxy for this mount's requests: http://[user:password@]host:port, https://... (TLS to the
     * proxy), socks5://... or socks5h://... (names resolved by the proxy). Credentials are never
     * logged or shown. Default unset (see trust-env).
     */
    private String proxy;

    /**
     * Hosts that bypass any proxy: names (matching their subdomains), IP literals, CIDR ranges
     * (10.0.0.0/8, fd00::/8) or * for all. Default empty.
     */
    private List<String> noProxy;

    /**
     * With no proxy set, use the JVM's proxy properties (https.proxyHost, ...), else the
     * HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY environment variables; localhost and loopback
     * addresses always go direct then. Default true.
     */
    private Boolean trustEnv;

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

    /** The values of the {@code redirects} setting. */
    public enum RedirectMode {
        /** Follow 301, 302, 303, 307 and 308 up to max-redirects. */
        FOLLOW,
        /** Hand the redirect response to the caller as it is. */
        DONT_FOLLOW
    }
}
