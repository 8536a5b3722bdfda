package io.jpod.engine.pod;

import io.jpod.engine.Dirs;

import io.jpod.engine.container.ContainerRunner;

import io.jpod.rootless.ContainerSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A pod that shares IPC shares /dev/shm too, as podman's containers bind the infra's: one directory in the run root
 * ({@code pods/<id>-shm}, tmpfs-backed like the rest of XDG_RUNTIME_DIR, gone with the pod) bound on every member's
 * /dev/shm over the helper's own tmpfs. A -v on /dev/shm still wins (user mounts are merged over it).
 */
public final class PodShm {
    private PodShm() {
    }

    static Path dir(Dirs dirs, String podId) {
        return dirs.runRoot().path().resolve("pods").resolve(podId + "-shm");
    }

    /** The bind for a container of the pod, the directory made (0777: any user of the pod writes there, as on a shm tmpfs; the run root around it is 0700) when missing. */
    public static ContainerSpec.Mount mount(Dirs dirs, String podId) throws IOException {
        Path d = dir(dirs, podId);
        if (!Files.isDirectory(d)) {
            Files.createDirectories(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        return new ContainerSpec.Mount("bind", d.toString(), "/dev/shm", List.of("bind", "nosuid", "nodev", "noexec"));
    }

    public static void remove(Dirs dirs, String podId) {
        ContainerRunner.deleteTree(dir(dirs, podId));
    }
}
