package io.jpod.engine;

/** No pod of that name or id (podman's words; exit 125, or 1 for `pod exists`). */
public final class NoSuchPodException extends EngineException {
    public NoSuchPodException(String idOrName) {
        super("no pod with name or ID " + idOrName + " found: no such pod");
    }
}
