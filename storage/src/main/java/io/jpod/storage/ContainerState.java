package io.jpod.storage;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a container is in its life, under podman's names (what `ps`, `inspect` and the API show). The store keeps
 * CREATED, RUNNING and EXITED, as the same strings older jpods wrote; STOPPING is what inspect shows of a running
 * container whose `stop` claimed its teardown, never stored. jpod tears a container down as it ends, so podman's
 * "stopped" (ended, not yet cleaned up) is EXITED here.
 */
public enum ContainerState {
    CREATED("created"),
    RUNNING("running"),
    STOPPING("stopping"),
    EXITED("exited");

    private final String value;

    ContainerState(String value) {
        this.value = value;
    }

    /** podman's name, as stored and shown. */
    @JsonValue
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * The state stored under {@code value}; "configured" and "stopped" (podman's, never written by jpod) read as
     * their jpod equivalents so a hand-made or podman-like record still reads.
     */
    @JsonCreator
    public static ContainerState of(String value) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "created", "configured" -> CREATED;
            case "running" -> RUNNING;
            case "stopping" -> STOPPING;
            case "exited", "stopped" -> EXITED;
            default -> throw new StorageException("unknown container state \"" + value + "\"");
        };
    }

    /** The states a container in this one may go to next (staying put, an update of its record, is always allowed). */
    public Set<ContainerState> next() {
        return switch (this) {
            // a start runs it; a launch that failed is torn down as exited
            case CREATED -> EnumSet.of(RUNNING, EXITED);
            // it ends by itself, or a stop claims its teardown
            case RUNNING -> EnumSet.of(STOPPING, EXITED);
            case STOPPING -> EnumSet.of(EXITED);
            // started again (start, restart, --restart policy)
            case EXITED -> EnumSet.of(RUNNING);
        };
    }

    public boolean canMoveTo(ContainerState next) {
        return next == this || next().contains(next);
    }

    /** {@code next}, if this state may go there; else podman's "container state improper", naming both. */
    public ContainerState moveTo(ContainerState next, String container) {
        if (!canMoveTo(next)) {
            throw new ContainerStateException("container " + container + " is " + value + " and cannot become " + next.value
                    + ": container state improper");
        }
        return next;
    }

    /** Running (STOPPING included: its process still runs until the stop has finished). */
    public boolean isRunning() {
        return this == RUNNING || this == STOPPING;
    }
}
