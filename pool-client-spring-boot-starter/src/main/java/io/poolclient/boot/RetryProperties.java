package io.poolclient.boot;

import java.time.Duration;
import java.util.Set;

/**
 * A mount's {@code retry.*} block: a urllib3-style retry policy. Present only when at least one
 * {@code retry.*} key is configured; it then replaces {@code max-retries}. Unset keys take the
 * built-in defaults (those of urllib3, except {@code total}, which is 3), listed in the configuration
 * metadata.
 */
public class RetryProperties {

    /**
     * Maximum number of retries of any kind.
     */
    private Integer total;

    /**
     * Maximum number of retries of connection failures. When not set, only total bounds them.
     */
    private Integer connect;

    /**
     * Maximum number of retries of read failures (read timeouts included), for allowed-methods only. When not
     * set, only total bounds them.
     */
    private Integer read;

    /**
     * Maximum number of retries on a status from status-forcelist. When not set, only total bounds them.
     */
    private Integer status;

    /**
     * Comma-separated list of response statuses that are retried for allowed-methods, such as 502,503,504.
     */
    private Set<Integer> statusForcelist;

    /**
     * Comma-separated list of methods whose read failures and statuses are retried.
     */
    private Set<String> allowedMethods;

    /**
     * Backoff between retries: factor x 2^(n-1) from the second retry on.
     */
    private Duration backoffFactor;

    /**
     * Maximum backoff between two retries, Retry-After waits included.
     */
    private Duration backoffMax;

    /**
     * Maximum random extra backoff added to each wait.
     */
    private Duration backoffJitter;

    /**
     * Whether a Retry-After header on 413, 429 or 503 sets the wait.
     */
    private Boolean respectRetryAfter;

    /**
     * Whether running out of status retries raises an error instead of returning the last response (which
     * Spring's status handlers then see).
     */
    private Boolean raiseOnStatus;

    public Integer getTotal() {
        return total;
    }

    public void setTotal(Integer total) {
        this.total = total;
    }

    public Integer getConnect() {
        return connect;
    }

    public void setConnect(Integer connect) {
        this.connect = connect;
    }

    public Integer getRead() {
        return read;
    }

    public void setRead(Integer read) {
        this.read = read;
    }

    public Integer getStatus() {
        return status;
    }

    public void setStatus(Integer status) {
        this.status = status;
    }

    public Set<Integer> getStatusForcelist() {
        return statusForcelist;
    }

    public void setStatusForcelist(Set<Integer> statusForcelist) {
        this.statusForcelist = statusForcelist;
    }

    public Set<String> getAllowedMethods() {
        return allowedMethods;
    }

    public void setAllowedMethods(Set<String> allowedMethods) {
        this.allowedMethods = allowedMethods;
    }

    public Duration getBackoffFactor() {
        return backoffFactor;
    }

    public void setBackoffFactor(Duration backoffFactor) {
        this.backoffFactor = backoffFactor;
    }

    public Duration getBackoffMax() {
        return backoffMax;
    }

    public void setBackoffMax(Duration backoffMax) {
        this.backoffMax = backoffMax;
    }

    public Duration getBackoffJitter() {
        return backoffJitter;
    }

    public void setBackoffJitter(Duration backoffJitter) {
        this.backoffJitter = backoffJitter;
    }

    public Boolean getRespectRetryAfter() {
        return respectRetryAfter;
    }

    public void setRespectRetryAfter(Boolean respectRetryAfter) {
        this.respectRetryAfter = respectRetryAfter;
    }

    public Boolean getRaiseOnStatus() {
        return raiseOnStatus;
    }

    public void setRaiseOnStatus(Boolean raiseOnStatus) {
        this.raiseOnStatus = raiseOnStatus;
    }

    /**
     * Retry budget: the share of the mount's requests (in percent) that may be retried over the last
     * budget-window, on top of budget-min-per-second. Retries beyond it are not made: the caller gets
     * the last response or failure as if retries had run out. When unset, no budget applies.
     */
    private Double budgetPercent;

    /**
     * Retries per second the retry budget always allows, whatever the request rate. Applies with
     * budget-percent only.
     */
    private Integer budgetMinPerSecond;

    /**
     * How far back the retry budget counts requests and retries; at least 1s. Applies with
     * budget-percent only.
     */
    private Duration budgetWindow;

    public Double getBudgetPercent() {
        return budgetPercent;
    }

    public void setBudgetPercent(Double budgetPercent) {
        this.budgetPercent = budgetPercent;
    }

    public Integer getBudgetMinPerSecond() {
        return budgetMinPerSecond;
    }

    public void setBudgetMinPerSecond(Integer budgetMinPerSecond) {
        this.budgetMinPerSecond = budgetMinPerSecond;
    }

    public Duration getBudgetWindow() {
        return budgetWindow;
    }

    public void setBudgetWindow(Duration budgetWindow) {
        this.budgetWindow = budgetWindow;
    }
}
