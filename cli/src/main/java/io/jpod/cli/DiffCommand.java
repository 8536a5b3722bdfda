package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod diff CONTAINER`: A/C/D lines like podman, or podman's JSON object of changed/added/deleted paths. */
@Command(name = "diff", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List the files a container added (A), changed (C) or deleted (D).")
public final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Option(names = {"-l", "--latest"}, description = "The container created last")
    boolean latest;

    @Option(names = "--format", paramLabel = "FORMAT", description = "json: {\"changed\": […], \"added\": […], \"deleted\": […]}")
    String format;

    @Override
    public Integer call() {
        if (format != null && !format.equals("json")) {
            throw new EngineException("unsupported --format \"" + format + "\": diff prints lines, or json");
        }
        if (latest == (container != null)) {
            throw new EngineException(latest ? ContainerTargets.together(false, true, true) : "no container given: name one, or use --latest");
        }
        try (Engine engine = jpod.engine()) {
            String target = latest ? ContainerTargets.latest(engine) : container;
            List<io.jpod.storage.DiffWalker.Change> changes = engine.containerFiles().diff(target);
            if (format == null) {
                changes.forEach(c -> jpod.out.println(c));
                return 0;
            }
            Map<String, List<String>> byKind = new LinkedHashMap<>(); // podman's keys; a kind without paths is left out
            for (io.jpod.storage.DiffWalker.Change c : changes) {
                String key = c.kind() == 'A' ? "added" : c.kind() == 'D' ? "deleted" : "changed";
                byKind.computeIfAbsent(key, k -> new ArrayList<>()).add(c.path());
            }
            jpod.out.println(Formats.json(byKind));
            return 0;
        }
    }
}
