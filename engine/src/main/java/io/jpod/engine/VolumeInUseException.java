package io.jpod.engine;

import java.util.List;

/** A volume that containers use, removed without --force (`volume rm` exits 2 for it, as podman's does). */
public final class VolumeInUseException extends EngineException {
    public VolumeInUseException(String name, List<String> containerIds) {
        // podman's sentence with its "volume is being used" cause
        super("volume " + name + " is being used by the following container(s): " + String.join(", ", containerIds)
                + ": volume is being used");
    }
}
