package io.jpod.storage;

import java.time.Instant;
import java.util.List;

/** What the store knows of one container; {@code lifecycle} is null until it was first started. */
public record ContainerRecord(String id, String name, String imageId, String imageName, List<String> command,
                              Instant created, ContainerState state, Integer exitCode, ContainerLifecycle lifecycle) {

    public ContainerRecord(String id, String name, String imageId, String imageName, List<String> command,
                           Instant created, ContainerState state, Integer exitCode) {
        this(id, name, imageId, imageName, command, created, state, exitCode, null);
    }
}
