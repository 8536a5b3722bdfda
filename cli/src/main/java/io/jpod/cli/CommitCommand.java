package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod commit CONTAINER [IMAGE]`: the container's changes as a new image. */
@Command(name = "commit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Create a new image from a container's changes.")
public final class CommitCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE", description = "Name of the new image (localhost/NAME:latest)")
    String image;

    @Option(names = {"-a", "--author"}, paramLabel = "AUTHOR", description = "Author of the new image")
    String author;

    @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", description = "Commit message (history comment)")
    String message;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image id (the default output anyway)")
    boolean quiet;

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            String id = engine.containerFiles().commit(container, image, author, message);
            jpod.out.println(id.substring("sha256:".length()));
            return 0;
        }
    }
}
