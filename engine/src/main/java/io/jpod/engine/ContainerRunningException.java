package io.jpod.engine;

/** The container must not be running for what was asked (`rm` without -f exits 2 for it, as podman's does). */
public final class ContainerRunningException extends EngineException {
    public ContainerRunningException(String message) {
        super(message);
    }
}
