package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod top`: Show the processes of a running container. */
@Command(name = "top", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Show the processes of a running container.")
public final class TopCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Parameters(index = "1..*", paramLabel = "DESCRIPTORS", description = "Columns, as podman's format descriptors: user, huser, group, hgroup, pid, hpid, ppid, args, comm, state (default: user pid ppid args)")
    List<String> descriptors = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            jpod.out.print(Formats.table(engine.containers().top(container, descriptors).rows()));
            return 0;
        }
    }
}
