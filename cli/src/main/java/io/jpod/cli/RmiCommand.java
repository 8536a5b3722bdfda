package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod rmi` / `jpod image rm`: remove images (a name of several only untags it); unused layers go with them. */
@Command(name = "rmi", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Remove one or more images.")
public class RmiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Image names or ids")
    List<String> images = new ArrayList<>();

    @Option(names = {"-f", "--force"}, description = "Also remove containers using the image, and images with several names")
    boolean force;

    @Option(names = {"-a", "--all"}, description = "Remove all images")
    boolean all;

    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        if (images.isEmpty() && !all) {
            throw new EngineException("image name or id must be specified");
        }
        try (Engine engine = jpod.engine()) {
            for (String line : engine.removeImages(images, force, all)) {
                jpod.out.println(line);
            }
        }
        return 0;
    }

    /** The same command as `jpod image rm`. */
    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Remove one or more images.")
    public static final class ImageRm extends RmiCommand {
    }
}
