package io.poolclient.internal.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Proxies found outside the configuration, for {@code trust-env} (as Python requests does with
 * {@code trust_env}): first the JVM's standard proxy system properties, else the environment.
 *
 * <p>JVM properties (the ones {@code java.net} documents): {@code http.proxyHost}/{@code http.proxyPort}
 * (default 80) for {@code http://} targets, {@code https.proxyHost}/{@code https.proxyPort} (default 443)
 * for {@code https://} targets (both plain HTTP proxies), with {@code http.nonProxyHosts} ({@code |}-separated
 * host patterns, {@code *} as a wildcard, case-insensitive) for both; then {@code socksProxyHost}/
 * {@code socksProxyPort} (default 1080) with {@code socksNonProxyHosts}, used as {@code socks5h} (the JDK
 * sends unresolved names to a SOCKS proxy too). When the JVM properties name a proxy for a target's scheme
 * (HTTP or SOCKS), they alone decide, a non-proxy-hosts match meaning "direct".
 *
 * <p>Environment, otherwise: {@code HTTPS_PROXY} for {@code https://} targets and {@code HTTP_PROXY} for
 * {@code http://} targets, each falling back to {@code ALL_PROXY}; {@code NO_PROXY} (a {@link NoProxy} list)
 * sends matching hosts direct. Names are matched in any case; when a variable is set both in lower case and
 * otherwise, the lower-case one wins (an empty lower-case value unsets it), and a value without a scheme
 * ({@code proxy:3128}) means {@code http://}, as in requests.
 *
 * <p>The sources are read once, by {@link #capture}, so a malformed value fails there, with a message
 * naming the property or variable. Immutable and thread-safe.
 */
public final class ProxyEnvironment {

    /** No proxy anywhere. */
    public static final ProxyEnvironment NONE = capture(name -> null, Map.of());

    private final ProxyUrl jvmHttp;
    private final ProxyUrl jvmHttps;
    private final ProxyUrl jvmSocks;
    private final List<Pattern> jvmNonProxyHosts;
    private final List<Pattern> jvmSocksNonProxyHosts;
    private final ProxyUrl envHttp;
    private final ProxyUrl envHttps;
    private final ProxyUrl envAll;
    private final NoProxy envNoProxy;

    private ProxyEnvironment(Function<String, String> properties, Map<String, String> environment) {
        jvmHttp = jvmProxy(properties, "http", 80);
        jvmHttps = jvmProxy(properties, "https", 443);
        jvmSocks = jvmProxy(properties, "socks", 1080);
        jvmNonProxyHosts = globs(properties.apply("http.nonProxyHosts"));
        jvmSocksNonProxyHosts = globs(properties.apply("socksNonProxyHosts"));
        Map<String, Map.Entry<String, String>> env = proxyVariables(environment);
        envHttp = envProxy(env.get("http_proxy"));
        envHttps = envProxy(env.get("https_proxy"));
        envAll = envProxy(env.get("all_proxy"));
        Map.Entry<String, String> noProxy = env.get("no_proxy");
        envNoProxy = noProxy == null ? NoProxy.NONE
                : NoProxy.parse(noProxy.getValue(), "environment variable " + noProxy.getKey());
    }

    /** The proxies of this JVM: {@link System#getProperty} and {@link System#getenv()}, read now. */
    public static ProxyEnvironment system() {
        return capture(System::getProperty, System.getenv());
    }

    /**
     * The proxies named by the given sources, read now.
     *
     * @param properties system property lookup (name to value or {@code null})
     * @param environment environment variables
     * @throws IllegalArgumentException for a malformed proxy value or port, naming its property or variable
     */
    public static ProxyEnvironment capture(Function<String, String> properties, Map<String, String> environment) {
        return new ProxyEnvironment(Objects.requireNonNull(properties), Objects.requireNonNull(environment));
    }

    /**
     * The proxy these sources give for a target, or empty for a direct connection. Loopback targets are not
     * special here; {@link ProxySelection} always sends them direct.
     *
     * @param scheme the target's scheme, {@code http} or {@code https}
     * @param host the target host (name or literal, IPv6 with or without brackets)
     * @param port the target port
     */
    public Optional<ProxyUrl> proxyFor(String scheme, String host, int port) {
        boolean https = "https".equalsIgnoreCase(scheme);
        ProxyUrl jvm = https ? jvmHttps : jvmHttp;
        if (jvm != null) {
            return matchesAny(jvmNonProxyHosts, host) ? Optional.empty() : Optional.of(jvm);
        }
        if (jvmSocks != null) {
            return matchesAny(jvmSocksNonProxyHosts, host) ? Optional.empty() : Optional.of(jvmSocks);
        }
        ProxyUrl env = https ? envHttps : envHttp;
        if (env == null) {
            env = envAll;
        }
        if (env == null || envNoProxy.matches(host, port)) {
            return Optional.empty();
        }
        return Optional.of(env);
    }

    /** Whether any source names a proxy. */
    public boolean isEmpty() {
        return jvmHttp == null && jvmHttps == null && jvmSocks == null && envHttp == null && envHttps == null
                && envAll == null;
    }

    /** The proxies found, redacted (for a log line at startup). */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        add(parts, "http.proxyHost", jvmHttp);
        add(parts, "https.proxyHost", jvmHttps);
        add(parts, "socksProxyHost", jvmSocks);
        add(parts, "HTTP_PROXY", envHttp);
        add(parts, "HTTPS_PROXY", envHttps);
        add(parts, "ALL_PROXY", envAll);
        if (!envNoProxy.isEmpty()) {
            parts.add("NO_PROXY=" + envNoProxy);
        }
        return parts.isEmpty() ? "no proxy" : String.join(", ", parts);
    }

    private static void add(List<String> parts, String name, ProxyUrl proxy) {
        if (proxy != null) {
            parts.add(name + "=" + proxy);
        }
    }

    private static ProxyUrl jvmProxy(Function<String, String> properties, String prefix, int defaultPort) {
        String hostProperty = prefix + (prefix.equals("socks") ? "ProxyHost" : ".proxyHost");
        String portProperty = prefix + (prefix.equals("socks") ? "ProxyPort" : ".proxyPort");
        String host = properties.apply(hostProperty);
        if (host == null || host.isBlank()) {
            return null;
        }
        host = host.strip();
        int port = defaultPort;
        String portText = properties.apply(portProperty);
        if (portText != null && !portText.isBlank()) {
            try {
                port = Integer.parseInt(portText.strip());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("system property " + portProperty + ": invalid port '"
                        + portText + "' (1-65535)");
            }
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String scheme = prefix.equals("socks") ? "socks5h" : "http";
        return ProxyUrl.parse(scheme + "://" + host + ":" + port, "system property " + hostProperty);
    }

    /** The four variables by lower-case name, each with the name it was found under; lower case wins. */
    private static Map<String, Map.Entry<String, String>> proxyVariables(Map<String, String> environment) {
        Map<String, Map.Entry<String, String>> found = new HashMap<>();
        List<String> wanted = List.of("http_proxy", "https_proxy", "all_proxy", "no_proxy");
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (wanted.contains(lower) && !lower.equals(e.getKey()) && e.getValue() != null
                    && !e.getValue().isBlank()) {
                found.put(lower, Map.entry(e.getKey(), e.getValue().strip()));
            }
        }
        for (String name : wanted) {
            String value = environment.get(name);
            if (value == null) {
                continue;
            }
            if (value.isBlank()) {
                found.remove(name);
            } else {
                found.put(name, Map.entry(name, value.strip()));
            }
        }
        return found;
    }

    private static ProxyUrl envProxy(Map.Entry<String, String> variable) {
        if (variable == null) {
            return null;
        }
        String value = variable.getValue();
        if (!value.contains("://")) {
            value = "http://" + value;
        }
        return ProxyUrl.parse(value, "environment variable " + variable.getKey());
    }

    private static List<Pattern> globs(String patterns) {
        if (patterns == null || patterns.isBlank()) {
            return List.of();
        }
        List<Pattern> result = new ArrayList<>();
        for (String glob : patterns.split("\\|")) {
            String g = glob.strip().toLowerCase(Locale.ROOT);
            if (g.isEmpty()) {
                continue;
            }
            List<String> literals = new ArrayList<>();
            for (String literal : g.split("\\*", -1)) {
                literals.add(Pattern.quote(literal));
            }
            result.add(Pattern.compile(String.join(".*", literals)));
        }
        return List.copyOf(result);
    }

    private static boolean matchesAny(List<Pattern> patterns, String host) {
        if (patterns.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        String bare = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        String bracketed = bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare;
        for (Pattern p : patterns) {
            if (p.matcher(bare).matches() || p.matcher(bracketed).matches()) {
                return true;
            }
        }
        return false;
    }
}
