package io.jpod.cli;

import io.jpod.engine.pod.PodService;
import io.jpod.engine.pod.PodStopOptions;
import io.jpod.engine.pod.PodKillOptions;
import io.jpod.engine.pod.PodRemoveOptions;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchPodException;
import io.jpod.engine.pod.PodCreateRequest;
import io.jpod.engine.pod.PodCreateReport;
import io.jpod.engine.pod.PodListReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `jpod pod …`: podman's pods (a shared network, IPC and UTS namespace held by an infra process). */
@Command(name = "pod", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manage pods.",
        subcommands = {PodCommand.Create.class, PodCommand.Ps.class, PodCommand.Inspect.class, PodCommand.Start.class,
                PodCommand.Stop.class, PodCommand.Restart.class, PodCommand.Kill.class, PodCommand.Rm.class,
                PodCommand.Prune.class, PodCommand.Exists.class, PodCommand.Top.class, PodCommand.Stats.class})
public final class PodCommand extends CommandGroup {
    public PodCommand() {
        super("create, ps, inspect, start, stop, restart, kill, rm, prune, exists, top or stats");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a new empty pod.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "NAME")
        String positionalName;

        @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The pod's name (default: generated)")
        String name;

        @Option(names = {"-p", "--publish"}, paramLabel = "[IP:][HOSTPORT:]PORT[/PROTO]", description = "Publish a port of the pod on the host")
        List<String> publish = new ArrayList<>();

        @Option(names = "--share", paramLabel = "NAMESPACES", description = "Namespaces the pod's containers share: net, ipc, uts, pid, none "
                + "(default: ipc,net,uts; +NS adds to it)")
        String share;

        @Option(names = "--hostname", paramLabel = "NAME", description = "The pod's host name (default: its name)")
        String hostname;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label")
        List<String> labels = new ArrayList<>();

        @Option(names = "--infra", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Create an infra (default true)")
        boolean infra = true;

        @Option(names = "--infra-command", paramLabel = "COMMAND", description = "The infra process's name (it only holds the namespaces)")
        String infraCommand;

        @Option(names = "--infra-image", paramLabel = "IMAGE", description = "The infra container's image (default: jpod's pause image, built on first need)")
        String infraImage;

        @Option(names = "--infra-name", paramLabel = "NAME", description = "The infra's name (ps, /etc/hosts; default: ID-infra)")
        String infraName;

        @Option(names = "--add-host", paramLabel = "HOST:IP", description = "Add a line to the pod's /etc/hosts")
        List<String> addHosts = new ArrayList<>();

        @Option(names = "--dns", paramLabel = "IP", description = "DNS server of the pod")
        List<String> dns = new ArrayList<>();

        @Option(names = {"--network", "--net"}, paramLabel = "MODE", description = "The pod's network: slirp4netns[:OPTIONS] (default), pasta, host, none, or user networks NAME[,NAME…] (found by the pod's name)")
        String network;

        @Option(names = "--userns", paramLabel = "MODE", description = "host (default)")
        String userns;

        @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit of the pod's cgroup (its containers together)")
        String memory;

        @Option(names = "--cpus", paramLabel = "N", description = "CPU limit of the pod's cgroup (its containers together)")
        String cpus;

        @Option(names = "--exit-policy", paramLabel = "POLICY", description = "continue (default): the infra keeps running when every container "
                + "has exited; stop: it stops then")
        String exitPolicy;

        @Option(names = "--replace", description = "Remove a pod of the same name (and its containers) first")
        boolean replace;

        @Override
        public Integer call() {
            if (name != null && positionalName != null && !name.equals(positionalName)) {
                throw new EngineException("cannot specify --name and a name argument: give the pod's name once");
            }
            List<String> cmd = new ArrayList<>(List.of("jpod"));
            cmd.addAll(spec.root().commandLine().getParseResult().originalArgs());
            List<String> infraCmd = infraCommand == null ? List.of() : List.of(infraCommand);
            try (Engine engine = parent.jpod.engine()) {
                PodCreateReport pod = engine.pods().create(new PodCreateRequest(name != null ? name : positionalName, publish, share, hostname,
                        LabelArgs.sorted(labels), infra, infraCmd, addHosts, dns, network, userns, cmd, memory, cpus, exitPolicy, replace, infraName)
                        .withInfraImage(infraImage), ImageCli.progressWhenPulling(parent.jpod)); // a missing --infra-image is pulled
                parent.jpod.out.println(pod.id());
            }
            return 0;
        }
    }

