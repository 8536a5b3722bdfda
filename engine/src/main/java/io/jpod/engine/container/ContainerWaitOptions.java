package io.jpod.engine.container;

/**
 * `wait`: what to wait for (docker's {@code wait?condition=}); {@code exitCodeRequired}: a container removed before
 * its exit code could be read is an error (the CLI's `wait`), else it counts as 0 (the API's).
 */
public record ContainerWaitOptions(Condition condition, boolean exitCodeRequired) {
    public enum Condition {
        /** Returns at once for a container that is not running. */
        NOT_RUNNING,
        /** First waits for a created container to be started. */
        NEXT_EXIT,
        /** Also waits for its record to go (--rm). */
        REMOVED
    }
}
