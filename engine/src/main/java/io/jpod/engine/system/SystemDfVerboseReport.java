package io.jpod.engine.system;

import java.time.Instant;
import java.util.List;

/** Everything of `system df -v`, per image, container and volume. */
public record SystemDfVerboseReport(List<Image> images, List<Container> containers, List<Volume> volumes) {
    /** One image: its id and names, when it was built, its layers' bytes and the containers made from it. */
    public record Image(String id, List<String> names, Instant created, long size, int containers) {
    }

    /** One container, with the volumes it uses and what it wrote; {@code state} as podman names it. */
    public record Container(String id, String imageId, List<String> command, Instant created, String state, String name,
                            int volumes, long size) {
    }

    /** One volume, with the containers that use it. */
    public record Volume(String name, int links, long size) {
    }
}
