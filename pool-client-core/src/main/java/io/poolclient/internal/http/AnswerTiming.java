package io.poolclient.internal.http;

/**
 * Guesses, for one connection, whether the answer to a request is usually there by the time the
 * caller first reads it. If it is (a fast server on a quiet machine), reading at once is cheapest;
 * if it is not (a busy machine, a slower server), reading at once only finds nothing and costs a
 * system call before the wait. The guess follows what reads at once found lately, and while it says
 * "wait first" one answer in eight is still read at once, so that a change is noticed.
 *
 * <p>Not thread-safe: used by the one thread that holds the connection.
 */
final class AnswerTiming {

    private static final int MOST_LATE = 7;
    private static final int WAIT_FROM = 4;
    private static final int RECHECK_EVERY = 8;

    /** 0 to {@link #MOST_LATE}: up for each read at once that found nothing, down for each that found the answer. */
    private int late;
    private int sinceRecheck;

    /** Whether the caller should wait for the answer before its first read. */
    boolean waitFirst() {
        if (late < WAIT_FROM) {
            return false;
        }
        if (++sinceRecheck >= RECHECK_EVERY) {
            sinceRecheck = 0;
            return false;
        }
        return true;
    }

    /**
     * What a platform thread's first read, made at once, found. Reading at once when the answer is
     * late costs one system call, and so does waiting first when it is already there: the guess
     * turns when about half the answers are late.
     */
    void readAtOnce(boolean foundAnswer) {
        late = foundAnswer ? Math.max(0, late - 1) : Math.min(MOST_LATE, late + 1);
    }

    /**
     * What a virtual thread's first reads, made after letting the other virtual threads run, found.
     * Waiting on a selector costs a virtual thread about four system calls and a hand-off through
     * the JDK's poller thread, and a late answer found this way costs two reads more; parking costs
     * about three and a hand-off, and a late answer one read more. Either way reading first pays
     * while about a third of the answers are there: an answer found counts twice.
     */
    void readAfterYield(boolean foundAnswer) {
        late = foundAnswer ? Math.max(0, late - 2) : Math.min(MOST_LATE, late + 1);
    }
}
