package io.poolclient.testing.nginx;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the nginx binary is: {@code $POOLCLIENT_NGINX}, else {@code /usr/sbin/nginx}. */
public final class NginxBinary {

    /** Environment variable that overrides the nginx binary. */
    public static final String ENV = "POOLCLIENT_NGINX";
    public static final String DEFAULT = "/usr/sbin/nginx";

    private NginxBinary() {
    }

    /** The configured binary, whether or not it exists. */
    public static Path path() {
        String configured = System.getenv(ENV);
        return Path.of(configured == null || configured.isBlank() ? DEFAULT : configured);
    }

    public static boolean isInstalled() {
        return Files.isExecutable(path());
    }

    /** Says which binary is missing and how to get one; callers add what they do about it. */
    public static String notFoundMessage() {
        return "nginx not found at " + path() + " (install it: apt-get install nginx; or set " + ENV + ")";
    }
}
