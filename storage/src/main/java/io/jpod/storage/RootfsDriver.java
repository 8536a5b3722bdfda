package io.jpod.storage;

import java.nio.file.Path;
import java.util.List;

/** Assembles a container's rootfs from read-only layers plus its own upper dir. */
public interface RootfsDriver {
    String name();

    void mount(List<Path> lowerDirsTopFirst, Path upper, Path work, Path target);

    void unmount(Path target);
}
