package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.build.BuildRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod build [OPTIONS] [CONTEXT]` (also `jpod image build`): a Containerfile/Dockerfile built into an image. */
@Command(name = "build", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Build an image from a Containerfile or Dockerfile.")
public final class BuildCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "CONTEXT", description = "Build context directory (default: .)")
    String context;

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME", description = "Name of the built image (may be given several times)")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Containerfile to use, - for stdin (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile)")
    String file;

    @Option(names = "--build-arg", paramLabel = "ARG=VALUE", description = "Value of a build ARG (ARG alone: from the environment)")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--build-arg-file", paramLabel = "FILE", description = "ARG=VALUE lines (# comments); --build-arg wins")
    List<Path> buildArgFiles = new ArrayList<>();

    @Option(names = "--ignorefile", paramLabel = "FILE", description = "Ignore patterns instead of CONTEXT/.containerignore or .dockerignore")
    Path ignoreFile;

    @Option(names = "--target", paramLabel = "STAGE", description = "Build up to this stage")
    String target;

    @Option(names = "--no-cache", description = "Do not use cached layers")
    boolean noCache;

    @Option(names = "--pull", arity = "0..1", fallbackValue = "always", defaultValue = "missing", paramLabel = "POLICY",
            description = "Pull FROM images: always, missing (default), never, newer; --pull alone: always")
    String pull;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Label of the built image")
    List<String> labels = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "oci", description = "Manifest format: oci (default) or docker")
    String format;

    @Option(names = "--layers", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Cache each step's image and reuse it (default true)")
    boolean layers;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image id")
    boolean quiet;

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image id to FILE")
    Path iidfile;

    @Option(names = "--network", paramLabel = "MODE", description = "Network for RUN: slirp4netns (default), host, none")
    String network;

    @Option(names = "--rm", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Remove the containers of the steps (default true)")
    boolean rm;

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates when pulling FROM images (accepted; loopback registries answer plain HTTP anyway)")
    boolean tlsVerify;

    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        if (!format.equals("oci") && !format.equals("docker")) {
            throw new EngineException("unrecognized image type \"" + format + "\": use oci or docker");
        }
        String policy = switch (pull) {
            case "true" -> "always";
            case "false" -> "never";
            default -> pull;
        };
        io.jpod.engine.PullPolicy.parse(policy);
        Path ctx = Path.of(context == null ? "." : context).toAbsolutePath().normalize();
        if (!Files.isDirectory(ctx)) {
            throw new EngineException("the build context " + ctx + " is not a directory: give a directory as CONTEXT");
        }
        String text;
        String name;
        try {
            if ("-".equals(file)) {
                text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                name = "Containerfile";
            } else {
                Path f = file != null ? Path.of(file).toAbsolutePath() : defaultFile(ctx);
                text = Files.readString(f);
                name = f.getFileName().toString();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new EngineException("no such Containerfile: " + e.getFile() + " (give one with -f)");
        } catch (IOException e) {
            throw new EngineException("cannot read the Containerfile: " + e.getMessage());
        }
        Map<String, String> args = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        for (Path f : buildArgFiles) {
            try {
                Files.readAllLines(f).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(all::add);
            } catch (IOException e) {
                throw new EngineException("cannot read --build-arg-file " + f + ": " + e.getMessage());
            }
        }
        all.addAll(buildArgs);
        for (String a : all) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                String v = System.getenv(a);
                if (v != null) {
                    args.put(a, v);
                }
            } else {
                args.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        Map<String, String> labelMap = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            labelMap.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        BuildRequest request = new BuildRequest(ctx, text, name, tags, args, target, noCache, policy, labelMap, format,
                layers, quiet, network, rm, ignoreFile == null ? null : ignoreFile.toAbsolutePath());
        try (Engine engine = jpod.engine()) {
            String id = engine.build(request, jpod.out);
            String hex = ImageCli.hex(id);
            if (iidfile != null) {
                try {
                    Files.writeString(iidfile, "sha256:" + hex);
                } catch (IOException e) {
                    throw new EngineException("cannot write --iidfile " + iidfile + ": " + e.getMessage());
                }
            }
            jpod.out.println(hex);
            return 0;
        }
    }

    private static Path defaultFile(Path ctx) throws java.nio.file.NoSuchFileException {
        for (String n : new String[]{"Containerfile", "Dockerfile"}) {
            if (Files.isRegularFile(ctx.resolve(n))) {
                return ctx.resolve(n);
            }
        }
        throw new java.nio.file.NoSuchFileException(ctx.resolve("Containerfile").toString());
    }
}
