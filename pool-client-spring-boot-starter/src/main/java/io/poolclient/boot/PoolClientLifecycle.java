package io.poolclient.boot;

import io.poolclient.PoolClient;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the engine down gracefully when the application context stops: callers waiting for a
 * connection fail with {@code PoolClosedException}, idle connections close at once, and exchanges in
 * flight get up to the shutdown phase's timeout ({@code spring.lifecycle.timeout-per-shutdown-phase},
 * 30s unless set) to finish before whatever is still open is closed (see {@link PoolClient#shutdown}).
 *
 * <p>It stops in a late phase ({@link #PHASE}), after the embedded web server has stopped taking and
 * finishing requests, so that requests still being served can make their outgoing calls. The
 * context's lifecycle processor calls it, once; stopping runs on a thread of its own and reports back
 * through the callback, as the processor expects.
 */
public final class PoolClientLifecycle implements SmartLifecycle {

    /** Stops after the web server's graceful shutdown and stop phases. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final PoolClient client;
    private final Duration grace;
    private volatile boolean running;

    /**
     * @param client the engine to shut down
     * @param grace how long exchanges in flight may run on: the shutdown phase's timeout
     */
    public PoolClientLifecycle(PoolClient client, Duration grace) {
        this.client = client;
        this.grace = grace;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        client.shutdown(grace);
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        Thread t = new Thread(() -> {
            try {
                client.shutdown(grace);
            }
            finally {
                callback.run();
            }
        }, "pool-client-shutdown");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public boolean isRunning() {
        return running && !client.isClosed();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The grace given to exchanges in flight. */
    public Duration grace() {
        return grace;
    }
}
