package io.poolclient.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a Debian server package's binary is, for the tests that start private instances of it:
 * {@code $<env>} when set, else the package's default path. A server may also need helper programs
 * (squid's {@code basic_ncsa_auth}); it counts as installed only when they are there too.
 */
public final class ServerBinary {

    public static final ServerBinary NGINX = new ServerBinary("nginx", "POOLCLIENT_NGINX", "/usr/sbin/nginx", "nginx",
            List.of());
    /** Squid's basic-auth helper, in Debian's layout. */
    public static final Path SQUID_BASIC_AUTH = Path.of("/usr/lib/squid/basic_ncsa_auth");
    public static final ServerBinary SQUID = new ServerBinary("squid", "POOLCLIENT_SQUID", "/usr/sbin/squid", "squid",
            List.of(SQUID_BASIC_AUTH));
    public static final ServerBinary DANTE = new ServerBinary("danted", "POOLCLIENT_DANTED", "/usr/sbin/danted",
            "dante-server", List.of());

    private final String name;
    private final String env;
    private final String defaultPath;
    private final String debianPackage;
    private final List<Path> helpers;

    private ServerBinary(String name, String env, String defaultPath, String debianPackage, List<Path> helpers) {
        this.name = name;
        this.env = env;
        this.defaultPath = defaultPath;
        this.debianPackage = debianPackage;
        this.helpers = helpers;
    }

    /** The environment variable that overrides the binary. */
    public String env() {
        return env;
    }

    /** Where the binary is when the environment variable is not set. */
    public String defaultPath() {
        return defaultPath;
    }

    /** The configured binary, whether or not it exists. */
    public Path path() {
        String configured = System.getenv(env);
        return Path.of(configured == null || configured.isBlank() ? defaultPath : configured);
    }

    /** Whether the binary and its helpers are all executable. */
    public boolean isInstalled() {
        return Files.isExecutable(path()) && helpers.stream().allMatch(Files::isExecutable);
    }

    /** Says what is missing and how to get it; callers add what they do about it. */
    public String notFoundMessage() {
        String missingHelpers = helpers.isEmpty() ? "" : " (or one of " + helpers + " is missing)";
        return name + " not found at " + path() + missingHelpers + " (install it: apt-get install " + debianPackage
                + "; or set " + env + ")";
    }
}
