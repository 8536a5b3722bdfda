package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;

/** `jpod mount CONTAINER`: mounts the container's rootfs (in jpod's mount namespace) and prints its path. */
@Command(name = "mount", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Mount a container's root filesystem and print its path (visible inside `jpod unshare`).")
public final class MountCommand extends EachContainerCommand {
    @Override
    String each(Engine engine, String container) {
        return engine.containerFiles().mount(container).toString();
    }
}
