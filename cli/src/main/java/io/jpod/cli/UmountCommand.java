package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** `jpod umount CONTAINER`. */
@Command(name = "umount", aliases = "unmount", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Unmount a container's root filesystem.")
public final class UmountCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                jpod.out.println(engine.containerFiles().umount(c));
            }
            return 0;
        }
    }
}
