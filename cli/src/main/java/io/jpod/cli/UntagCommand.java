package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod untag IMAGE [NAME…]`: remove names (all when none are given); the image stays. */
@Command(name = "untag", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Remove names from a local image.")
public final class UntagCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id")
    String image;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "NAME", description = "Names to remove (default: all)")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = ImageCli.root(spec).engine()) {
            engine.images().untag(image, names);
        }
        return 0;
    }
}
