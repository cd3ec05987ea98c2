package io.poolclient;

import io.poolclient.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one mount, every one optional: an unset key ({@code null}) falls back key by key
 * to {@code pool-client.defaults}, then to the built-in default. For the keys Spring Boot also knows
 * (connect and read timeout, redirects, TLS) the caller's {@link RequestOptions} add layers: a
 * per-client value sits between the mount's own value and {@code pool-client.defaults}, a global
 * one below {@code pool-client.defaults}, and a per-request one above everything. Immutable and
 * thread-safe.
 *
 * <p>Every setting is a {@link Key}: its property name, its type and the rule a set value must
 * meet. Merging ({@link #withFallback}), validation ({@link #validate}), equality and
 * {@link #toString()} walk {@link #keys()}, so a new setting is one {@code Key} constant, one
 * accessor and one builder method.
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
    /** Built-in default of {@code max-concurrent-streams}. */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;

    private static final List<Key<?>> KEYS = new ArrayList<>();

    /** {@code pool-connections}: how many host pools the mount keeps. */
    public static final Key<Integer> POOL_CONNECTIONS = key("pool-connections", Integer.class, Rule.AT_LEAST_1);
    /** {@code pool-maxsize}: idle connections kept per host pool. */
    public static final Key<Integer> POOL_MAXSIZE = key("pool-maxsize", Integer.class, Rule.AT_LEAST_1);
    /** {@code pool-block}: whether callers wait for a connection. */
    public static final Key<Boolean> POOL_BLOCK = key("pool-block", Boolean.class, Rule.any());
    /** {@code pool-timeout}: how long a blocked caller waits. */
    public static final Key<Duration> POOL_TIMEOUT = key("pool-timeout", Duration.class, Rule.NOT_NEGATIVE);
    /** {@code connect-timeout}. */
    public static final Key<Duration> CONNECT_TIMEOUT = key("connect-timeout", Duration.class, Rule.NOT_NEGATIVE);
    /** {@code read-timeout}. */
    public static final Key<Duration> READ_TIMEOUT = key("read-timeout", Duration.class, Rule.NOT_NEGATIVE);
    /** {@code idle-timeout}: an idle connection older than this is closed. */
    public static final Key<Duration> IDLE_TIMEOUT = key("idle-timeout", Duration.class, Rule.NOT_NEGATIVE);
    /** {@code max-lifetime}: a connection older than this is not reused. */
    public static final Key<Duration> MAX_LIFETIME = key("max-lifetime", Duration.class, Rule.NOT_NEGATIVE);
    /** {@code max-retries}: retries of connection failures only; one retry key with {@link #RETRY}. */
    public static final Key<Integer> MAX_RETRIES = key("max-retries", Integer.class, Rule.NOT_NEGATIVE_INT);
    /** {@code retry}: a full urllib3-style policy; one retry key with {@link #MAX_RETRIES}. */
    public static final Key<Retry> RETRY = key("retry", Retry.class, Rule.any());
    /** {@code ssl-bundle}: the TLS material of HTTPS connections. */
    public static final Key<TlsConfig> TLS = key("ssl-bundle", TlsConfig.class, Rule.any());
    /** {@code redirects}: follow or not. */
    public static final Key<Redirects> REDIRECTS = key("redirects", Redirects.class, Rule.any());
    /** {@code max-redirects}. */
    public static final Key<Integer> MAX_REDIRECTS = key("max-redirects", Integer.class, Rule.NOT_NEGATIVE_INT);
    /** {@code decompress}: transparent gzip/deflate decoding. */
    public static final Key<Boolean> DECOMPRESS = key("decompress", Boolean.class, Rule.any());
    /** {@code leak-detection-threshold}: a lease held longer is reported; must be positive when set. */
    public static final Key<Duration> LEAK_DETECTION_THRESHOLD = key("leak-detection-threshold", Duration.class,
            Rule.POSITIVE);
    /** {@code max-header-count}: response header limit. */
    public static final Key<Integer> MAX_HEADER_COUNT = key("max-header-count", Integer.class, Rule.AT_LEAST_1);
    /** {@code max-header-line}: response header line limit, in bytes. */
    public static final Key<Integer> MAX_HEADER_LINE = key("max-header-line", Integer.class, Rule.AT_LEAST_1);
    /** {@code proxy}: the proxy every request of the mount goes through, unless {@code no-proxy} matches. */
    public static final Key<ProxyAddress> PROXY = key("proxy", ProxyAddress.class, Rule.any());
    /** {@code no-proxy}: hosts that bypass any proxy. */
    public static final Key<NoProxyHosts> NO_PROXY = key("no-proxy", NoProxyHosts.class, Rule.any());
    /** {@code trust-env}: with no {@code proxy}, use the JVM's proxy properties, else the environment's. */
    public static final Key<Boolean> TRUST_ENV = key("trust-env", Boolean.class, Rule.any());
    /** {@code protocols}: the HTTP versions the mount may speak, in order of preference. */
    public static final Key<Protocols> PROTOCOLS = key("protocols", Protocols.class, Rule.any());
    /** {@code max-concurrent-streams}: our cap on HTTP/2 streams per connection. */
    public static final Key<Integer> MAX_CONCURRENT_STREAMS = key("max-concurrent-streams", Integer.class,
            Rule.AT_LEAST_1);

    private static final List<Key<?>> ALL_KEYS = Collections.unmodifiableList(KEYS);

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
            .trustEnv(true)
            .protocols(Protocols.HTTP_1_1)
            .maxConcurrentStreams(DEFAULT_MAX_CONCURRENT_STREAMS)
            .build();

    /** One value per key, indexed by {@link Key#index}; {@code null} is unset. */
    private final @Nullable Object[] values;

    private MountSettings(@Nullable Object[] values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every key, in the order the endpoint lists them. */
    public static List<Key<?>> keys() {
        return ALL_KEYS;
    }

    /** The value of a key, {@code null} when unset. */
    public <T> @Nullable T get(Key<T> key) {
        return key.type.cast(values[key.index]);
    }

    /**
     * These settings with every unset key taken from {@code fallback}. The retry policy is one key:
     * if this sets {@code maxRetries} or {@code retry}, neither is taken from the fallback.
     */
    public MountSettings withFallback(MountSettings fallback) {
        boolean ownRetryPolicy = get(MAX_RETRIES) != null || get(RETRY) != null;
        @Nullable Object[] merged = values.clone();
        for (Key<?> key : ALL_KEYS) {
            boolean retryPolicyKey = key == MAX_RETRIES || key == RETRY;
            if (merged[key.index] == null && !(retryPolicyKey && ownRetryPolicy)) {
                merged[key.index] = fallback.values[key.index];
            }
        }
        return new MountSettings(merged);
    }

    /**
     * Checks every set key, naming the offending property under {@code propertyPrefix} (for example
     * {@code pool-client.mounts.payments}).
     *
     * @throws IllegalArgumentException naming the property and the bad value
     */
    public void validate(String propertyPrefix) {
        for (Key<?> key : ALL_KEYS) {
            key.check(propertyPrefix, values[key.index]);
        }
        if (get(MAX_RETRIES) != null && get(RETRY) != null) {
            throw new IllegalArgumentException(propertyPrefix + ".max-retries and " + propertyPrefix
                    + ".retry are both set; set one of them (max-retries retries connection failures only, retry.* is the full policy)");
        }
    }

    /** The retry policy these settings describe: {@code retry}, else {@code maxRetries}, else none. */
    public Retry retryPolicy() {
        Retry retry = get(RETRY);
        if (retry != null) {
            return retry;
        }
        Integer maxRetries = get(MAX_RETRIES);
        return maxRetries == null || maxRetries == 0 ? Retry.none() : Retry.connectOnly(maxRetries);
    }

    public @Nullable Integer poolConnections() { return get(POOL_CONNECTIONS); }
    public @Nullable Integer poolMaxsize() { return get(POOL_MAXSIZE); }
    public @Nullable Boolean poolBlock() { return get(POOL_BLOCK); }
    public @Nullable Duration poolTimeout() { return get(POOL_TIMEOUT); }
    public @Nullable Duration connectTimeout() { return get(CONNECT_TIMEOUT); }
    public @Nullable Duration readTimeout() { return get(READ_TIMEOUT); }
    public @Nullable Duration idleTimeout() { return get(IDLE_TIMEOUT); }
    public @Nullable Duration maxLifetime() { return get(MAX_LIFETIME); }
    public @Nullable Integer maxRetries() { return get(MAX_RETRIES); }
    public @Nullable Retry retry() { return get(RETRY); }
    public @Nullable TlsConfig tls() { return get(TLS); }
    public @Nullable Redirects redirects() { return get(REDIRECTS); }
    public @Nullable Integer maxRedirects() { return get(MAX_REDIRECTS); }
    public @Nullable Boolean decompress() { return get(DECOMPRESS); }
    public @Nullable Duration leakDetectionThreshold() { return get(LEAK_DETECTION_THRESHOLD); }
    public @Nullable Integer maxHeaderCount() { return get(MAX_HEADER_COUNT); }
    public @Nullable Integer maxHeaderLine() { return get(MAX_HEADER_LINE); }
    public @Nullable ProxyAddress proxy() { return get(PROXY); }
    public @Nullable NoProxyHosts noProxy() { return get(NO_PROXY); }
    public @Nullable Boolean trustEnv() { return get(TRUST_ENV); }
    public @Nullable Protocols protocols() { return get(PROTOCOLS); }
    public @Nullable Integer maxConcurrentStreams() { return get(MAX_CONCURRENT_STREAMS); }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof MountSettings that && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    /** The set keys by property name, e.g. {@code {pool-maxsize=10, pool-timeout=30s}}. */
    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(", ", "{", "}");
        for (Key<?> key : ALL_KEYS) {
            Object value = values[key.index];
            if (value != null) {
                s.add(key.property + "=" + (value instanceof Duration d ? format(d) : value));
            }
        }
        return s.toString();
    }

    /** A duration the way Spring Boot properties spell it, for messages: {@code 30s}, {@code 250ms}, {@code 2m}. */
    public static String format(Duration d) {
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

    private static <T> Key<T> key(String property, Class<T> type, Rule<? super T> rule) {
        Key<T> key = new Key<>(KEYS.size(), property, type, rule);
        KEYS.add(key);
        return key;
    }

    /**
     * One mount setting: its property name under {@code pool-client.mounts.<name>} (also the
     * endpoint's name for it, in camelCase) and the type of its value. Only the constants of
     * {@link MountSettings} exist; compared by identity.
     *
     * @param <T> the value type
     */
    public static final class Key<T> {

        private final int index;
        private final String property;
        private final Class<T> type;
        private final Rule<? super T> rule;

        private Key(int index, String property, Class<T> type, Rule<? super T> rule) {
            this.index = index;
            this.property = property;
            this.type = type;
            this.rule = rule;
        }

        /** The property name, kebab-case: {@code pool-maxsize}, {@code ssl-bundle}. */
        public String property() {
            return property;
        }

        /** The type of the value. */
        public Class<T> type() {
            return type;
        }

        private void check(String propertyPrefix, @Nullable Object value) {
            if (value == null) {
                return;
            }
            T typed = type.cast(value);
            String violation = rule.violation(typed);
            if (violation != null) {
                throw new IllegalArgumentException(propertyPrefix + "." + property + " " + violation + ", was "
                        + (typed instanceof Duration d ? format(d) : typed));
            }
        }

        @Override
        public String toString() {
            return property;
        }
    }

    /** What a set value must meet: {@code null} when it does, else what it must be ("must be >= 1"). */
    @FunctionalInterface
    private interface Rule<T> {

        Rule<Integer> AT_LEAST_1 = v -> v < 1 ? "must be >= 1" : null;
        Rule<Integer> NOT_NEGATIVE_INT = v -> v < 0 ? "must be >= 0" : null;
        Rule<Duration> NOT_NEGATIVE = v -> v.isNegative() ? "must not be negative" : null;
        Rule<Duration> POSITIVE = v -> v.isNegative() || v.isZero() ? "must be positive (unset turns it off)" : null;

        @Nullable String violation(T value);

        static <T> Rule<T> any() {
            return v -> null;
        }
    }

    /** Builds {@link MountSettings}; every key starts unset, and setting {@code null} unsets it. */
    public static final class Builder {

        private final @Nullable Object[] values = new Object[KEYS.size()];

        private Builder() {
        }

        /** Sets any key; {@code null} leaves it unset. */
        public <T> Builder set(Key<T> key, @Nullable T value) {
            values[key.index] = value;
            return this;
        }

        /** How many host pools the mount keeps; the least recently used is evicted past that. */
        public Builder poolConnections(@Nullable Integer v) { return set(POOL_CONNECTIONS, v); }
        /** Idle connections kept per host pool; with pool-block also the cap on connections. */
        public Builder poolMaxsize(@Nullable Integer v) { return set(POOL_MAXSIZE, v); }
        /** Whether callers wait for a connection instead of opening one past maxsize. */
        public Builder poolBlock(@Nullable Boolean v) { return set(POOL_BLOCK, v); }
        /** How long a blocked caller waits before a {@link PoolTimeoutException}. */
        public Builder poolTimeout(@Nullable Duration v) { return set(POOL_TIMEOUT, v); }
        public Builder connectTimeout(@Nullable Duration v) { return set(CONNECT_TIMEOUT, v); }
        public Builder readTimeout(@Nullable Duration v) { return set(READ_TIMEOUT, v); }
        /** An idle connection older than this is closed instead of reused. */
        public Builder idleTimeout(@Nullable Duration v) { return set(IDLE_TIMEOUT, v); }
        /** A connection older than this is not reused. */
        public Builder maxLifetime(@Nullable Duration v) { return set(MAX_LIFETIME, v); }
        /** requests' max_retries: retries of connection failures only. */
        public Builder maxRetries(@Nullable Integer v) { return set(MAX_RETRIES, v); }
        /** A full urllib3-style retry policy. */
        public Builder retry(@Nullable Retry v) { return set(RETRY, v); }
        public Builder tls(@Nullable TlsConfig v) { return set(TLS, v); }
        public Builder redirects(@Nullable Redirects v) { return set(REDIRECTS, v); }
        public Builder maxRedirects(@Nullable Integer v) { return set(MAX_REDIRECTS, v); }
        public Builder decompress(@Nullable Boolean v) { return set(DECOMPRESS, v); }
        /** A lease held longer than this is reported once with the stack where it was leased; must be positive. */
        public Builder leakDetectionThreshold(@Nullable Duration v) { return set(LEAK_DETECTION_THRESHOLD, v); }
        public Builder maxHeaderCount(@Nullable Integer v) { return set(MAX_HEADER_COUNT, v); }
        public Builder maxHeaderLine(@Nullable Integer v) { return set(MAX_HEADER_LINE, v); }
        /** The proxy for the mount's requests (see {@link ProxyAddress}); {@code no-proxy} hosts go direct. */
        public Builder proxy(@Nullable ProxyAddress v) { return set(PROXY, v); }
        /** Hosts that bypass any proxy, the mount's own and those found with {@code trust-env}. */
        public Builder noProxy(@Nullable NoProxyHosts v) { return set(NO_PROXY, v); }
        /**
         * With no {@code proxy}: whether to use the JVM's proxy properties, else the {@code HTTPS_PROXY},
         * {@code HTTP_PROXY}, {@code ALL_PROXY} and {@code NO_PROXY} environment variables (default true).
         */
        public Builder trustEnv(@Nullable Boolean v) { return set(TRUST_ENV, v); }
        /**
         * The HTTP versions to speak, in order of preference: {@code h2} and {@code http/1.1} (the ALPN
         * offer) on {@code https://}, {@code h2c} (HTTP/2 with prior knowledge) or {@code http/1.1} on
         * {@code http://}.
         */
        public Builder protocols(@Nullable Protocols v) { return set(PROTOCOLS, v); }
        /**
         * The most HTTP/2 streams one connection carries at once; the server's
         * {@code SETTINGS_MAX_CONCURRENT_STREAMS} lowers it.
         */
        public Builder maxConcurrentStreams(@Nullable Integer v) { return set(MAX_CONCURRENT_STREAMS, v); }

        public MountSettings build() {
            return new MountSettings(values.clone());
        }
    }
}
