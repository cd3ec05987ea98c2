package io.poolclient;

import io.poolclient.retry.Retry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of one mount, every one optional: an unset key ({@code null}) falls back key by key
 * to {@code pool-client.defaults}, then (for the keys Spring Boot knows) to the caller's
 * {@link RequestOptions}, then to the built-in default. Immutable and thread-safe.
 *
 * <p>Retry policy: {@code maxRetries} (connection failures only) and {@code retry} (a full urllib3
 * policy) are two spellings of one key; a mount may set one of them, not both.
 */
public final class MountSettings {

    /** Built-in default of {@code pool-connections}. */
    public static final int DEFAULT_POOL_CONNECTIONS = 10;
    /** Built-in default of {@code pool-maxsize}. */
    public static final int DEFAULT_POOL_MAXSIZE = 10;
    /** Built-in default of {@code pool-timeout}. */
    public static final Duration DEFAULT_POOL_TIMEOUT = Duration.ofSeconds(30);
    /** Built-in default of {@code connect-timeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Built-in default of {@code read-timeout}. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Built-in default of {@code idle-timeout}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Built-in default of {@code max-redirects}, as requests. */
    public static final int DEFAULT_MAX_REDIRECTS = 30;
    /** Built-in default of {@code max-header-count}. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    /** Built-in default of {@code max-header-line}, in bytes. */
    public static final int DEFAULT_MAX_HEADER_LINE = 8192;

    /** No key set. */
    public static final MountSettings EMPTY = builder().build();

    /**
     * The built-in defaults of every key that Spring Boot does not also know. Connect and read
     * timeouts, redirects and TLS stay unset here so that a caller's {@link RequestOptions} can
     * still supply them; {@link #DEFAULT_CONNECT_TIMEOUT} and friends apply after those.
     */
    public static final MountSettings BUILT_IN = builder()
            .poolConnections(DEFAULT_POOL_CONNECTIONS)
            .poolMaxsize(DEFAULT_POOL_MAXSIZE)
            .poolBlock(false)
            .poolTimeout(DEFAULT_POOL_TIMEOUT)
            .idleTimeout(DEFAULT_IDLE_TIMEOUT)
            .maxRetries(0)
            .maxRedirects(DEFAULT_MAX_REDIRECTS)
            .decompress(true)
            .maxHeaderCount(DEFAULT_MAX_HEADER_COUNT)
            .maxHeaderLine(DEFAULT_MAX_HEADER_LINE)
            .build();

    private final Integer poolConnections;
    private final Integer poolMaxsize;
    private final Boolean poolBlock;
    private final Duration poolTimeout;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration idleTimeout;
    private final Duration maxLifetime;
    private final Integer maxRetries;
    private final Retry retry;
    private final TlsConfig tls;
    private final Redirects redirects;
    private final Integer maxRedirects;
    private final Boolean decompress;
    private final Duration leakDetectionThreshold;
    private final Integer maxHeaderCount;
    private final Integer maxHeaderLine;

