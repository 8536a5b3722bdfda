package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchImageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod manifest`: local manifest lists of local images (podman's create, add, remove, inspect, exists, rm); no push. */
@Command(name = "manifest", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manipulate manifest lists.",
        subcommands = {ManifestCommand.Create.class, ManifestCommand.Add.class, ManifestCommand.Remove.class,
                ManifestCommand.Inspect.class, ManifestCommand.Exists.class, ManifestCommand.Rm.class})
public final class ManifestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: create, add, remove, inspect, exists or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a manifest list of local images.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LIST")
        String list;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "IMAGE")
        List<String> images = new ArrayList<>();

        @Override
        public Integer call() {
            try (Engine engine = ImageCli.root(spec).engine()) {
                ImageCli.root(spec).out.println(engine.manifestLists().create(list, images));
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a local image's manifest to a manifest list.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LIST")
        String list;

        @Parameters(index = "1", paramLabel = "IMAGE")
        String image;

        @Override
        public Integer call() {
            try (Engine engine = ImageCli.root(spec).engine()) {
                ImageCli.root(spec).out.println(engine.manifestLists().add(list, image));
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an entry (by its digest) from a manifest list.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LIST")
        String list;

        @Parameters(index = "1", paramLabel = "DIGEST")
        String digest;

        @Override
        public Integer call() {
            try (Engine engine = ImageCli.root(spec).engine()) {
                ImageCli.root(spec).out.println(engine.manifestLists().removeEntry(list, digest));
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a manifest list.")
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LIST")
        String list;

        @Override
        public Integer call() {
            try (Engine engine = ImageCli.root(spec).engine()) {
                ImageCli.root(spec).out.println(engine.manifestLists().inspect(list));
            }
            return 0;
        }
    }

    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the manifest list exists, else 1.")
    static final class Exists implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LIST")
        String list;

        @Override
        public Integer call() {
            try (Engine engine = ImageCli.root(spec).engine()) {
                return engine.manifestLists().exists(list) ? 0 : 1;
            }
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove manifest lists.")
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "LIST")
        List<String> lists = new ArrayList<>();

        @Override
        public Integer call() {
            int code = 0;
            try (Engine engine = ImageCli.root(spec).engine()) {
                for (String l : lists) {
                    try {
                        engine.manifestLists().remove(l).forEach(ImageCli.root(spec).out::println);
                    } catch (NoSuchImageException e) {
                        Main.report(new EngineException(l + ": image not known"), ImageCli.root(spec).err);
                        code = 1;
                    }
                }
            }
            return code;
        }
    }
}
