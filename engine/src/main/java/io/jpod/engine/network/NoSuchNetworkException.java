package io.jpod.engine.network;

import io.jpod.engine.EngineException;

/** A network that is not there: podman's words; `network rm` exits 1 with it, other commands 125. */
public final class NoSuchNetworkException extends EngineException {
    public NoSuchNetworkException(String name) {
        super("unable to find network with name or ID " + name + ": network not found");
    }
}
