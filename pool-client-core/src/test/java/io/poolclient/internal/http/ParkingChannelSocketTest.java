package io.poolclient.internal.http;

import static io.poolclient.PoolAssertions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * {@link ChannelSocketTest}'s tests with every socket made and used on a virtual thread, where it
 * parks through the JDK's poller instead of waiting on a selector of its own; and what is particular
 * to a parking socket: a write that waited for the send buffer leaves it reading as before, and a
 * platform thread can use it too (a pooled connection goes to whichever thread leases it next).
 */
@EnabledForJreRange(min = JRE.JAVA_21)
@ExtendWith(ParkingChannelSocketTest.OnVirtualThread.class)
class ParkingChannelSocketTest extends ChannelSocketTest {

    @Override
    Thread newThread(Runnable task, String name) {
        try {
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            builder = builderType.getMethod("name", String.class).invoke(builder, name);
            return (Thread) builderType.getMethod("unstarted", Runnable.class).invoke(builder, task);
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError("virtual threads from Java 21 on", e);
        }
    }

    @Override
    int descriptorsPerConnection() {
        return 1; // the socket alone: no selector until a write must wait
    }

    @Override
    int descriptorsPerConnectionAtMost() {
        return 1;
    }

    @Test
    void aWriteThatWaitedForTheSendBufferLeavesTheSocketReadingAsBefore() throws Exception {
        try (ChannelSocket socket = connect()) {
            socket.setSoTimeout(10_000);
            byte[] body = new byte[16 * 1024 * 1024]; // far beyond both socket buffers: the write must wait
            CompletableFuture<Void> written = new CompletableFuture<>();
            Thread writer = start("writer", written, () -> {
                socket.getOutputStream().write(body);
                return null;
            });
            awaitTrue(() -> isWaiting(writer), Duration.ofSeconds(10), "the writer waits for the send buffer");
            assertThat(peer().getInputStream().readNBytes(body.length)).hasSize(body.length);
            written.get(10, TimeUnit.SECONDS);
            assertThat(socket.writeTimedOut()).isFalse();
            peer().getOutputStream().write("done".getBytes());
            assertThat(new String(socket.getInputStream().readNBytes(4))).isEqualTo("done");
            socket.setSoTimeout(200);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("Read timed out");
        }
    }

    @Test
    void aPlatformThreadCanUseASocketMadeOnAVirtualThread() throws Exception {
        try (ChannelSocket socket = connect()) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread platform = new Thread(() -> {
                try {
                    socket.setSoTimeout(200);
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    try {
                        in.read();
                        outcome.completeExceptionally(new AssertionError("read without data"));
                        return;
                    }
                    catch (SocketTimeoutException expected) {
                        // and the socket stays usable
                    }
                    socket.setSoTimeout(10_000);
                    out.write("ping".getBytes());
                    outcome.complete(new String(in.readNBytes(4)));
                }
                catch (IOException e) {
                    outcome.completeExceptionally(e);
                }
            }, "platform-user");
            platform.setDaemon(true);
            platform.start();
            assertThat(new String(peer().getInputStream().readNBytes(4))).isEqualTo("ping");
            peer().getOutputStream().write("pong".getBytes());
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("pong");
            assertThat(socket.probe()).isFalse();
        }
    }

    /** Runs each test method on a virtual thread of its own, so that the sockets it makes park. */
    static final class OnVirtualThread implements InvocationInterceptor {

        @Override
        public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                ExtensionContext extensionContext) throws Throwable {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Runnable body = () -> {
                try {
                    invocation.proceed();
                    done.complete(null);
                }
                catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            };
            Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, body);
            try {
                done.get(60, TimeUnit.SECONDS);
            }
            catch (ExecutionException e) {
                throw e.getCause();
            }
        }
    }
}
