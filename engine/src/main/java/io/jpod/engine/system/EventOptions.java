package io.jpod.engine.system;

import java.time.Instant;

/**
 * `events`: the recorded events from {@code since} (null: all) up to {@code until} (null: no end); with
 * {@code stream}, new ones as they are recorded until {@code until} passes or the subscriber stops.
 */
public record EventOptions(Instant since, Instant until, boolean stream) {
}
