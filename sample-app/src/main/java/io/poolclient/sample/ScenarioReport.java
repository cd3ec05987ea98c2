package io.poolclient.sample;

/**
 * What one scenario did, from both ends: the engine's counters (differences over the scenario) and
 * the upstream's own count of TCP connections.
 *
 * @param title what the scenario shows
 * @param mount the mount the requests went through
 * @param requests calls made by the application
 * @param connectionsSeen distinct TCP connections the upstream saw
 * @param opened connections the engine opened
 * @param reused idle connections the engine handed out again
 * @param discarded connections closed because the pool was full
 * @param evicted host pools evicted from the mount's LRU
 * @param attempts exchanges sent, retries included
 * @param maxPending the most callers seen waiting at once
 */
public record ScenarioReport(String title, String mount, int requests, int connectionsSeen, long opened, long reused,
        long discarded, long evicted, long attempts, int maxPending) {

    /** Retries made: attempts beyond one per request. */
    public long retried() {
        return Math.max(0, attempts - requests);
    }

    String format(int number) {
        return String.format("[%d] %s%n    mount '%s': %d requests -> opened %d, reused %d, discarded %d, evicted %d, "
                + "retried %d, max waiting %d; upstream saw %d TCP connection(s)", number, title, mount, requests, opened,
                reused, discarded, evicted, retried(), maxPending, connectionsSeen);
    }
}
