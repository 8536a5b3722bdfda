package io.jpod.engine;

/** No local image has the name or id the user gave (`rmi` exits 1 for it, `--ignore` skips it, as podman's do). */
public final class NoSuchImageException extends EngineException {
    private final String reference;

    public NoSuchImageException(String nameOrId) {
        super(nameOrId + ": image not known");
        this.reference = nameOrId;
    }

    /** The name or id the user gave (front ends word the error their own way: docker's API). */
    public String reference() {
        return reference;
    }
}