    @Command(name = "ps", aliases = {"ls", "list"}, mixinStandardHelpOptions = true, description = {"List pods.",
            "Template fields: {{.ID}} {{.Name}} {{.Status}} {{.Created}} {{.InfraID}} {{.NumberOfContainers}} {{.Labels}} "
                    + "{{.ContainerNames}} {{.ContainerIds}} {{.ContainerStatuses}}; -q prints the ids.",
            "Filters: id=, name=, label=, status=, ctr-names=, ctr-ids=, ctr-number=."})
    static final class Ps implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @Mixin
        ListOptions list;

        @Option(names = "--no-trunc", description = "Do not truncate ids")
        boolean noTrunc;

        @Option(names = "--sort", paramLabel = "KEY", description = "created (default, newest first), id, name, number or status")
        String sort = "created";

        @Option(names = {"-l", "--latest"}, description = "Only the pod created last")
        boolean latest;

        @Override
        public Integer call() {
            OutputFormat fmt = list.outputFormat();
            try (Engine engine = parent.jpod.engine()) {
                PodService pods = engine.pods();
                List<PodListReport> rows = pods.listReports();
                java.util.function.Predicate<PodListReport> filter = Filters.of(list.filters, "id, name, label, status, ctr-names, ctr-ids or ctr-number",
                        java.util.Set.of("label"), Ps::filter);
                rows = new ArrayList<>(rows.stream().filter(filter).toList());
                rows.sort(switch (sort) {
                    case "created" -> java.util.Comparator.comparing(PodListReport::created).reversed();
                    case "id" -> java.util.Comparator.comparing(PodListReport::id);
                    case "name" -> java.util.Comparator.comparing(PodListReport::name);
                    case "number" -> java.util.Comparator.comparing((PodListReport r) -> r.containers().size());
                    case "status" -> java.util.Comparator.comparing((PodListReport r) -> r.state());
                    default -> throw new EngineException("invalid option for --sort, options are: created, id, name, number, or status");
                });
                if (latest && rows.size() > 1) {
                    rows = new ArrayList<>(rows.subList(0, 1));
                }
                if (list.quiet) {
                    rows.forEach(r -> parent.jpod.out.println(noTrunc ? r.id() : r.id().substring(0, 12)));
                    return 0;
                }
                if (fmt.isJson()) {
                    List<Object> out = new ArrayList<>();
                    rows.forEach(r -> out.add(PodRows.json(r)));
                    parent.jpod.out.println(Formats.json(out));
                    return 0;
                }
                List<Map<String, Object>> data = new ArrayList<>();
                rows.forEach(r -> data.add(PodRows.template(r, noTrunc)));
                if (fmt.isTemplate()) {
                    fmt.print(parent.jpod.out, data, HEADERS);
                    return 0;
                }
                List<String[]> table = new ArrayList<>();
                table.add(new String[]{"POD ID", "NAME", "STATUS", "CREATED", "INFRA ID", "# OF CONTAINERS"});
                for (Map<String, Object> m : data) {
                    table.add(new String[]{(String) m.get("ID"), (String) m.get("Name"), (String) m.get("Status"), (String) m.get("Created"),
                            (String) m.get("InfraID"), String.valueOf(m.get("NumberOfContainers"))});
                }
                list.printTable(parent.jpod.out, table);
            }
            return 0;
        }

        private static final Map<String, String> HEADERS = Map.of("ID", "POD ID", "InfraID", "INFRA ID",
                "NumberOfContainers", "# OF CONTAINERS", "ContainerIds", "IDS", "ContainerNames", "NAMES", "ContainerStatuses", "STATUS");

