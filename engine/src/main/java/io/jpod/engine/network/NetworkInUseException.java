package io.jpod.engine.network;

import io.jpod.engine.EngineException;

/** A network containers still use: podman's words and its exit code 2. */
public final class NetworkInUseException extends EngineException {
    public NetworkInUseException(String name) {
        super("\"" + name + "\" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used");
    }
}
