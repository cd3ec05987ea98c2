package io.poolclient.boot;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;

/** Reads why a context failed to start. */
final class Failures {

    private Failures() {
    }

    /** The message of the innermost cause of the startup failure. */
    static String rootMessage(AssertableApplicationContext context) {
        Throwable failure = context.getStartupFailure();
        if (failure == null) {
            throw new AssertionError("expected the context to fail");
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