    private MountSettings(Builder b) {
        this.poolConnections = b.poolConnections;
        this.poolMaxsize = b.poolMaxsize;
        this.poolBlock = b.poolBlock;
        this.poolTimeout = b.poolTimeout;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxLifetime = b.maxLifetime;
        this.maxRetries = b.maxRetries;
        this.retry = b.retry;
        this.tls = b.tls;
        this.redirects = b.redirects;
        this.maxRedirects = b.maxRedirects;
        this.decompress = b.decompress;
        this.leakDetectionThreshold = b.leakDetectionThreshold;
        this.maxHeaderCount = b.maxHeaderCount;
        this.maxHeaderLine = b.maxHeaderLine;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * These settings with every unset key taken from {@code fallback}. The retry policy is one key:
     * if this sets {@code maxRetries} or {@code retry}, neither is taken from the fallback.
     */
    public MountSettings withFallback(MountSettings fallback) {
        Builder b = new Builder();
        b.poolConnections = or(poolConnections, fallback.poolConnections);
        b.poolMaxsize = or(poolMaxsize, fallback.poolMaxsize);
        b.poolBlock = or(poolBlock, fallback.poolBlock);
        b.poolTimeout = or(poolTimeout, fallback.poolTimeout);
        b.connectTimeout = or(connectTimeout, fallback.connectTimeout);
        b.readTimeout = or(readTimeout, fallback.readTimeout);
        b.idleTimeout = or(idleTimeout, fallback.idleTimeout);
        b.maxLifetime = or(maxLifetime, fallback.maxLifetime);
        if (maxRetries != null || retry != null) {
            b.maxRetries = maxRetries;
            b.retry = retry;
        }
        else {
            b.maxRetries = fallback.maxRetries;
            b.retry = fallback.retry;
        }
        b.tls = or(tls, fallback.tls);
        b.redirects = or(redirects, fallback.redirects);
        b.maxRedirects = or(maxRedirects, fallback.maxRedirects);
        b.decompress = or(decompress, fallback.decompress);
        b.leakDetectionThreshold = or(leakDetectionThreshold, fallback.leakDetectionThreshold);
        b.maxHeaderCount = or(maxHeaderCount, fallback.maxHeaderCount);
        b.maxHeaderLine = or(maxHeaderLine, fallback.maxHeaderLine);
        return new MountSettings(b);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /**
     * Checks every set key, naming the offending property under {@code propertyPrefix} (for example
     * {@code pool-client.mounts.payments}).
     *
     * @throws IllegalArgumentException naming the property and the bad value
     */
    public void validate(String propertyPrefix) {
        atLeast1(propertyPrefix, "pool-connections", poolConnections);
        atLeast1(propertyPrefix, "pool-maxsize", poolMaxsize);
        atLeast1(propertyPrefix, "max-header-count", maxHeaderCount);
        atLeast1(propertyPrefix, "max-header-line", maxHeaderLine);
        if (maxRetries != null && maxRetries < 0) {
            throw new IllegalArgumentException(propertyPrefix + ".max-retries must be >= 0, was " + maxRetries);
        }
        if (maxRedirects != null && maxRedirects < 0) {
            throw new IllegalArgumentException(propertyPrefix + ".max-redirects must be >= 0, was " + maxRedirects);
        }
        if (maxRetries != null && retry != null) {
            throw new IllegalArgumentException(propertyPrefix + ".max-retries and " + propertyPrefix
                    + ".retry are both set; set one of them (max-retries retries connection failures only, retry.* is the full policy)");
        }
        nonNegative(propertyPrefix, "pool-timeout", poolTimeout);
        nonNegative(propertyPrefix, "connect-timeout", connectTimeout);
        nonNegative(propertyPrefix, "read-timeout", readTimeout);
        nonNegative(propertyPrefix, "idle-timeout", idleTimeout);
        nonNegative(propertyPrefix, "max-lifetime", maxLifetime);
        nonNegative(propertyPrefix, "leak-detection-threshold", leakDetectionThreshold);
    }

    private static void atLeast1(String prefix, String key, Integer value) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException(prefix + "." + key + " must be >= 1, was " + value);
        }
    }

    private static void nonNegative(String prefix, String key, Duration value) {
        if (value != null && value.isNegative()) {
            throw new IllegalArgumentException(prefix + "." + key + " must not be negative, was " + format(value));
        }
    }

    /** The retry policy these settings describe: {@code retry}, else {@code maxRetries}, else none. */
    public Retry retryPolicy() {
        if (retry != null) {
            return retry;
        }
        return maxRetries == null || maxRetries == 0 ? Retry.none() : Retry.connectOnly(maxRetries);
    }

