package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.image.ImagePruneOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod image …`: podman's image command group (the same commands as `jpod images`, `rmi`, `tag`, … plus inspect and prune). */
@Command(name = "image", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Manage images.",
        subcommands = {ImageCommand.Ls.class, PullCommand.class, PushCommand.class, RmiCommand.ImageRm.class, TagCommand.class, UntagCommand.class,
                ImageCommand.Inspect.class, HistoryCommand.class, ImageCommand.Prune.class, SaveLoadCommands.Save.class,
                SaveLoadCommands.Load.class, ImportCommand.class, ImageCommand.Exists.class, BuildCommand.class,
                SearchCommand.class})
public final class ImageCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(ImageCli.root(spec).out);
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "List images in local storage.")
    public static final class Ls extends ImagesCommand {
    }

    /** `jpod image inspect IMAGE…`: a JSON array in podman's shape for the common fields. */
    @Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Show details of images.")
    public static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image names or ids")
        List<String> images;

        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default) or a Go template, e.g. '{{.Id}} {{.Size}}'")
        String format;

        @Override
        public Integer call() {
            JpodCommand jpod = ImageCli.root(spec);
            OutputFormat fmt = OutputFormat.of(format);
            try (Engine engine = jpod.engine()) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (String i : images) {
                    out.add(engine.images().inspect(i));
                }
                if (fmt.isTemplate()) {
                    fmt.print(jpod.out, out, Map.of());
                } else {
                    jpod.out.println(Formats.json(out));
                }
            }
            return 0;
        }
    }

    /** `jpod image exists IMAGE`: exit 0 if the image is stored here, 1 if not. */
    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the image is stored locally, 1 if not.")
    public static final class Exists implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Override
        public Integer call() {
            try (Engine engine = ImageCli.root(spec).engine()) {
                return engine.images().find(image).isPresent() ? 0 : 1;
            }
        }
    }

    /** `jpod image prune [-a]`: remove dangling images, or all images no container uses. */
    @Command(name = "prune", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Remove unused images.")
    public static final class Prune implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-a", "--all"}, description = "Remove all images not used by a container, not only dangling ones")
        boolean all;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation (jpod never asks)")
        boolean force;

        @Override
        public Integer call() {
            JpodCommand jpod = ImageCli.root(spec);
            try (Engine engine = jpod.engine()) {
                for (String id : engine.images().prune(new ImagePruneOptions(all)).deleted()) {
                    jpod.out.println(id);
                }
            }
            return 0;
        }
    }
}
