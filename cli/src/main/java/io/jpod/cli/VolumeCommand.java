package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.volume.VolumeCreateOptions;
import io.jpod.engine.volume.VolumeRemoveOptions;
import io.jpod.engine.volume.VolumeReport;
import io.jpod.engine.volume.VolumeService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** `jpod volume create|ls|inspect|rm|prune`: podman's named volumes, stored under the storage root. */
@Command(name = "volume", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manage volumes.",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Inspect.class,
                VolumeCommand.Rm.class, VolumeCommand.Prune.class, VolumeCommand.Exists.class, VolumeCommand.Export.class,
                VolumeCommand.Import.class, VolumeCommand.Mount.class, VolumeCommand.Unmount.class})
public final class VolumeCommand extends CommandGroup {
    public VolumeCommand() {
        super("create, ls, inspect, rm or prune");
    }

    /** A volume as `volume inspect`, `volume ls --format` and `inspect` render it (podman's field names). */
    static Map<String, Object> inspect(VolumeReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", r.name());
        m.put("Driver", r.driver());
        m.put("Mountpoint", r.mountpoint().toString());
        m.put("CreatedAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(r.created().atZone(ZoneId.systemDefault())));
        m.put("Labels", new TreeMap<>(r.labels()));
        m.put("Scope", "local");
        m.put("Options", new TreeMap<>(r.options()));
        m.put("MountCount", 0);
        m.put("NeedsCopyUp", r.needsCopyUp());
        m.put("NeedsChown", r.needsChown());
        return m;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume (a random name if none given).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Parameters(arity = "0..1", paramLabel = "NAME")
        String name;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label")
        List<String> labels = new ArrayList<>();

        @Option(names = {"-o", "--opt"}, paramLabel = "KEY=VALUE", description = "Driver option: type=bind with device=DIR, type=tmpfs, o=MOUNT-OPTIONS")
        List<String> opts = new ArrayList<>();

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                VolumeCreateOptions options = new VolumeCreateOptions(name, LabelArgs.sorted(labels), LabelArgs.parse(opts), false);
                parent.jpod.out.println(engine.volumes().create(options).name());
            }
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = {"List volumes.",
            "Template fields: {{.Name}} {{.Driver}} {{.Mountpoint}} {{.CreatedAt}} {{.Labels}}; -q prints the names.",
            "Filters: name=REGEX, label=KEY[=VALUE], driver=, dangling=true|false."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Mixin
        ListOptions list;

        @Override
        public Integer call() {
            OutputFormat fmt = list.outputFormat();
            try (Engine engine = parent.jpod.engine()) {
                VolumeService v = engine.volumes();
                java.util.function.Predicate<VolumeReport> filter = Filters.of(list.filters, "name, label, driver or dangling",
                        java.util.Set.of("label"), (key, value) -> volumeFilter(v, key, value));
                List<VolumeReport> all = v.list(filter);
                if (fmt.isJson() || fmt.isTemplate() && !list.quiet) {
                    List<Object> out = new ArrayList<>();
                    all.forEach(r -> out.add(inspect(r)));
                    if (fmt.isJson()) {
                        parent.jpod.out.println(Formats.json(out));
                    } else {
                        fmt.print(parent.jpod.out, out, Map.of("Name", "VOLUME NAME"));
                    }
                } else if (list.quiet) {
                    all.forEach(r -> parent.jpod.out.println(r.name()));
                } else {
                    if (!list.noHeading) {
                        parent.jpod.out.printf("%-11s %s%n", "DRIVER", "VOLUME NAME");
                    }
                    all.forEach(r -> parent.jpod.out.printf("%-11s %s%n", r.driver(), r.name()));
                }
            }
            return 0;
        }
    }

    /** One `volume ls --filter` KEY=VALUE, as podman reads it (name is a regular expression found anywhere in the name). */
    static java.util.function.Predicate<VolumeReport> volumeFilter(VolumeService volumes, String key, String value) {
        return switch (key) {
            case "name" -> {
                java.util.regex.Pattern p;
                try {
                    p = java.util.regex.Pattern.compile(value);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new io.jpod.engine.EngineException("invalid filter \"name=" + value + "\": not a regular expression: "
                            + e.getDescription());
                }
                yield r -> p.matcher(r.name()).find();
            }
            case "label" -> {
                int eq = value.indexOf('=');
                String k = eq < 0 ? value : value.substring(0, eq);
                yield r -> r.labels().containsKey(k) && (eq < 0 || r.labels().get(k).equals(value.substring(eq + 1)));
            }
            case "driver" -> r -> r.driver().equals(value);
            case "dangling" -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new io.jpod.engine.EngineException("invalid filter \"dangling=" + value + "\": use true or false");
                }
                boolean dangling = value.equals("true");
                yield r -> volumes.usedBy(r.name()).isEmpty() == dangling;
            }
            default -> throw new io.jpod.engine.EngineException("invalid filter \"" + key + "\": volume ls takes name, label, driver or dangling");
        };
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show volumes as JSON.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Parameters(arity = "0..*", paramLabel = "NAME")
        List<String> names = new ArrayList<>();

