package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerCopyOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * `jpod cp`: Copy files between a container and the host, or between two containers. Runs in-process (see
 * ServiceRouting): "-" reads a tar from the caller's stdin or writes one to its stdout.
 */
@Command(name = "cp", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Copy files between a container and the host, or between containers (CONTAINER:PATH on one side or both; \"-\": a tar on stdin or stdout).")
public final class CpCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "[CONTAINER:]SRC_PATH", description = "Source: host path, - (a tar on stdin) or CONTAINER:PATH")
    String source;

    @Parameters(index = "1", paramLabel = "[CONTAINER:]DEST_PATH", description = "Destination: host path, - (a tar on stdout) or CONTAINER:PATH")
    String destination;

    @Option(names = {"-a", "--archive"}, arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Chown what is copied into a container to its user (default true); false keeps the owners")
    boolean archive;

    @Option(names = "--overwrite", description = "Allow a directory to replace a non-directory and the other way round")
    boolean overwrite;

    @Option(names = "--pause", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Accepted for podman compatibility; jpod copies without pausing the container")
    boolean pause;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            engine.containers().copy(new ContainerCopyOptions(source, destination, archive, overwrite), jpod.context());
            return 0;
        }
    }
}
