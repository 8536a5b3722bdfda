package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** `jpod mount CONTAINER`: mounts the container's rootfs (in jpod's mount namespace) and prints its path. */
@Command(name = "mount", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Mount a container's root filesystem and print its path (visible inside `jpod unshare`).")
public final class MountCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            for (String c : containers) {
                jpod.out.println(engine.containerFiles().mount(c));
            }
            return 0;
        }
    }
}
