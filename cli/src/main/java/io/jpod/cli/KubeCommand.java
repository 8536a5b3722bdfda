package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `jpod kube generate|play|down` (also `generate kube`, `play kube`): the bridge to Kubernetes YAML. Runs in-process
 * (ServiceRouting): play reads a file or stdin, generate -f writes one, relative to the caller.
 */
@Command(name = "kube", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Generate Kubernetes YAML from pods and containers, and play it.",
        subcommands = {KubeCommand.Generate.class, KubeCommand.Play.class, KubeCommand.Down.class})
public final class KubeCommand extends CommandGroup {
    public KubeCommand() {
        super("generate, play or down");
    }

    /** A path the caller named, relative to the caller's directory. */
    Path callerPath(String file) {
        return Path.of(file).toAbsolutePath(); // in-process: the JVM's directory is the caller's
    }

    String readInput(String file) {
        try {
            byte[] data = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(callerPath(file));
            return new String(data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EngineException("cannot read " + file + ": " + e.getMessage());
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate Kubernetes YAML of a pod or of containers.",
            customSynopsis = "[options] {CONTAINER...|POD...|VOLUME...}")
    static final class Generate implements Callable<Integer> {
        @ParentCommand
        KubeCommand parent;

        @Parameters(arity = "1..*", paramLabel = "POD|CONTAINER")
        List<String> names;

        @Option(names = {"-s", "--service"}, description = "Also generate a v1 Service for the published ports")
        boolean service;

        @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "Write the YAML to FILE (it must not exist)")
        String file;

        @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "pod (default) or deployment")
        String type = "pod";

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                String yaml = engine.kubeGenerate(names, type, service);
                if (file == null) {
                    parent.jpod.out.print(yaml);
                    return 0;
                }
                Path target = parent.callerPath(file);
                if (Files.exists(target)) {
                    throw new EngineException("cannot write to " + file + ": file already exists");
                }
                try {
                    Files.writeString(target, yaml, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new EngineException("cannot write to " + file + ": " + e.getMessage());
                }
            }
            return 0;
        }
    }

    @Command(name = "play", mixinStandardHelpOptions = true, description = "Run the pods of Kubernetes YAML (FILE, or - for stdin).")
    static final class Play implements Callable<Integer> {
        @ParentCommand
        KubeCommand parent;

        @Parameters(index = "0", paramLabel = "FILE")
        String file;

        @Option(names = "--replace", description = "Remove pods of the same names first")
        boolean replace;

        @Option(names = "--start", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Start the pods (default true)")
        boolean start = true;

        @Option(names = {"--network", "--net"}, paramLabel = "MODE", description = "The pods' network (default slirp4netns)")
        String network;

        @Option(names = "--configmap", paramLabel = "FILE", description = "YAML file(s) with ConfigMaps the pods may use")
        List<String> configMaps = new ArrayList<>();

        @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Verify registries' TLS certificates")
        boolean tlsVerify = true;

        @Option(names = {"-q", "--quiet"}, description = "Suppress pull progress")
        boolean quiet;

        @Option(names = "--build", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "Build an image whose name's last component is a directory (of --context-dir) with a Containerfile")
        boolean build;

        @Option(names = "--context-dir", paramLabel = "DIR", description = "Where --build looks for those directories (default: here)")
        String contextDir;

        @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Add an annotation to every container of the pods "
                + "(63 characters at most, as Kubernetes allows)")
        List<String> annotations = new ArrayList<>();

        @Option(names = "--service-container", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "Run a service container (from the pause image) that starts before the pods and stops and goes with them")
        boolean serviceContainer;

        @Override
        public Integer call() {
            KubeBuild.checkAnnotationOptions(annotations);
            String text = parent.readInput(file);
            List<String> extra = new ArrayList<>();
            for (String c : configMaps) {
                extra.add(parent.readInput(c));
            }
            try (Engine engine = parent.jpod.engine()) {
                KubePlay play = new KubePlay(engine, parent.jpod.out, parent.jpod.err, network, tlsVerify, quiet, ImageCli.progressWhenPulling(parent.jpod))
                        .withBuild(build ? parent.jpod.callerPath(contextDir == null ? "." : contextDir) : null)
                        .withAnnotations(RunLifecycleOptions.annotations(annotations))
                        .withServiceContainer(serviceContainer);
                play.play(text, file.equals("-") ? "stdin" : file, extra, replace, start);
            }
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove the pods that kube play made of FILE (or - for stdin).")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        KubeCommand parent;

        @Parameters(index = "0", paramLabel = "FILE")
        String file;

        @Option(names = "--force", description = "Also remove the volumes of the PersistentVolumeClaims")
        boolean force;

        @Override
        public Integer call() {
            String text = parent.readInput(file);
            try (Engine engine = parent.jpod.engine()) {
                new KubePlay(engine, parent.jpod.out, parent.jpod.err, null, true, true, null).down(text, file.equals("-") ? "stdin" : file, force);
            }
            return 0;
        }
    }
}
