package io.poolclient.boot;

import java.time.Duration;
import java.util.Set;

/**
 * A mount's {@code retry.*} block: a urllib3-style retry policy. Present only when at least one
 * {@code retry.*} key is configured; it then replaces {@code max-retries}. Unset keys take the
 * built-in defaults named below (those of urllib3, except {@code total}, which is 3).
 */
public class RetryProperties {

    /**
     * Most retries of any kind. Default 3.
     */
    private Integer total;

    /**
     * Most retries of connection failures. Default unset (bounded by total only).
     */
    private Integer connect;

    /**
     * Most retries of read failures (read timeouts included); only for allowed-methods. Default unset
     * (bounded by total only).
     */
    private Integer read;

    /**
     * Most retries on a status from status-forcelist. Default unset (bounded by total only).
     */
    private Integer status;

    /**
     * Response statuses that are retried (for allowed-methods), e.g. 502,503,504. Default empty.
     */
    private Set<Integer> statusForcelist;

    /**
     * Methods whose read failures and statuses are retried. Default GET, HEAD, PUT, DELETE, OPTIONS,
     * TRACE.
     */
    private Set<String> allowedMethods;

    /**
     * Backoff between retries: factor x 2^(n-1) from the second retry on. Default 0.
     */
    private Duration backoffFactor;

    /**
     * Longest backoff between two retries. Default 120s.
     */
    private Duration backoffMax;

    /**
     * Random extra backoff, up to this much. Default 0.
     */
    private Duration backoffJitter;

    /**
     * Whether a Retry-After header on 413, 429 or 503 sets the wait. Default true.
     */
    private Boolean respectRetryAfter;

    /**
     * Whether running out of status retries raises an error instead of returning the last response
     * (which Spring's status handlers then see). Default false.
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
     * the last response or failure as if retries had run out. Default unset (no budget).
     */
    private Double budgetPercent;

    /**
     * Retries per second the retry budget always allows, whatever the request rate. Applies with
     * budget-percent only. Default 10.
     */
    private Integer budgetMinPerSecond;

    /**
     * How far back the retry budget counts requests and retries; at least 1s. Applies with
     * budget-percent only. Default 10s.
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
