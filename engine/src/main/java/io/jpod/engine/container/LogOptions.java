package io.jpod.engine.container;

import java.time.Instant;

/**
 * `jpod logs` options: follow, the last N lines (-1: all), only lines from since and up to until (null: no bound;
 * following stops once until has passed), timestamps.
 */
public record LogOptions(boolean follow, int tail, Instant since, Instant until, boolean timestamps) {
    public LogOptions(boolean follow, int tail, Instant since, boolean timestamps) {
        this(follow, tail, since, null, timestamps);
    }

    /** Whether a line written at {@code t} is within since..until. */
    boolean within(Instant t) {
        return (since == null || !t.isBefore(since)) && (until == null || !t.isAfter(until));
    }
}
