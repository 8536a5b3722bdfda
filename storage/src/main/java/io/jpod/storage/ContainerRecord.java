package io.jpod.storage;

import java.time.Instant;
import java.util.List;

/** What the store knows of one container. */
public record ContainerRecord(String id, String name, String imageId, String imageName, List<String> command,
                              Instant created, String state, Integer exitCode) {
}
