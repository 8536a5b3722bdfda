package io.jpod.engine;

/** No container has the name or id the user gave (`rm` exits 1 for it, `--ignore` skips it, as podman's do). */
public final class NoSuchContainerException extends EngineException {
    public NoSuchContainerException(String idOrName) {
        super("no container with name or id \"" + idOrName + "\" found");
    }
}
