package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** `jpod tag IMAGE TARGET…`: more names for a local image (a name without registry goes under localhost/). */
@Command(name = "tag", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Add names to a local image.")
public final class TagCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id")
    String image;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET", description = "New names, e.g. registry:5000/repo:tag")
    List<String> targets;

    @Override
    public Integer call() {
        try (Engine engine = ImageCli.root(spec).engine()) {
            engine.images().tag(image, targets);
        }
        return 0;
    }
}
