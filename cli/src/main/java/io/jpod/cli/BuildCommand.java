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
import java.io.PrintStream;
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

    @Option(names = "--layers", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Cache each step's image and reuse it (default: $BUILDAH_LAYERS, else true)")
    String layers;

    @Option(names = "--pull-always", hidden = true, description = "--pull=always (podman's older spelling)")
    boolean pullAlways;

    @Option(names = "--pull-never", hidden = true, description = "--pull=never (podman's older spelling)")
    boolean pullNever;

    @Option(names = "--logfile", paramLabel = "FILE", description = "Write the build's output to FILE instead of the terminal")
    String logfile;

    @Option(names = "--authfile", paramLabel = "FILE",
            description = "Credentials file for the FROM images' registries (checked; pulls read podman's auth files)")
    String authfile;

    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "Resource limit of the RUN steps, as run's --ulimit")
    List<String> ulimits = new ArrayList<>();

    @Option(names = "--security-opt", paramLabel = "OPT", description = "Security option of the RUN steps, as run's --security-opt (e.g. seccomp=unconfined)")
    List<String> securityOpts = new ArrayList<>();

    @Option(names = "--jobs", paramLabel = "N", description = "Stages built in parallel (accepted; jpod builds them one after the other)")
    Integer jobs;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image id")
    boolean quiet;

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image id to FILE")
    Path iidfile;

    @Option(names = "--network", paramLabel = "MODE", description = "Network for RUN: slirp4netns (default), host, none")
    String network;

    @Option(names = "--rm", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Remove the containers of the steps (default true)")
    boolean rm;

    @Option(names = "--secret", paramLabel = "id=ID,src=FILE",
            description = "A secret for RUN --mount=type=secret,id=ID (also id=ID,env=VAR); never stored in the image")
    List<String> secrets = new ArrayList<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:OPTS]", description = "Bind mount for every RUN (not part of the image)")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform of the FROM images (RUN needs the host's architecture)")
    String platform;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture of the FROM images")
    String arch;

    @Option(names = "--os", paramLabel = "OS", description = "Operating system of the FROM images (only linux)")
    String os;

    @Option(names = "--variant", paramLabel = "VARIANT", description = "Architecture variant of the FROM images")
    String variant;

    @Option(names = "--no-hosts", description = "Do not create /etc/hosts for RUN")
    boolean noHosts;

    @Option(names = "--squash", description = "Squash the new layers of the image into one")
    boolean squash;

    @Option(names = "--squash-all", description = "Squash all layers of the image into one")
    boolean squashAll;

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Manifest annotation of the built image")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates when pulling FROM images (accepted; loopback registries answer plain HTTP anyway)")
    boolean tlsVerify;

    @Override
    public Integer call() {
        JpodCommand jpod = ImageCli.root(spec);
        if (!format.equals("oci") && !format.equals("docker")) {
            throw new EngineException("unrecognized image type \"" + format + "\": use oci or docker");
        }
        String policy = pullNever ? "never" : pullAlways ? "always" : switch (pull) {
            case "true" -> "always";
            case "false" -> "never";
            default -> pull;
        };
        if (authfile != null && !Files.exists(jpod.callerPath(authfile))) {
            // podman checks the file before anything else (070-build "--authfile bogus test")
            throw new EngineException("checking authfile: stat " + authfile + ": no such file or directory");
        }
        io.jpod.engine.image.PullPolicy.parse(policy);
        String fromPlatform = platform(platform, os, arch, variant);
        if ("-".equals(context) && "-".equals(file)) {
            throw new EngineException("the context and the Containerfile cannot both be read from stdin: give one of them as a path");
        }
        Path stdinContext = "-".equals(context) ? stdinContext() : null;
        try {
            return build(jpod, policy, fromPlatform, stdinContext);
        } finally {
            if (stdinContext != null) {
                deleteTree(stdinContext);
            }
        }
    }

    private Integer build(JpodCommand jpod, String policy, String fromPlatform, Path stdinContext) {
        // no CONTEXT but -f FILE: the file's directory, as podman takes it
        String contextDir = context != null ? context : file != null && !"-".equals(file) && jpod.callerPath(file).getParent() != null
                ? jpod.callerPath(file).getParent().toString() : ".";
        Path ctx = stdinContext != null ? stdinContext : jpod.callerPath(contextDir);
        if (!Files.isDirectory(ctx)) {
            throw new EngineException("the build context " + ctx + " is not a directory: give a directory as CONTEXT");
        }
        String text;
        String name;
        try {
            if (stdinContext != null && file == null && Files.isRegularFile(ctx.resolve(STDIN_FILE))) {
                text = Files.readString(ctx.resolve(STDIN_FILE)); // `jpod build - < Containerfile`: no context files
                name = "Containerfile";
            } else if ("-".equals(file)) {
                text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                name = "Containerfile";
            } else {
                Path f = file != null ? containerfile(jpod, file, ctx) : defaultFile(ctx);
                text = Files.readString(f);
                name = f.getFileName().toString();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            if (file != null) { // podman's words (070-build "-f test")
                throw new EngineException("the specified Containerfile or Dockerfile does not exist, " + file + ": no such file or directory");
            }
            // podman names the last file it looked for (070-build "build with ignore '*'")
            throw new EngineException("no Containerfile or Dockerfile in the build context: stat " + ctx.resolve("Dockerfile")
                    + ": no such file or directory (give one with -f)");
        } catch (IOException e) {
            throw new EngineException("cannot read the Containerfile: " + e.getMessage());
        }
        Map<String, String> args = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        for (Path f : buildArgFiles) {
            try {
                Files.readAllLines(jpod.callerPath(f.toString())).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(all::add);
            } catch (IOException e) {
                throw new EngineException("cannot read --build-arg-file " + f + ": " + e.getMessage());
            }
        }
        all.addAll(buildArgs);
        for (String a : all) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                String v = jpod.env.get(a);
                if (v != null) {
                    args.put(a, v);
                }
            } else {
                args.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        Map<String, String> labelMap = LabelArgs.parse(labels);
        BuildRequest request = new BuildRequest(ctx, text, name, tags, args, target, noCache, policy, labelMap, format,
                layers(jpod), quiet, network, rm, ignoreFile == null ? null : jpod.callerPath(ignoreFile.toString()), secrets(jpod), volumes,
                fromPlatform, squashAll ? "all" : squash ? "new" : null, noHosts, keyValues(annotations, "--annotation"), ulimits, securityOpts);
        try (Engine engine = jpod.engine(); PrintStream log = logfile == null ? null : openLog(jpod)) {
            String id = engine.build(request, log != null ? log : jpod.out);
            String hex = ImageCli.hex(id);
            if (iidfile != null) {
                try {
                    Files.writeString(jpod.callerPath(iidfile.toString()), "sha256:" + hex);
                } catch (IOException e) {
                    throw new EngineException("cannot write --iidfile " + iidfile + ": "
                            + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()));
                }
            }
            jpod.out.println(hex);
            return 0;
        }
    }

    /** --logfile: the build's output goes there, truncated first, as podman writes it. */
    private PrintStream openLog(JpodCommand jpod) {
        try {
            return new PrintStream(Files.newOutputStream(jpod.callerPath(logfile)), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EngineException("cannot open --logfile " + logfile + ": " + e.getMessage());
        }
    }

    /** --layers, else $BUILDAH_LAYERS (070-build "--layers test"), else true; Go's boolean spellings. */
    private boolean layers(JpodCommand jpod) {
        String given = layers != null ? layers : jpod.env.get("BUILDAH_LAYERS");
        if (given == null || given.isEmpty()) {
            return true;
        }
        return switch (given) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new EngineException((layers != null ? "invalid argument \"" + given + "\" for \"--layers\" flag"
                    : "invalid BUILDAH_LAYERS \"" + given + "\"") + ": strconv.ParseBool: parsing \"" + given + "\": invalid syntax");
        };
    }

    /**
     * -f FILE: relative to the caller's directory, else (as buildah does when it is not there) relative to the
     * context (070-build "-f test": {@code build -f Containerfile1 DIR} with the file in DIR).
     */
    private static Path containerfile(JpodCommand jpod, String file, Path ctx) {
        Path f = jpod.callerPath(file);
        if (!Files.exists(f) && !Path.of(file).isAbsolute() && Files.exists(ctx.resolve(file))) {
            return ctx.resolve(file);
        }
        return f;
    }

    private static Map<String, String> keyValues(List<String> items, String flag) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String i : items) {
            int eq = i.indexOf('=');
            if (eq <= 0) {
                throw new EngineException("invalid " + flag + " \"" + i + "\": give KEY=VALUE");
            }
            m.put(i.substring(0, eq), i.substring(eq + 1));
        }
        return m;
    }

    private static final String STDIN_FILE = ".jpod-stdin-Containerfile";

    /**
     * `jpod build -`: stdin is a tar of the context (plain or compressed), extracted into a private directory, or else
     * a Containerfile alone (an empty context), as docker build decides.
     */
    private static Path stdinContext() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("jpod-build-context-");
            Path data = Files.createTempFile("jpod-build-stdin-", "");
            try {
                Files.copy(System.in, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                if (io.jpod.engine.build.ContextArchive.isArchive(data)) {
                    io.jpod.engine.build.ContextArchive.extract(data, dir);
                } else {
                    Files.move(data, dir.resolve(STDIN_FILE));
                }
            } finally {
                Files.deleteIfExists(data);
            }
            return dir;
        } catch (IOException e) {
            if (dir != null) {
                deleteTree(dir);
            }
            throw new EngineException("cannot read the build context from stdin: " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** --platform, else --os/--arch/--variant, as one os/arch[/variant] (null: the host's). */
    private static String platform(String platform, String os, String arch, String variant) {
        if (platform != null) {
            if (platform.contains(",")) {
                throw new EngineException("building for several platforms (" + platform + ") is not supported by jpod build: give one");
            }
            return platform;
        }
        if (os == null && arch == null && variant == null) {
            return null;
        }
        return (os == null ? "linux" : os) + "/" + (arch == null ? io.jpod.engine.build.ImageBuilder.hostArch() : arch)
                + (variant == null ? "" : "/" + variant);
    }

    /** --secret id=ID,src=FILE | id=ID,env=VAR (type=file|env): each secret's content by id. */
    private Map<String, byte[]> secrets(JpodCommand jpod) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String s : secrets) {
            Map<String, String> o = new LinkedHashMap<>();
            for (String part : s.split(",")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    throw new EngineException("invalid --secret \"" + s + "\": give id=ID,src=FILE");
                }
                o.put(part.substring(0, eq), part.substring(eq + 1));
            }
            String id = o.get("id");
            String src = o.getOrDefault("src", o.get("source"));
            String env = o.get("env");
            if ("env".equals(o.get("type")) && env == null) {
                env = src;
                src = null;
            }
            if (id == null || id.isEmpty() || id.contains("/") || (src == null && env == null)) {
                throw new EngineException("invalid --secret \"" + s + "\": give id=ID,src=FILE or id=ID,env=VAR");
            }
            if (src != null) {
                try {
                    out.put(id, Files.readAllBytes(jpod.callerPath(src)));
                } catch (IOException e) {
                    throw new EngineException("cannot read the file of --secret " + id + ": " + src + ": " + e.getMessage());
                }
            } else {
                String v = jpod.env.get(env);
                if (v == null) {
                    throw new EngineException("--secret " + id + ": the environment variable " + env + " is not set");
                }
                out.put(id, v.getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
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
