package io.jpod.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A container's health check, in Docker's shape (durations in nanoseconds, as image configs and `inspect` carry
 * them): {@code test} is ["CMD-SHELL", "cmd"], ["CMD", "arg0", …] or ["NONE"].
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HealthcheckConfig(@JsonProperty("Test") List<String> test,
                               @JsonProperty("Interval") Long interval,
                               @JsonProperty("Timeout") Long timeout,
                               @JsonProperty("StartPeriod") Long startPeriod,
                               @JsonProperty("Retries") Integer retries) {
    public static final long DEFAULT_INTERVAL = 30_000_000_000L;
    public static final long DEFAULT_TIMEOUT = 30_000_000_000L;
    public static final int DEFAULT_RETRIES = 3;

    public HealthcheckConfig {
        test = test == null ? List.of() : List.copyOf(test);
    }

    /** Whether there is a check to run (not absent, not ["NONE"]). */
    public boolean active() {
        return !test.isEmpty() && !test.get(0).equals("NONE");
    }

    public long intervalOrDefault() {
        return interval == null || interval <= 0 ? DEFAULT_INTERVAL : interval;
    }

    public long timeoutOrDefault() {
        return timeout == null || timeout <= 0 ? DEFAULT_TIMEOUT : timeout;
    }

    public int retriesOrDefault() {
        return retries == null || retries <= 0 ? DEFAULT_RETRIES : retries;
    }

    public long startPeriodOrDefault() {
        return startPeriod == null || startPeriod < 0 ? 0 : startPeriod;
    }
}
