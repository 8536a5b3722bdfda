package io.jpod.engine.container;

/**
 * How `start` runs a container: {@code attach} waits for it in the foreground with its output on the caller's
 * streams; {@code interactive} also hands it the caller's stdin through the monitor (with {@code attachOptions}'
 * detach keys and signal proxying); {@code holdOutput} (the API's start of a container an attach waits for) starts it
 * detached, its monitor holding the output until the first attacher connects.
 */
public record ContainerStartOptions(boolean attach, boolean interactive, AttachOptions attachOptions, boolean holdOutput) {
    /** A detached start. */
    public static ContainerStartOptions detached() {
        return new ContainerStartOptions(false, false, null, false);
    }
}
