package io.jpod.cli;

import io.jpod.storage.ContainerState;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerListOptions;
import io.jpod.engine.container.ContainerListReport;
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

    /** podman lists containers of other tools (buildah) too; jpod's store holds only its own, so this lists what ps lists. */
    @Option(names = "--external", description = "Also containers created by other tools (jpod's store has none: the same list)")
    boolean external;

    @Option(names = "--no-trunc", description = "Do not truncate ids")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "FORMAT", description = "json, table (default), or a Go template: {{.ID}} {{.Names}} {{.Image}} "
            + "{{.Command}} {{.Status}} {{.State}} {{.CreatedAt}} {{.RunningFor}} {{.Ports}} {{.Labels}}… ('table' before it adds a header)")
    String format;

    @Option(names = {"-l", "--latest"}, description = "Only the container created last (running or not)")
    boolean latest;

    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "Only the N containers created last (running or not)")
    Integer last;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only matching containers: status=, name=, id=, label=, exited=, ancestor=, before=, since= "
            + "(repeatable: values of one key are alternatives, different keys must all match)")
    List<String> filters = new ArrayList<>();

    @Option(names = {"-p", "--pod"}, description = "Show the pod of each container (POD ID and PODNAME columns)")
    boolean pod;

    @Option(names = "--noheading", description = "Do not print the header line")
    boolean noHeading;

    @Option(names = "--sort", paramLabel = "KEY", description = "Order by command, created (default, newest first), id, image, names, "
            + "runningfor or status")
    String sort = "created";

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            List<ContainerListReport> list = new ArrayList<>();
            Integer limit = latest ? Integer.valueOf(1) : last;
            List<ContainerListReport> every = engine.containers().list(new ContainerListOptions(true)); // newest first
            // pod= (a pod's name, id or id prefix; several are alternatives)
            List<String> podFilters = filters.stream().filter(f -> f.startsWith("pod=")).map(f -> f.substring(4)).toList();
            java.util.function.Predicate<ContainerListReport> filter = PsFilter.of(filters.stream().filter(f -> !f.startsWith("pod=")).toList(), every);
            if (!podFilters.isEmpty()) {
                filter = filter.and(c -> c.podName() != null
                        && podFilters.stream().anyMatch(v -> c.podName().equals(v) || c.pod().startsWith(v)));
            }
            // as podman's: only a status filter looks beyond running containers without -a
            boolean byStatus = filters.stream().anyMatch(f -> f.startsWith("status="));
            for (ContainerListReport c : every) {
                boolean shown = all || limit != null || byStatus || c.state() == ContainerState.RUNNING;
                if (shown && filter.test(c) && (limit == null || list.size() < limit)) {
                    list.add(c);
                }
            }
            list.sort(order(sort));
            OutputFormat fmt = OutputFormat.of(format).withHeader(!noHeading);
            if (fmt.isTemplate() && !quiet) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (ContainerListReport c : list) {
                    rows.add(templateRow(c));
                }
                fmt.print(jpod.out, rows, HEADERS);
                return 0;
            }
            if (fmt.isJson()) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ContainerListReport c : list) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("Id", c.id());
                    m.put("Names", c.names());
                    m.put("Image", c.image());
                    m.put("ImageID", c.imageId());
                    m.put("Command", c.command());
                    m.put("Created", c.created() == null ? null : c.created().getEpochSecond());
                    m.put("State", c.state().value());
                    m.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
                    m.put("Exited", c.state() == ContainerState.EXITED);
                    m.put("Pid", c.pid());
                    m.put("StartedAt", c.startedAt() != null ? c.startedAt().getEpochSecond() : 0);
                    m.put("ExitedAt", c.exitedAt() != null ? c.exitedAt().getEpochSecond() : 0);
                    m.put("Status", PsFilter.status(c));
                    m.put("Labels", c.labels());
                    m.put("Pod", c.pod() == null ? "" : c.pod());
                    m.put("PodName", c.podName() == null ? "" : c.podName());
                    out.add(m);
                }
                jpod.out.println(Formats.json(out));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            String[] header = pod ? new String[]{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES", "POD ID", "PODNAME"}
                    : new String[]{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"};
            rows.add(header);
            for (ContainerListReport c : list) {
                String id = noTrunc ? c.id() : c.id().substring(0, 12);
                if (quiet) {
                    jpod.out.println(id);
                    continue;
                }
                String status = withHealth(c);
                if (pod) {
                    boolean known = c.podName() != null; // a pod record that is gone shows neither
                    rows.add(new String[]{id, c.image(), String.join(" ", c.command()), Formats.ago(c.created()), status, c.name(),
                            known ? c.pod().substring(0, 12) : "", known ? c.podName() : ""});
                } else {
                    rows.add(new String[]{id, c.image(), String.join(" ", c.command()), Formats.ago(c.created()), status, c.name()});
                }
            }
            if (!quiet) {
                String table = Formats.table(rows);
                jpod.out.print(noHeading ? table.substring(table.indexOf('\n') + 1) : table);
            }
            return 0;
        }
    }

    /** podman's --sort keys: created lists the newest first (the default), the others ascend. */
    private static java.util.Comparator<ContainerListReport> order(String key) {
        java.util.Comparator<ContainerListReport> created = java.util.Comparator.comparing(
                (ContainerListReport c) -> c.created() == null ? java.time.Instant.EPOCH : c.created());
        return switch (key) {
            case "created" -> created; // podman's: oldest first
            case "runningfor" -> created.reversed();
            case "command" -> java.util.Comparator.comparing(c -> String.join(" ", c.command()));
            case "id" -> java.util.Comparator.comparing(ContainerListReport::id);
            case "image" -> java.util.Comparator.comparing(c -> String.valueOf(c.image()));
            case "names" -> java.util.Comparator.comparing(ContainerListReport::name);
            case "status" -> java.util.Comparator.comparing(c -> String.valueOf(c.state()));
            default -> throw new io.jpod.engine.EngineException("\"" + key
                    + "\" is not a valid --sort key: use command, created, id, image, names, runningfor or status");
        };
    }

    private static final Map<String, String> HEADERS = Map.of("ID", "CONTAINER ID", "Names", "NAMES", "RunningFor", "CREATED",
            "Created", "CREATED", "CreatedAt", "CREATED AT", "ImageID", "IMAGE ID");

    /** podman's STATUS, with the health after it when the container has a check: "Up 5 seconds (healthy)". */
    private static String withHealth(ContainerListReport c) {
        return PsFilter.status(c) + (c.health() == null ? "" : " (" + c.health() + ")");
    }

    /** The placeholders podman's `ps --format` offers (its psReporter), by the same names. */
    private Map<String, Object> templateRow(ContainerListReport c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", noTrunc ? c.id() : c.id().substring(0, 12));
        m.put("Names", c.name());
        m.put("Image", c.image());
        m.put("ImageID", c.imageId() == null ? "" : c.imageId().replaceFirst("^sha256:", ""));
        m.put("Command", String.join(" ", c.command()));
        m.put("CreatedAt", c.created() == null ? "" : Formats.goTime(c.created()));
        m.put("Created", Formats.ago(c.created()));
        m.put("RunningFor", Formats.ago(c.created()));
        m.put("Status", withHealth(c));
        m.put("State", c.state().value());
        m.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
        m.put("Exited", c.state() == ContainerState.EXITED);
        m.put("Pid", c.pid());
        m.put("StartedAt", c.startedAt() != null ? Formats.goTime(c.startedAt()) : "");
        m.put("ExitedAt", c.exitedAt() != null ? Formats.goTime(c.exitedAt()) : "");
        m.put("Labels", c.labels() != null ? c.labels() : Map.of());
        List<String> ports = new ArrayList<>();
        for (var p : c.ports()) {
            ports.add(p.hostIp() + ":" + p.hostPort() + "->" + p.containerPort() + "/" + p.protocol());
        }
        m.put("Ports", String.join(", ", ports));
        m.put("Pod", c.pod() == null ? "" : c.pod().substring(0, 12));
        m.put("PodName", c.podName() == null ? "" : c.podName());
        return m;
    }
}
