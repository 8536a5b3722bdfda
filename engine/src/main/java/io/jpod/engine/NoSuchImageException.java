package io.jpod.engine;

/** No local image has the name or id the user gave (`rmi` exits 1 for it, `--ignore` skips it, as podman's do). */
public final class NoSuchImageException extends EngineException {
    public NoSuchImageException(String nameOrId) {
        super(nameOrId + ": image not known");
    }
}
