package io.jpod.engine.secret;

import io.jpod.engine.EngineException;

/** A secret name or id that matches none (podman's words). */
public final class NoSuchSecretException extends EngineException {
    public NoSuchSecretException(String nameOrId) {
        super("no secret with name or id \"" + nameOrId + "\": no such secret");
    }
}
