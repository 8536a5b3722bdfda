package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.secret.NoSuchSecretException;
import io.jpod.engine.secret.SecretCreateOptions;
import io.jpod.engine.secret.SecretReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `jpod secret create|ls|inspect|rm|exists`: podman's secrets (file driver). It runs in-process: `create` reads a
 * file of the caller's or its stdin.
 */
@Command(name = "secret", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Manage secrets.",
        subcommands = {SecretCommand.Create.class, SecretCommand.Ls.class, SecretCommand.Inspect.class, SecretCommand.Rm.class,
                SecretCommand.Exists.class})
public final class SecretCommand extends CommandGroup {
    public SecretCommand() {
        super("create, ls, inspect, rm or exists");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a new secret from a file or stdin (\"-\").",
            customSynopsis = "[options] NAME FILE|-")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        /** NAME and FILE|-, counted as cobra's ExactArgs(2) counts them. */
        @Parameters(arity = "0..*", paramLabel = "NAME FILE|-")
        List<String> args = new ArrayList<>();

        String name;
        String file;

        @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "Secret driver (default \"file\", the only one jpod has)")
        String driver = "file";

        @Option(names = "--driver-opts", paramLabel = "KEY=VALUE", split = ",", description = "Driver options (none for the file driver)")
        List<String> driverOpts = new ArrayList<>();

        @Option(names = "--env", description = "Read the secret's data from the environment variable FILE names")
        boolean env;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label on the secret")
        List<String> labels = new ArrayList<>();

        @Override
        public Integer call() {
            if (args.size() != 2) {
                throw new EngineException("accepts 2 arg(s), received " + args.size());
            }
            name = args.get(0);
            file = args.get(1);
            byte[] data;
            try {
                if (env) {
                    String v = parent.jpod.env.get(file);
                    if (v == null) {
                        throw new EngineException("cannot create store secret data: environment variable " + file + " is not set");
                    }
                    data = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                } else {
                    data = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(parent.jpod.callerPath(file));
                }
            } catch (NoSuchFileException e) {
                throw new EngineException("open " + file + ": no such file or directory");
            } catch (IOException e) {
                throw new EngineException("reading secret data from " + file + ": " + e.getMessage());
            }
            try (Engine engine = parent.jpod.engine()) {
                parent.jpod.out.println(engine.secrets().create(new SecretCreateOptions(name, data, driver, LabelArgs.sorted(labels))).id());
            }
            return 0;
        }
    }

    /** podman's `secret ls` row (its Go template fields). */
    static Map<String, Object> row(SecretReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", r.id());
        m.put("Name", r.name());
        m.put("Driver", r.driver());
        m.put("CreatedAt", Formats.ago(r.createdAt()));
        m.put("UpdatedAt", Formats.ago(r.createdAt()));
        m.put("Labels", r.labels());
        return m;
    }

    /** podman's `secret inspect` object (also `secret ls --format json`'s elements). */
    static Map<String, Object> inspect(SecretReport r) {
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("Name", r.driver());
        driver.put("Options", r.driverOptions());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("Name", r.name());
        spec.put("Driver", driver);
        spec.put("Labels", r.labels());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", r.id());
        m.put("CreatedAt", r.createdAt() == null ? null : r.createdAt().toString());
        m.put("UpdatedAt", r.createdAt() == null ? null : r.createdAt().toString());
        m.put("Spec", spec);
        return m;
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = {"List secrets.",
            "Template fields: {{.ID}} {{.Name}} {{.Driver}} {{.CreatedAt}} {{.UpdatedAt}}; -q prints the ids.",
            "Filters: name=, id=."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        @Mixin
        ListOptions list;

        @Override
        public Integer call() {
            OutputFormat fmt = list.outputFormat();
            try (Engine engine = parent.jpod.engine()) {
                java.util.function.Predicate<SecretReport> filter = Filters.of(list.filters, "name or id", java.util.Set.of(), (key, value) -> switch (key) {
                    case "name" -> r -> r.name().contains(value);
                    case "id" -> r -> r.id().startsWith(value);
                    default -> throw new EngineException(key + " is an invalid filter");
                });
                List<SecretReport> all = engine.secrets().list().stream().filter(filter).toList();
                if (list.quiet) {
                    all.forEach(r -> parent.jpod.out.println(r.id()));
                } else if (fmt.isJson()) {
                    parent.jpod.out.println(Formats.json(all.stream().map(SecretCommand::inspect).toList()));
                } else if (fmt.isTemplate()) {
                    fmt.print(parent.jpod.out, all.stream().map(SecretCommand::row).toList(), Map.of("CreatedAt", "CREATED", "UpdatedAt", "UPDATED"));
                } else {
                    List<String[]> table = new ArrayList<>();
                    table.add(new String[]{"ID", "NAME", "DRIVER", "CREATED", "UPDATED"});
                    for (SecretReport r : all) {
                        Map<String, Object> m = row(r);
                        table.add(new String[]{r.id(), r.name(), r.driver(), (String) m.get("CreatedAt"), (String) m.get("UpdatedAt")});
                    }
                    list.printTable(parent.jpod.out, table);
                }
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Display a secret's record (not its data).")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        @Parameters(arity = "1..*", paramLabel = "SECRET")
        List<String> names;

        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default) or a Go template: {{.ID}} {{.Spec.Name}} …")
        String format;

        @Override
        public Integer call() {
            OutputFormat fmt = OutputFormat.of(format, "json");
            int code = 0;
            List<Map<String, Object>> out = new ArrayList<>();
            try (Engine engine = parent.jpod.engine()) {
                for (String n : names) {
                    try {
                        out.add(inspect(engine.secrets().inspect(n)));
                    } catch (NoSuchSecretException e) {
                        Main.report(new EngineException("inspecting secret: " + e.getMessage()), parent.jpod.err);
                        code = Main.EXIT_ENGINE;
                    }
                }
            }
            if (fmt.isTemplate()) {
                fmt.print(parent.jpod.out, out, Map.of());
            } else {
                parent.jpod.out.println(Formats.json(out));
            }
            return code;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove secrets.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        SecretCommand parent;

        @Parameters(arity = "0..*", paramLabel = "SECRET")
        List<String> names = new ArrayList<>();

        @Option(names = {"-a", "--all"}, description = "Remove every secret")
        boolean all;

        @Override
        public Integer call() {
            if (all == !names.isEmpty()) {
                throw new EngineException(all ? "when using the --all switch, you may not pass any secret names or IDs"
                        : "at least one secret name or ID must be given, or --all");
            }
            int code = 0;
            try (Engine engine = parent.jpod.engine()) {
                List<String> targets = new ArrayList<>(names);
                if (all) {
                    engine.secrets().list().forEach(r -> targets.add(r.id()));
                }
                for (String n : targets) {
                    try {
                        parent.jpod.out.println(engine.secrets().remove(n).id());
                    } catch (NoSuchSecretException e) {
                        Main.report(e, parent.jpod.err);
                        code = Main.EXIT_ENGINE;
                    }
                }
            }
            return code;
        }
    }

    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the secret exists, 1 if not.")
    static final class Exists extends ExistsCommand {
        @Parameters(index = "0", paramLabel = "SECRET")
        String name;

        @Override
        boolean exists(Engine engine) {
            return engine.secrets().exists(name);
        }
    }
}
