package io.jpod.engine;

/** A container still uses the image (`rmi` without -f exits 2 for it, as podman's does). */
public final class ImageInUseException extends EngineException {
    public ImageInUseException(String message) {
        super(message);
    }
}
