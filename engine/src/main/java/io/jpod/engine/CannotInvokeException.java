package io.jpod.engine;

/** The container's command cannot be invoked (a --workdir that is not there…): `run` exits 126 for it, as podman's does. */
public final class CannotInvokeException extends EngineException {
    public static final int EXIT_CODE = 126;

    public CannotInvokeException(String message) {
        super(message);
    }
}