        private static java.util.function.Predicate<PodListReport> filter(String key, String value) {
            return switch (key) {
                case "id" -> r -> r.id().startsWith(value);
                case "name" -> r -> r.name().matches(".*" + value + ".*");
                case "label" -> {
                    int eq = value.indexOf('=');
                    String k = eq < 0 ? value : value.substring(0, eq);
                    yield r -> r.labels().containsKey(k) && (eq < 0 || r.labels().get(k).equals(value.substring(eq + 1)));
                }
                case "status" -> {
                    List<String> ok = List.of("stopped", "running", "paused", "exited", "dead", "created", "degraded");
                    if (!ok.contains(value)) {
                        throw new EngineException("pod status must be one of: stopped, running, paused, exited, dead, created, degraded");
                    }
                    yield r -> r.state().equalsIgnoreCase(value);
                }
                case "ctr-names" -> r -> r.containers().stream().anyMatch(c -> c.name().matches(".*" + value + ".*"));
                case "ctr-ids" -> r -> r.containers().stream().anyMatch(c -> c.id().startsWith(value));
                case "ctr-number" -> r -> Integer.toString(r.containers().size() + (r.infraId() == null ? 0 : 1)).equals(value);
                default -> throw new EngineException(key + " is an invalid filter");
            };
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Display a pod's configuration.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @Parameters(arity = "1..*", paramLabel = "POD")
        List<String> pods;

        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default) or a Go template")
        String format;

