package io.jpod.engine;

import java.time.Instant;

/** `jpod logs` options: follow, the last N lines (-1: all), only lines after since (null: all), timestamps. */
public record LogOptions(boolean follow, int tail, Instant since, boolean timestamps) {
}
