package io.poolclient.retry;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * An immutable retry policy with urllib3's {@code Retry} semantics: {@link #increment} never
 * changes this value, it returns the policy that remains after one more attempt. Safe to share
 * between threads.
 *
 * <p>Budgets: {@code total} bounds every kind of retry; {@code connect}, {@code read} and
 * {@code status} bound their own kind ({@code null} means "bounded by total only"). A policy is
 * exhausted as soon as any budget drops below zero. Read errors and status retries are only
 * allowed for {@code allowedMethods}; connect errors are retried for every method because no byte
 * reached the server.
 *
 * <p>Retry budget (off unless {@code budgetPercent} is set): over the last {@code budgetWindow}, the
 * retries of one mount may not exceed {@code budgetMinPerSecond} × the window in seconds plus
 * {@code budgetPercent}% of the requests the mount was given in that window. A retry beyond it is not
 * made, as if the policy had run out. This caps the extra load retries add when an upstream fails for
 * every caller at once. The transparent retry of a reused connection the server had closed is not
 * part of the budget. The budget is kept per mount; this value only carries its settings.
 */
public final class Retry {

    /** The methods urllib3 retries by default: the idempotent ones. */
    public static final Set<String> DEFAULT_ALLOWED_METHODS =
            Collections.unmodifiableSet(new LinkedHashSet<>(Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE")));

    /** Statuses whose {@code Retry-After} header is honoured. */
    public static final Set<Integer> RETRY_AFTER_STATUS_CODES = Set.of(413, 429, 503);

    /** The default {@code backoff-max}. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(120);

    /** The default {@code budget-min-per-second}. */
    public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;

    /** The default {@code budget-window}. */
    public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofSeconds(10);

    /** What went wrong on an attempt. */
    public enum Kind {
        /** The connection could not be established; nothing was sent. */
        CONNECT,
        /** Sending the request or reading the response failed; the server may have seen the request. */
        READ,
        /** The server answered with a status in the forcelist (or one with {@code Retry-After}). */
        STATUS
    }

    private final @Nullable Integer total;
    private final @Nullable Integer connect;
    private final @Nullable Integer read;
    private final @Nullable Integer status;
    private final Set<Integer> statusForcelist;
    private final Set<String> allowedMethods;
    private final Duration backoffFactor;
    private final Duration backoffMax;
    private final Duration backoffJitter;
    private final boolean respectRetryAfter;
    private final boolean raiseOnStatus;
    private final int attempts;
    private final @Nullable Double budgetPercent;
    private final int budgetMinPerSecond;
    private final Duration budgetWindow;

    private Retry(Builder b, int attempts) {
        this.total = b.total;
        this.connect = b.connect;
        this.read = b.read;
        this.status = b.status;
        this.statusForcelist = Collections.unmodifiableSet(new TreeSet<>(b.statusForcelist));
        Set<String> methods = new LinkedHashSet<>();
        b.allowedMethods.forEach(m -> methods.add(m.toUpperCase(Locale.ROOT)));
        this.allowedMethods = Collections.unmodifiableSet(methods);
        this.backoffFactor = b.backoffFactor;
        this.backoffMax = b.backoffMax;
        this.backoffJitter = b.backoffJitter;
        this.respectRetryAfter = b.respectRetryAfter;
        this.raiseOnStatus = b.raiseOnStatus;
        this.attempts = attempts;
        this.budgetPercent = b.budgetPercent;
        this.budgetMinPerSecond = b.budgetMinPerSecond;
        this.budgetWindow = b.budgetWindow;
    }

    /** A policy that never retries. */
    public static Retry none() {
        return builder().total(0).respectRetryAfter(false).build();
    }

    /**
     * requests' {@code max_retries=n}: retries connection failures only, never a request whose
     * bytes may have reached the server, and ignores {@code Retry-After}.
     */
    public static Retry connectOnly(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("max-retries must be >= 0, was " + retries);
        }
        return builder().total(retries).read(0).status(0).respectRetryAfter(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised from this policy's settings (the attempt history is not copied). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.total = total;
        b.connect = connect;
        b.read = read;
        b.status = status;
        b.statusForcelist = new LinkedHashSet<>(statusForcelist);
        b.allowedMethods = new LinkedHashSet<>(allowedMethods);
        b.backoffFactor = backoffFactor;
        b.backoffMax = backoffMax;
        b.backoffJitter = backoffJitter;
        b.respectRetryAfter = respectRetryAfter;
        b.raiseOnStatus = raiseOnStatus;
        b.budgetPercent = budgetPercent;
        b.budgetMinPerSecond = budgetMinPerSecond;
        b.budgetWindow = budgetWindow;
        return b;
    }

    /** Whether a read error or a status retry may be attempted for this method. */
    public boolean isMethodRetryable(String method) {
        return allowedMethods.contains(method.toUpperCase(Locale.ROOT));
    }

    /**
     * Whether a response with this status should be retried (urllib3's {@code is_retry}): the method
     * must be allowed, and the status either in the forcelist or one of 413/429/503 carrying a
     * {@code Retry-After} header while {@code respect-retry-after} is on.
     */
    public boolean isRetry(String method, int statusCode, boolean hasRetryAfter) {
        if (!isMethodRetryable(method)) {
            return false;
        }
        if (!statusForcelist.isEmpty() && statusForcelist.contains(statusCode)) { // no boxing when empty
            return true;
        }
        return (total == null || total > 0) && respectRetryAfter && hasRetryAfter
                && RETRY_AFTER_STATUS_CODES.contains(statusCode);
    }

    /** The policy left after one more failed attempt of this kind; check {@link #isExhausted()}. */
    public Retry increment(Kind kind) {
        Builder b = toBuilder();
        b.total = total == null ? null : total - 1;
        switch (kind) {
            case CONNECT -> b.connect = connect == null ? null : connect - 1;
            case READ -> b.read = read == null ? null : read - 1;
            case STATUS -> b.status = status == null ? null : status - 1;
        }
        return new Retry(b, attempts + 1);
    }

    /** True when some budget has dropped below zero: the attempt that led here may not be retried. */
    public boolean isExhausted() {
        return below0(total) || below0(connect) || below0(read) || below0(status);
    }

    private static boolean below0(@Nullable Integer budget) {
        return budget != null && budget < 0;
    }

    /**
     * The sleep before the next attempt: 0 for the first retry, then
     * {@code backoff-factor × 2^(n−1)} plus up to {@code backoff-jitter}, capped at {@code backoff-max}
     * (urllib3 2.x).
     */
    public Duration backoff() {
        if (attempts <= 1 || backoffFactor.isZero()) {
            return Duration.ZERO;
        }
        double nanos = backoffFactor.toNanos() * Math.pow(2, attempts - 1);
        if (!backoffJitter.isZero()) {
            nanos += ThreadLocalRandom.current().nextDouble() * backoffJitter.toNanos();
        }
        return Duration.ofNanos((long) Math.min(backoffMax.toNanos(), nanos));
    }

    /**
     * The sleep a {@code Retry-After} header asks for, when this policy honours it and the status is
     * 413, 429 or 503; {@code null} otherwise. Capped at {@code backoff-max} so that every wait is
     * finite (urllib3 does not cap it).
     */
    public @Nullable Duration retryAfter(int statusCode, @Nullable String headerValue) {
        if (!respectRetryAfter || headerValue == null || !RETRY_AFTER_STATUS_CODES.contains(statusCode)) {
            return null;
        }
        Duration wait = parseRetryAfter(headerValue.trim());
        if (wait == null) {
            return null;
        }
        return wait.compareTo(backoffMax) > 0 ? backoffMax : wait;
    }

    static @Nullable Duration parseRetryAfter(String value) {
        if (value.matches("\\d+")) {
            try {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            catch (NumberFormatException tooLarge) {
                return DEFAULT_BACKOFF_MAX;
            }
        }
        try {
            ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(ZonedDateTime.now(when.getZone()), when);
            return wait.isNegative() ? Duration.ZERO : wait;
        }
        catch (DateTimeParseException bad) {
            return null;
        }
    }

    /** Attempts counted so far by {@link #increment}. */
    public int attempts() {
        return attempts;
    }

    /** Remaining total budget, or {@code null} when unbounded. */
    public @Nullable Integer total() {
        return total;
    }

    public @Nullable Integer connect() {
        return connect;
    }

    public @Nullable Integer read() {
        return read;
    }

    public @Nullable Integer status() {
        return status;
    }

    public Set<Integer> statusForcelist() {
        return statusForcelist;
    }

    public Set<String> allowedMethods() {
        return allowedMethods;
    }

    public Duration backoffFactor() {
        return backoffFactor;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    public Duration backoffJitter() {
        return backoffJitter;
    }

    public boolean respectRetryAfter() {
        return respectRetryAfter;
    }

    /** When false (the default) the last response is returned once status retries run out. */
    public boolean raiseOnStatus() {
        return raiseOnStatus;
    }

    /**
     * {@code budget-percent}: the share of a mount's requests that may be retried on top of
     * {@link #budgetMinPerSecond()}; {@code null} (the default) means no retry budget.
     */
    public @Nullable Double budgetPercent() {
        return budgetPercent;
    }

    /** {@code budget-min-per-second}: retries per second always allowed by the budget. Default 10. */
    public int budgetMinPerSecond() {
        return budgetMinPerSecond;
    }

    /** {@code budget-window}: how far back the budget counts requests and retries. Default 10s. */
    public Duration budgetWindow() {
        return budgetWindow;
    }

    /** Whether this policy has a retry budget ({@link #budgetPercent()} set). */
    public boolean hasBudget() {
        return budgetPercent != null;
    }

    /** A short description of the remaining budget, for log lines. */
    public String remaining() {
        StringBuilder s = new StringBuilder("total=").append(total == null ? "unbounded" : total);
        if (connect != null) {
            s.append(", connect=").append(connect);
        }
        if (read != null) {
            s.append(", read=").append(read);
        }
        if (status != null) {
            s.append(", status=").append(status);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "Retry(" + remaining() + ", statusForcelist=" + statusForcelist + ", allowedMethods=" + allowedMethods
                + ", backoffFactor=" + backoffFactor
                + (budgetPercent == null ? "" : ", budgetPercent=" + budgetPercent + ", budgetMinPerSecond="
                        + budgetMinPerSecond + ", budgetWindow=" + budgetWindow) + ")";
    }

    /** Builds a {@link Retry}; defaults are urllib3's except {@code total}, which is 3. */
    public static final class Builder {

        private @Nullable Integer total = 3;
        private @Nullable Integer connect;
        private @Nullable Integer read;
        private @Nullable Integer status;
        private Set<Integer> statusForcelist = new LinkedHashSet<>();
        private Set<String> allowedMethods = new LinkedHashSet<>(DEFAULT_ALLOWED_METHODS);
        private Duration backoffFactor = Duration.ZERO;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private Duration backoffJitter = Duration.ZERO;
        private boolean respectRetryAfter = true;
        private boolean raiseOnStatus;
        private @Nullable Double budgetPercent;
        private int budgetMinPerSecond = DEFAULT_BUDGET_MIN_PER_SECOND;
        private Duration budgetWindow = DEFAULT_BUDGET_WINDOW;

        private Builder() {
        }

        public Builder total(@Nullable Integer total) {
            this.total = nonNegative("retry.total", total);
            return this;
        }

        public Builder connect(@Nullable Integer connect) {
            this.connect = nonNegative("retry.connect", connect);
            return this;
        }

        public Builder read(@Nullable Integer read) {
            this.read = nonNegative("retry.read", read);
            return this;
        }

        public Builder status(@Nullable Integer status) {
            this.status = nonNegative("retry.status", status);
            return this;
        }

        public Builder statusForcelist(Set<Integer> statuses) {
            this.statusForcelist = new LinkedHashSet<>(statuses);
            return this;
        }

        public Builder allowedMethods(Set<String> methods) {
            this.allowedMethods = new LinkedHashSet<>(methods);
            return this;
        }

        public Builder backoffFactor(Duration factor) {
            this.backoffFactor = nonNegative("retry.backoff-factor", factor);
            return this;
        }

        public Builder backoffMax(Duration max) {
            this.backoffMax = nonNegative("retry.backoff-max", max);
            return this;
        }

        public Builder backoffJitter(Duration jitter) {
            this.backoffJitter = nonNegative("retry.backoff-jitter", jitter);
            return this;
        }

        public Builder respectRetryAfter(boolean respect) {
            this.respectRetryAfter = respect;
            return this;
        }

        public Builder raiseOnStatus(boolean raise) {
            this.raiseOnStatus = raise;
            return this;
        }

        /**
         * {@code retry.budget-percent}: turns the retry budget on; retries beyond
         * {@code budget-min-per-second} are allowed for this share of the mount's requests. Between 0
         * and 1000; {@code null} turns the budget off.
         */
        public Builder budgetPercent(@Nullable Double percent) {
            if (percent != null && !(percent >= 0 && percent <= 1000)) {
                throw new IllegalArgumentException("retry.budget-percent must be between 0 and 1000, was " + percent);
            }
            this.budgetPercent = percent;
            return this;
        }

        /** {@code retry.budget-min-per-second}: retries per second the budget always allows. */
        public Builder budgetMinPerSecond(int perSecond) {
            if (perSecond < 0) {
                throw new IllegalArgumentException("retry.budget-min-per-second must be >= 0, was " + perSecond);
            }
            this.budgetMinPerSecond = perSecond;
            return this;
        }

        /** {@code retry.budget-window}: how far back the budget looks; at least 1s. */
        public Builder budgetWindow(Duration window) {
            if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("retry.budget-window must be at least 1s, was " + window);
            }
            this.budgetWindow = window;
            return this;
        }

        public Retry build() {
            return new Retry(this, 0);
        }

        private static @Nullable Integer nonNegative(String name, @Nullable Integer value) {
            if (value != null && value < 0) {
                throw new IllegalArgumentException(name + " must be >= 0, was " + value);
            }
            return value;
        }

        private static Duration nonNegative(String name, @Nullable Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be a non-negative duration, was " + value);
            }
            return value;
        }
    }
}