        @Option(names = {"-a", "--all"}, description = "Inspect all volumes")
        boolean all;

        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default) or a Go template, e.g. '{{.Mountpoint}}'")
        String format;

        @Override
        public Integer call() {
            if (all == !names.isEmpty()) { // podman's one message for both
                throw new EngineException("provide one or more volume names or use --all");
            }
            OutputFormat fmt = OutputFormat.of(format);
            try (Engine engine = parent.jpod.engine()) {
                VolumeService v = engine.volumes();
                List<Object> out = new ArrayList<>();
                for (String n : all ? v.list(r -> true).stream().map(io.jpod.engine.volume.VolumeReport::name).toList() : names) {
                    out.add(inspect(v.inspect(n)));
                }
                if (fmt.isTemplate()) {
                    fmt.print(parent.jpod.out, out, Map.of());
                } else {
                    parent.jpod.out.println(Formats.json(out));
                }
            }
            return 0;
        }
    }

    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the volume exists, 1 if not.")
    static final class Exists extends ExistsCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        boolean exists(Engine engine) {
            return engine.volumes().exists(name);
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove volumes.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Option(names = {"-f", "--force"}, description = "Remove the containers that use the volume first; a missing volume is no error")
        boolean force;

        @Option(names = {"-a", "--all"}, description = "Remove every volume")
        boolean all;

        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "With --force: seconds a running container gets to stop (default 10)")
        Integer time;

        @Parameters(arity = "0..*", paramLabel = "NAME")
        List<String> names = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            if (all == !names.isEmpty()) {
                throw new io.jpod.engine.EngineException(all ? "when using the --all switch, you may not pass any volume names"
                        : "volume rm needs at least one volume name, or --all");
            }
            int code = 0;
            try (Engine engine = parent.jpod.engine()) {
                VolumeService v = engine.volumes();
                List<String> targets = all ? v.list(r -> true).stream().map(VolumeReport::name).toList() : names;
                VolumeRemoveOptions options = VolumeRemoveOptions.cli(force, time == null ? 10 : Math.max(0, time));
                for (String n : targets) {
                    try {
                        v.remove(n, options);
                        parent.jpod.out.println(n);
                    } catch (io.jpod.engine.NoSuchVolumeException e) {
                        if (!force) { // podman: exit 1, and --force means "whether it exists or not"
                            code = code == 0 ? 1 : code;
                            Main.report(e, parent.jpod.err);
                        }
                    } catch (io.jpod.engine.VolumeInUseException e) {
                        code = code == Main.EXIT_ENGINE ? code : 2;
                        Main.report(e, parent.jpod.err);
                    } catch (EngineException e) {
                        code = Main.EXIT_ENGINE;
                        Main.report(e, parent.jpod.err);
                    }
                }
            }
            return code;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write a volume's contents as a tar to stdout or a file.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout")
        String output;

        @Override
        public Integer call() throws IOException {
            try (Engine engine = parent.jpod.engine()) {
                if (output == null || output.equals("-")) {
                    engine.volumes().export(name, parent.jpod.out);
                } else {
                    java.nio.file.Path file = java.nio.file.Path.of(output).toAbsolutePath();
                    java.nio.file.Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
                    try (java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(partial))) {
                        engine.volumes().export(name, out);
                    } catch (RuntimeException | IOException e) {
                        java.nio.file.Files.deleteIfExists(partial); // nothing half-written
                        throw e;
                    }
                    java.nio.file.Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Extract a tar (a file, or - for stdin) into a volume.")
    static final class Import implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "SOURCE")
        String source;

        @Override
        public Integer call() throws IOException {
            try (Engine engine = parent.jpod.engine()) {
                if (source.equals("-")) {
                    engine.volumes().importTar(name, System.in);
                } else {
                    try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(source))) {
                        engine.volumes().importTar(name, in);
                    }
                }
            }
            return 0;
        }
    }

    /**
     * podman refuses `volume mount` rootless: the mount would only be seen in the user namespace. jpod is always
     * rootless and answers the same way (a volume is a directory: `volume inspect --format {{.Mountpoint}}`).
     */
    @Command(name = "mount", mixinStandardHelpOptions = true, description = "Refused rootless, as in podman: use `jpod unshare` and the volume's Mountpoint.")
    static final class Mount implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "NAME")
        List<String> names = new ArrayList<>();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw rootless(spec, "mount");
        }
    }

    @Command(name = "unmount", aliases = "umount", mixinStandardHelpOptions = true, description = "Refused rootless, as in podman (see volume mount).")
    static final class Unmount implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "NAME")
        List<String> names = new ArrayList<>();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw rootless(spec, "unmount");
        }
    }

    /** podman's refusal, naming the program as it was invoked (cobra's root name). */
    private static EngineException rootless(picocli.CommandLine.Model.CommandSpec spec, String verb) {
        String program = spec.root().name();
        return new EngineException("cannot run command \"" + program + " volume " + verb + "\" in rootless mode, must execute `"
                + program + " unshare` first");
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove all volumes no container uses.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        VolumeCommand parent;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation")
        boolean force;

        @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Only matching volumes: name=REGEX, label=KEY[=VALUE], driver=")
        List<String> filters = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            try (Engine engine = parent.jpod.engine()) {
                VolumeService v = engine.volumes();
                java.util.function.Predicate<VolumeReport> filter = Filters.of(filters, "name, label or driver",
                        java.util.Set.of("label"), (key, value) -> volumeFilter(v, key, value));
                if (!force) {
                    // podman's prompt names what would go
                    parent.jpod.out.println("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:");
                    v.pruneCandidates(filter).forEach(parent.jpod.out::println);
                    if (!PruneConfirmation.accepted(PruneConfirmation.ask(parent.jpod, "Are you sure you want to continue? [y/N] "))) {
                        return 0;
                    }
                }
                v.prune(filter).removed().forEach(parent.jpod.out::println);
            }
            return 0;
        }
    }
}
