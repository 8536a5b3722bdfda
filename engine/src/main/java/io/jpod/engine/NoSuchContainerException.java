package io.jpod.engine;

/** No container has the name or id the user gave (`rm` exits 1 for it, `--ignore` skips it, as podman's do). */
public final class NoSuchContainerException extends EngineException {
    private final String reference;

    public NoSuchContainerException(String idOrName) {
        // podman's words and its "no such container" cause, which scripts match
        super("no container with name or ID \"" + idOrName + "\" found: no such container");
        this.reference = idOrName;
    }

    /** The name or id the user gave (front ends word the error their own way: docker's API). */
    public String reference() {
        return reference;
    }
}
