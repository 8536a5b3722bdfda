package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.storage.ContainerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod ps`: list containers, podman's columns. */
@Command(name = "ps", aliases = "container-ls", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List containers.")
public final class PsCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-a", "--all"}, description = "Show all containers, not only running ones")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Print only container ids")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Do not truncate ids")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "FORMAT", description = "json or table (default)")
    String format;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only matching containers: status=, name=, id= (repeatable: all must match)")
    List<String> filters = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            List<ContainerRecord> list = new ArrayList<>();
            for (ContainerRecord c : engine.containers()) {
                if ((all || !filters.isEmpty() || "running".equals(c.state())) && PsFilter.matches(c, filters)) {
                    list.add(c);
                }
            }
            if ("json".equals(format)) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ContainerRecord c : list) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("Id", c.id());
                    m.put("Names", List.of(c.name()));
                    m.put("Image", c.imageName());
                    m.put("ImageID", c.imageId());
                    m.put("Command", c.command());
                    m.put("Created", c.created() == null ? null : c.created().getEpochSecond());
                    m.put("State", c.state());
                    m.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
                    m.put("Exited", "exited".equals(c.state()));
                    m.put("Pid", c.lifecycle() != null && c.lifecycle().pid() != null && "running".equals(c.state()) ? c.lifecycle().pid() : 0);
                    m.put("StartedAt", c.lifecycle() != null && c.lifecycle().startedAt() != null ? c.lifecycle().startedAt().getEpochSecond() : 0);
                    m.put("ExitedAt", c.lifecycle() != null && c.lifecycle().finishedAt() != null ? c.lifecycle().finishedAt().getEpochSecond() : 0);
                    m.put("Status", PsFilter.status(c));
                    m.put("Labels", c.lifecycle() != null && c.lifecycle().config() != null ? c.lifecycle().config().labels() : null);
                    out.add(m);
                }
                jpod.out.println(Formats.json(out));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"});
            for (ContainerRecord c : list) {
                String id = noTrunc ? c.id() : c.id().substring(0, 12);
                if (quiet) {
                    jpod.out.println(id);
                    continue;
                }
                String status = PsFilter.status(c);
                rows.add(new String[]{id, c.imageName(), String.join(" ", c.command()), Formats.ago(c.created()), status, c.name()});
            }
            if (!quiet) {
                jpod.out.print(Formats.table(rows));
            }
            return 0;
        }
    }

    private static String capitalise(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
