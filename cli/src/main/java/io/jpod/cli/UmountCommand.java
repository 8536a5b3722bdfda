package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;

/** `jpod umount CONTAINER`. */
@Command(name = "umount", aliases = "unmount", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Unmount a container's root filesystem.")
public final class UmountCommand extends EachContainerCommand {
    @Override
    String each(Engine engine, String container) {
        return engine.containerFiles().umount(container);
    }
}
