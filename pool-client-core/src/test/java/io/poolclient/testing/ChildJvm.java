package io.poolclient.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a child JVM (this JVM's {@code java}, on this JVM's class path) with an environment
 * of the test's choosing: for what a JVM reads once at start, such as the proxy environment variables. The
 * child inherits this JVM's environment without any {@code *_proxy} variable (in any case), then gets
 * {@code env}. Stateless.
 */
public final class ChildJvm {

    private static final long BOUND_SECONDS = 60;

    private ChildJvm() {
    }

    /**
     * How the child ended.
     *
     * @param exited whether it exited within the bound (else it was killed)
     * @param output its standard output and error, merged
     */
    public record Result(boolean exited, String output) {
    }

    /**
     * Runs {@code main} with {@code jvmOptions} (such as {@code -Dname=value}) and {@code args}, waits up to
     * 60 s for it to exit (killing it if it does not), and returns its output.
     */
    public static Result run(Class<?> main, List<String> jvmOptions, List<String> args, Map<String, String> env)
            throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
        environment.putAll(env);

        Process child = builder.start();
        boolean exited = child.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        return new Result(exited, new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