        @Override
        public Integer call() {
            OutputFormat fmt = OutputFormat.of(format, "json");
            try (Engine engine = parent.jpod.engine()) {
                PodService p = engine.pods();
                List<Map<String, Object>> out = new ArrayList<>();
                for (String name : pods) {
                    out.add(p.inspect(name));
                }
                if (fmt.isTemplate()) {
                    fmt.print(parent.jpod.out, out, Map.of());
                } else {
                    for (Map<String, Object> m : out) {
                        parent.jpod.out.println(Formats.json(m));
                    }
                }
            } catch (NoSuchPodException e) {
                throw new EngineException("inspecting object: no such pod " + e.getMessage().replaceFirst("^no pod with name or ID (.*) found: no such pod$", "$1"));
            }
            return 0;
        }
    }

    /** The pod commands that act on each named pod (or all with -a) and print each one's id. */
    abstract static class EachPod implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @Parameters(arity = "0..*", paramLabel = "POD")
        List<String> names = new ArrayList<>();

        @Option(names = {"-a", "--all"}, description = "All pods")
        boolean all;

        @Option(names = {"-l", "--latest"}, description = "The pod created last")
        boolean latest;

        /** @param id the pod's full id */
        abstract void act(PodService pods, String id);

        /** Checks the options before any pod is looked up (podman's order: a bad signal is said first). */
        void check() {
        }

        /** The exit code when a named pod does not exist. */
        int missingCode() {
            return 125;
        }

        boolean ignoreMissing() {
            return false;
        }

        @Override
        public Integer call() {
            check();
            if (!all && !latest && names.isEmpty()) {
                throw new EngineException("you must provide at least one name or id");
            }
            if ((all || latest) && !names.isEmpty() || all && latest) { // podman's words, as for containers
                throw new EngineException(ContainerTargets.together(all, latest, !names.isEmpty(), "pods"));
            }
            int code = 0;
            try (Engine engine = parent.jpod.engine()) {
                PodService pods = engine.pods();
                List<String> targets = new ArrayList<>();
                if (all || latest) {
                    List<String> ids = pods.listReports().stream().map(PodListReport::id).toList(); // newest first
                    targets.addAll(latest && !ids.isEmpty() ? ids.subList(0, 1) : ids);
                }
                for (String n : names) {
                    try {
                        targets.add(pods.lookup(n).id());
                    } catch (NoSuchPodException e) {
                        if (!ignoreMissing()) {
                            Main.report(e, parent.jpod.err);
                            code = missingCode();
                        }
                    }
                }
                for (String id : targets) {
                    try {
                        act(pods, id);
                        parent.jpod.out.println(id);
                    } catch (EngineException | io.jpod.storage.StorageException e) {
                        Main.report(e, parent.jpod.err);
                        code = 125;
                    }
                }
            }
            return code;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start pods.")
    static final class Start extends EachPod {
        @Override
        void act(PodService pods, String id) {
            pods.start(id);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop pods.")
    static final class Stop extends EachPod {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before killing the containers (default: each one's stop timeout)")
        Integer time;

        @Option(names = {"-i", "--ignore"}, description = "Ignore pods that do not exist")
        boolean ignore;

        @Override
        boolean ignoreMissing() {
            return ignore;
        }

        @Override
        void act(PodService pods, String id) {
            pods.stop(id, new PodStopOptions(time));
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart pods.")
    static final class Restart extends EachPod {
        @Override
        void act(PodService pods, String id) {
            pods.restart(id);
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal to the containers of pods.")
    static final class Kill extends EachPod {
        @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "The signal (default: KILL)")
        String signal = "KILL";

        @Override
        void check() {
            io.jpod.engine.container.Signals.parse(signal);
        }

        @Override
        void act(PodService pods, String id) {
            pods.kill(id, new PodKillOptions(signal));
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove pods and their containers.")
    static final class Rm extends EachPod {
        @Option(names = {"-f", "--force"}, description = "Stop running containers first")
        boolean force;

        @Option(names = {"-i", "--ignore"}, description = "Ignore pods that do not exist")
        boolean ignore;

        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait for containers to stop with -f (default 10)")
        int time = 10;

        @Override
        int missingCode() {
            return 1; // podman's
        }

        @Override
        boolean ignoreMissing() {
            return ignore || force; // podman's -f, as rm -f of a container: a pod that is not there is no error
        }

        @Override
        void act(PodService pods, String id) {
            pods.remove(id, new PodRemoveOptions(force, time));
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove every pod that is not running.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation")
        boolean force;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                engine.pods().prune().forEach(parent.jpod.out::println);
            }
            return 0;
        }
    }

    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the pod exists, 1 if not.")
    static final class Exists extends ExistsCommand {
        @Parameters(index = "0", paramLabel = "POD")
        String name;

        @Override
        boolean exists(Engine engine) {
            return engine.pods().exists(name);
        }
    }

    @Command(name = "top", mixinStandardHelpOptions = true, description = "Show the processes of a pod's running containers.")
    static final class Top implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @Parameters(index = "0", paramLabel = "POD")
        String name;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                parent.jpod.out.print(Formats.table(engine.pods().top(name)));
            }
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Resource use of a pod's running containers (once).")
    static final class Stats implements Callable<Integer> {
        @ParentCommand
        PodCommand parent;

        @Parameters(arity = "0..*", paramLabel = "POD")
        List<String> names = new ArrayList<>();

        @Option(names = {"-a", "--all"}, description = "All pods")
        boolean all;

        @Option(names = "--no-stream", description = "One sample (the only mode jpod has for pods)")
        boolean noStream;

        @Option(names = "--format", paramLabel = "FORMAT", description = "json, table (default) or a Go template")
        String format;

        @Override
        public Integer call() {
            OutputFormat fmt = OutputFormat.of(format);
            try (Engine engine = parent.jpod.engine()) {
                PodService pods = engine.pods();
                List<String> targets = new ArrayList<>(names);
                if (all || targets.isEmpty()) {
                    pods.listReports().forEach(p -> targets.add(p.id()));
                }
                List<Map<String, Object>> rows = new ArrayList<>();
                for (String t : targets) {
                    rows.addAll(pods.stats(t));
                }
                if (fmt.isJson()) {
                    parent.jpod.out.println(Formats.json(rows));
                } else if (fmt.isTemplate()) {
                    fmt.print(parent.jpod.out, rows, Map.of());
                } else {
                    List<String[]> table = new ArrayList<>();
                    table.add(new String[]{"POD", "CID", "NAME", "CPU %", "MEM USAGE/ LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS"});
                    for (Map<String, Object> r : rows) {
                        table.add(new String[]{str(r, "Pod"), str(r, "id"), str(r, "name"), str(r, "cpu_percent"), str(r, "mem_usage"),
                                str(r, "mem_percent"), str(r, "net_io"), str(r, "block_io"), str(r, "pids")});
                    }
                    parent.jpod.out.print(Formats.table(table));
                }
            }
            return 0;
        }

        private static String str(Map<String, Object> m, String key) {
            Object v = m.get(key);
            return v == null ? "--" : v.toString();
        }
    }
}
