package io.jpod.storage;

/** A container asked to do what its state does not allow (podman's "container state improper"). */
public class ContainerStateException extends StorageException {
    public ContainerStateException(String message) {
        super(message);
    }
}
