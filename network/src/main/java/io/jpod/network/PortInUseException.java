package io.jpod.network;

/** A host port to publish is held by another process: podman creates the container anyway and fails its start. */
public final class PortInUseException extends NetworkException {
    public PortInUseException(String message) {
        super(message);
    }
}
