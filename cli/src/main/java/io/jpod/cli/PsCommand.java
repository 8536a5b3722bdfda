package io.jpod.cli;

import io.jpod.storage.ContainerState;
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
            List<ContainerRecord> list = new ArrayList<>();
            Integer limit = latest ? Integer.valueOf(1) : last;
            List<ContainerRecord> every = engine.containers().list(); // newest first
            // pod= (a pod's name, id or id prefix; several are alternatives) needs the pods: resolved here
            List<String> podFilters = filters.stream().filter(f -> f.startsWith("pod=")).map(f -> f.substring(4)).toList();
            Map<String, io.jpod.storage.PodRecord> pods = new java.util.HashMap<>();
            if (pod || !podFilters.isEmpty() || every.stream().anyMatch(c -> io.jpod.engine.pod.Pods.podOf(c) != null)) {
                engine.pods().list().forEach(p -> pods.put(p.id(), p));
            }
            java.util.function.Predicate<ContainerRecord> filter = PsFilter.of(filters.stream().filter(f -> !f.startsWith("pod=")).toList(), every);
            if (!podFilters.isEmpty()) {
                filter = filter.and(c -> {
                    io.jpod.storage.PodRecord p = pods.get(io.jpod.engine.pod.Pods.podOf(c));
                    return p != null && podFilters.stream().anyMatch(v -> p.name().equals(v) || p.id().startsWith(v));
                });
            }
            // as podman's: only a status filter looks beyond running containers without -a
            boolean byStatus = filters.stream().anyMatch(f -> f.startsWith("status="));
            for (ContainerRecord c : every) {
                boolean shown = all || limit != null || byStatus || c.state() == ContainerState.RUNNING;
                if (shown && filter.test(c) && (limit == null || list.size() < limit)) {
                    list.add(c);
                }
            }
            list.sort(order(sort));
            OutputFormat fmt = OutputFormat.of(format).withHeader(!noHeading);
            if (fmt.isTemplate() && !quiet) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (ContainerRecord c : list) {
                    rows.add(templateRow(engine, c, pods));
                }
                fmt.print(jpod.out, rows, HEADERS);
                return 0;
            }
            if (fmt.isJson()) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ContainerRecord c : list) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("Id", c.id());
                    m.put("Names", List.of(c.name()));
                    m.put("Image", c.imageName());
                    m.put("ImageID", c.imageId());
                    m.put("Command", c.command());
                    m.put("Created", c.created() == null ? null : c.created().getEpochSecond());
                    m.put("State", c.state().value());
                    m.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
                    m.put("Exited", c.state() == ContainerState.EXITED);
                    m.put("Pid", c.lifecycle() != null && c.lifecycle().pid() != null && c.state() == ContainerState.RUNNING ? c.lifecycle().pid() : 0);
                    m.put("StartedAt", c.lifecycle() != null && c.lifecycle().startedAt() != null ? c.lifecycle().startedAt().getEpochSecond() : 0);
                    m.put("ExitedAt", c.lifecycle() != null && c.lifecycle().finishedAt() != null ? c.lifecycle().finishedAt().getEpochSecond() : 0);
                    m.put("Status", PsFilter.status(c));
                    m.put("Labels", c.lifecycle() != null && c.lifecycle().config() != null ? c.lifecycle().config().labels() : null);
                    String podId = io.jpod.engine.pod.Pods.podOf(c);
                    m.put("Pod", podId == null ? "" : podId);
                    m.put("PodName", podId == null || !pods.containsKey(podId) ? "" : pods.get(podId).name());
                    out.add(m);
                }
                jpod.out.println(Formats.json(out));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            String[] header = pod ? new String[]{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES", "POD ID", "PODNAME"}
                    : new String[]{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"};
            rows.add(header);
            for (ContainerRecord c : list) {
                String id = noTrunc ? c.id() : c.id().substring(0, 12);
                if (quiet) {
                    jpod.out.println(id);
                    continue;
                }
                String status = withHealth(engine, c);
                if (pod) {
                    io.jpod.storage.PodRecord p = pods.get(io.jpod.engine.pod.Pods.podOf(c));
                    rows.add(new String[]{id, c.imageName(), String.join(" ", c.command()), Formats.ago(c.created()), status, c.name(),
                            p == null ? "" : p.id().substring(0, 12), p == null ? "" : p.name()});
                } else {
                    rows.add(new String[]{id, c.imageName(), String.join(" ", c.command()), Formats.ago(c.created()), status, c.name()});
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
    private static java.util.Comparator<ContainerRecord> order(String key) {
        java.util.Comparator<ContainerRecord> created = java.util.Comparator.comparing(
                (ContainerRecord c) -> c.created() == null ? java.time.Instant.EPOCH : c.created());
        return switch (key) {
            case "created" -> created; // podman's: oldest first
            case "runningfor" -> created.reversed();
            case "command" -> java.util.Comparator.comparing(c -> String.join(" ", c.command()));
            case "id" -> java.util.Comparator.comparing(ContainerRecord::id);
            case "image" -> java.util.Comparator.comparing(c -> String.valueOf(c.imageName()));
            case "names" -> java.util.Comparator.comparing(ContainerRecord::name);
            case "status" -> java.util.Comparator.comparing(c -> String.valueOf(c.state()));
            default -> throw new io.jpod.engine.EngineException("\"" + key
                    + "\" is not a valid --sort key: use command, created, id, image, names, runningfor or status");
        };
    }

    private static final Map<String, String> HEADERS = Map.of("ID", "CONTAINER ID", "Names", "NAMES", "RunningFor", "CREATED",
            "Created", "CREATED", "CreatedAt", "CREATED AT", "ImageID", "IMAGE ID");

    /** podman's STATUS, with the health after it when the container has a check: "Up 5 seconds (healthy)". */
    private static String withHealth(Engine engine, ContainerRecord c) {
        String health = c.state() == ContainerState.RUNNING ? engine.health(c) : null;
        return PsFilter.status(c) + (health == null ? "" : " (" + health + ")");
    }

    /** The placeholders podman's `ps --format` offers (its psReporter), by the same names. */
    private Map<String, Object> templateRow(Engine engine, ContainerRecord c, Map<String, io.jpod.storage.PodRecord> pods) {
        var lc = c.lifecycle();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", noTrunc ? c.id() : c.id().substring(0, 12));
        m.put("Names", c.name());
        m.put("Image", c.imageName());
        m.put("ImageID", c.imageId() == null ? "" : c.imageId().replaceFirst("^sha256:", ""));
        m.put("Command", String.join(" ", c.command()));
        m.put("CreatedAt", c.created() == null ? "" : Formats.goTime(c.created()));
        m.put("Created", Formats.ago(c.created()));
        m.put("RunningFor", Formats.ago(c.created()));
        m.put("Status", withHealth(engine, c));
        m.put("State", c.state().value());
        m.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
        m.put("Exited", c.state() == ContainerState.EXITED);
        m.put("Pid", lc != null && lc.pid() != null && c.state() == ContainerState.RUNNING ? lc.pid() : 0);
        m.put("StartedAt", lc != null && lc.startedAt() != null ? Formats.goTime(lc.startedAt()) : "");
        m.put("ExitedAt", lc != null && lc.finishedAt() != null ? Formats.goTime(lc.finishedAt()) : "");
        m.put("Labels", lc != null && lc.config() != null && lc.config().labels() != null ? lc.config().labels() : Map.of());
        List<String> ports = new ArrayList<>();
        for (var p : engine.ports(c.id())) {
            ports.add(p.hostIp() + ":" + p.hostPort() + "->" + p.containerPort() + "/" + p.protocol());
        }
        m.put("Ports", String.join(", ", ports));
        String podId = io.jpod.engine.pod.Pods.podOf(c);
        io.jpod.storage.PodRecord p = podId == null ? null : pods.get(podId);
        m.put("Pod", podId == null ? "" : podId.substring(0, 12));
        m.put("PodName", p == null ? "" : p.name());
        return m;
    }
}
