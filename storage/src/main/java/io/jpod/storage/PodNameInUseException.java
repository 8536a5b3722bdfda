package io.jpod.storage;

/** A pod of that name exists already (podman's words). */
public final class PodNameInUseException extends StorageException {
    public PodNameInUseException(String name) {
        super("adding pod to state: name \"" + name + "\" is in use: pod already exists");
    }
}
