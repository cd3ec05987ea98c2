package io.poolclient;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Captures the log events of the io.poolclient loggers for one test, from any thread (the leak
 * reclaimer and the housekeeper log on their own threads); close it to detach and restore the level.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.poolclient");
    private final Appender appender = new Appender();
    private final Level previous;

    public LogCapture(Level level) {
        previous = logger.getLevel();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(level);
    }

    /** The formatted messages at {@code level} or above. */
    public List<String> messages(Level level) {
        return appender.events.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Every event so far, in order. */
    public List<ILoggingEvent> events() {
        return List.copyOf(appender.events);
    }

    /** Every message, with the class and message of any attached throwable and its causes. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : appender.events) {
            StringBuilder s = new StringBuilder(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                s.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            out.add(s.toString());
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
    }

    private static final class Appender extends AppenderBase<ILoggingEvent> {
        final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            e.prepareForDeferredProcessing();
            events.add(e);
        }
    }
}