    /**
     * The keys as the endpoint shows them (camelCase, durations as {@code 30s}/{@code 250ms}); unset
     * keys are omitted. Nothing secret is included: TLS shows only its name.
     */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "poolConnections", poolConnections);
        putIf(m, "poolMaxsize", poolMaxsize);
        putIf(m, "poolBlock", poolBlock);
        putIf(m, "poolTimeout", format(poolTimeout));
        putIf(m, "connectTimeout", format(connectTimeout));
        putIf(m, "readTimeout", format(readTimeout));
        putIf(m, "idleTimeout", format(idleTimeout));
        putIf(m, "maxLifetime", format(maxLifetime));
        putIf(m, "maxRetries", maxRetries);
        if (retry != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            putIf(r, "total", retry.total());
            putIf(r, "connect", retry.connect());
            putIf(r, "read", retry.read());
            putIf(r, "status", retry.status());
            r.put("statusForcelist", retry.statusForcelist());
            r.put("allowedMethods", retry.allowedMethods());
            r.put("backoffFactor", format(retry.backoffFactor()));
            r.put("backoffMax", format(retry.backoffMax()));
            r.put("backoffJitter", format(retry.backoffJitter()));
            r.put("respectRetryAfter", retry.respectRetryAfter());
            r.put("raiseOnStatus", retry.raiseOnStatus());
            m.put("retry", r);
        }
        putIf(m, "sslBundle", tls == null ? null : tls.name());
        putIf(m, "redirects", redirects == null ? null : redirects.name().toLowerCase().replace('_', '-'));
        putIf(m, "maxRedirects", maxRedirects);
        putIf(m, "decompress", decompress);
        putIf(m, "leakDetectionThreshold", format(leakDetectionThreshold));
        putIf(m, "maxHeaderCount", maxHeaderCount);
        putIf(m, "maxHeaderLine", maxHeaderLine);
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** A duration the way Spring Boot properties spell it: {@code 30s}, {@code 250ms}, {@code 2m}. */
    public static String format(Duration d) {
        if (d == null) {
            return null;
        }
        long ms = d.toMillis();
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        if (ms % 3_600_000 == 0 && ms != 0) {
            return (ms / 3_600_000) + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return (ms / 60_000) + "m";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return ms + "ms";
    }

    public Integer poolConnections() { return poolConnections; }
    public Integer poolMaxsize() { return poolMaxsize; }
    public Boolean poolBlock() { return poolBlock; }
    public Duration poolTimeout() { return poolTimeout; }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration readTimeout() { return readTimeout; }
    public Duration idleTimeout() { return idleTimeout; }
    public Duration maxLifetime() { return maxLifetime; }
    public Integer maxRetries() { return maxRetries; }
    public Retry retry() { return retry; }
    public TlsConfig tls() { return tls; }
    public Redirects redirects() { return redirects; }
    public Integer maxRedirects() { return maxRedirects; }
    public Boolean decompress() { return decompress; }
    public Duration leakDetectionThreshold() { return leakDetectionThreshold; }
    public Integer maxHeaderCount() { return maxHeaderCount; }
    public Integer maxHeaderLine() { return maxHeaderLine; }

    @Override
    public String toString() {
        return describe().toString();
    }

    /** Builds {@link MountSettings}; every key starts unset. */
    public static final class Builder {
        private Integer poolConnections;
        private Integer poolMaxsize;
        private Boolean poolBlock;
        private Duration poolTimeout;
        private Duration connectTimeout;
        private Duration readTimeout;
        private Duration idleTimeout;
        private Duration maxLifetime;
        private Integer maxRetries;
        private Retry retry;
        private TlsConfig tls;
        private Redirects redirects;
        private Integer maxRedirects;
        private Boolean decompress;
        private Duration leakDetectionThreshold;
        private Integer maxHeaderCount;
        private Integer maxHeaderLine;

        private Builder() {
        }

        /** How many host pools the mount keeps; the least recently used is evicted past that. */
        public Builder poolConnections(Integer v) { this.poolConnections = v; return this; }
        /** Idle connections kept per host pool; with pool-block also the cap on connections. */
        public Builder poolMaxsize(Integer v) { this.poolMaxsize = v; return this; }
        /** Whether callers wait for a connection instead of opening one past maxsize. */
        public Builder poolBlock(Boolean v) { this.poolBlock = v; return this; }
        /** How long a blocked caller waits before a {@link PoolTimeoutException}. */
        public Builder poolTimeout(Duration v) { this.poolTimeout = v; return this; }
        public Builder connectTimeout(Duration v) { this.connectTimeout = v; return this; }
        public Builder readTimeout(Duration v) { this.readTimeout = v; return this; }
        /** An idle connection older than this is closed instead of reused. */
        public Builder idleTimeout(Duration v) { this.idleTimeout = v; return this; }
        /** A connection older than this is not reused. */
        public Builder maxLifetime(Duration v) { this.maxLifetime = v; return this; }
        /** requests' max_retries: retries of connection failures only. */
        public Builder maxRetries(Integer v) { this.maxRetries = v; return this; }
        /** A full urllib3-style retry policy. */
        public Builder retry(Retry v) { this.retry = v; return this; }
        public Builder tls(TlsConfig v) { this.tls = v; return this; }
        public Builder redirects(Redirects v) { this.redirects = v; return this; }
        public Builder maxRedirects(Integer v) { this.maxRedirects = v; return this; }
        public Builder decompress(Boolean v) { this.decompress = v; return this; }
        public Builder leakDetectionThreshold(Duration v) { this.leakDetectionThreshold = v; return this; }
        public Builder maxHeaderCount(Integer v) { this.maxHeaderCount = v; return this; }
        public Builder maxHeaderLine(Integer v) { this.maxHeaderLine = v; return this; }

        public MountSettings build() {
            return new MountSettings(this);
        }
    }
}
