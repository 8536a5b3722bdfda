package io.jpod.cli;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.network.NetworkConnectOptions;
import io.jpod.engine.network.NetworkCreateOptions;
import io.jpod.engine.network.NetworkRemoveOptions;
import io.jpod.engine.network.NetworkReport;
import io.jpod.engine.network.NetworkInUseException;
import io.jpod.engine.network.NetworkService;
import io.jpod.engine.network.NoSuchNetworkException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** `jpod network create|ls|inspect|rm|prune|exists`: podman 4's user-defined bridge networks. */
@Command(name = "network", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manage networks.",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class,
                NetworkCommand.Rm.class, NetworkCommand.Prune.class, NetworkCommand.Exists.class,
                NetworkCommand.Connect.class, NetworkCommand.Disconnect.class, NetworkCommand.Reload.class})
public final class NetworkCommand extends CommandGroup {
    /** podman's JSON names and time format (RFC 3339 with nanoseconds). */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public NetworkCommand() {
        super("create, ls, inspect, rm, prune or exists");
    }

    static JsonNode json(NetworkReport r) {
        return JSON.valueToTree(r);
    }

    /** The Go field names podman's templates see ({@code .NetworkInterface}, {@code .DNSEnabled}); ls shortens the id and joins labels. */
    static Map<String, Object> templateFields(NetworkReport r, boolean listing) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", r.name());
        m.put("ID", listing ? r.id().substring(0, 12) : r.id());
        m.put("Driver", r.driver());
        m.put("NetworkInterface", r.networkInterface());
        m.put("Created", Formats.goTime(r.created()));
        List<Map<String, Object>> subnets = new ArrayList<>(); // podman's Go names: {{range .Subnets}}{{.Gateway}}{{end}}
        for (NetworkReport.Subnet s : r.subnets()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("Subnet", s.subnet());
            sm.put("Gateway", s.gateway());
            Map<String, Object> range = null;
            if (s.leaseRange() != null) {
                range = new LinkedHashMap<>();
                range.put("StartIP", s.leaseRange().startIp());
                range.put("EndIP", s.leaseRange().endIp());
            }
            sm.put("LeaseRange", range);
            subnets.add(sm);
        }
        m.put("Subnets", subnets);
        m.put("IPv6Enabled", r.ipv6Enabled());
        m.put("Internal", r.internal());
        m.put("DNSEnabled", r.dnsEnabled());
        if (listing) {
            List<String> l = new ArrayList<>();
            new TreeMap<>(r.labels()).forEach((k, v) -> l.add(k + "=" + v));
            m.put("Labels", String.join(",", l));
        } else {
            m.put("Labels", new TreeMap<>(r.labels()));
        }
        m.put("Options", new TreeMap<>(r.options()));
        m.put("IPAMOptions", new TreeMap<>(r.ipamOptions()));
        return m;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a bridge network (a name podmanN if none given).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Parameters(arity = "0..1", paramLabel = "NAME")
        String name;

        @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "Driver: bridge (the only one)")
        String driver;

        @Option(names = "--subnet", paramLabel = "CIDR", description = "The network's subnet (default: a free 10.89.N.0/24)")
        List<String> subnets = new ArrayList<>();

        @Option(names = "--gateway", paramLabel = "IP", description = "The bridge's address (default: the subnet's first)")
        List<String> gateways = new ArrayList<>();

        @Option(names = "--ip-range", paramLabel = "CIDR", description = "Lease container addresses from this part of the subnet")
        List<String> ipRanges = new ArrayList<>();

        @Option(names = "--internal", description = "No route out of the network")
        boolean internal;

        @Option(names = "--disable-dns", description = "No name resolution of containers on the network")
        boolean disableDns;

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set a label")
        List<String> labels = new ArrayList<>();

        @Option(names = {"-o", "--opt"}, paramLabel = "KEY=VALUE", description = "Driver option: mtu=N")
        List<String> opts = new ArrayList<>();

        @Option(names = "--ipam-driver", paramLabel = "DRIVER", description = "IP address management: host-local (the only one)")
        String ipamDriver;

        @Option(names = "--ipv6", description = "Dual stack: an IPv6 subnet too (a random fd00::/8 /64 unless --subnet gives one)")
        boolean ipv6;

        @Override
        public Integer call() {
            if (ipamDriver != null && !ipamDriver.equals("host-local")) {
                throw new EngineException("unsupported ipam driver \"" + ipamDriver + "\"");
            }
            try (Engine engine = parent.jpod.engine()) {
                NetworkReport r = engine.networks().create(new NetworkCreateOptions(name, driver, subnets, gateways, ipRanges,
                        internal, disableDns, LabelArgs.sorted(labels), LabelArgs.sorted(opts), ipv6));
                parent.jpod.out.println(r.name());
            }
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = {"List networks.",
            "Template fields: {{.ID}} {{.Name}} {{.Driver}} {{.NetworkInterface}} {{.Created}} {{.Labels}} {{.Internal}} "
                    + "{{.DNSEnabled}} {{.IPv6Enabled}}; -q prints the names.",
            "Filters: name=REGEX, id=PREFIX, driver=, label=KEY[=VALUE], label!=…, dangling=true|false, until=TIME."})
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Mixin
        ListOptions list;

        @Override
        public Integer call() {
            OutputFormat fmt = list.outputFormat();
            try (Engine engine = parent.jpod.engine()) {
                NetworkService n = engine.networks();
                List<NetworkReport> all = n.list(filter(n, list.filters));
                if (fmt.isJson()) {
                    List<Object> out = new ArrayList<>();
                    all.forEach(r -> out.add(json(r)));
                    parent.jpod.out.println(Formats.json(out));
                } else if (list.quiet) {
                    all.forEach(r -> parent.jpod.out.println(r.name()));
                } else if (fmt.isTemplate()) {
                    List<Object> out = new ArrayList<>();
                    all.forEach(r -> out.add(templateFields(r, true)));
                    fmt.print(parent.jpod.out, out, Map.of("ID", "NETWORK ID"));
                } else {
                    List<String[]> rows = new ArrayList<>();
                    if (!list.noHeading) {
                        rows.add(new String[] {"NETWORK ID", "NAME", "DRIVER"});
                    }
                    all.forEach(r -> rows.add(new String[] {r.id().substring(0, 12), r.name(), r.driver()}));
                    parent.jpod.out.print(tabwriter(rows));
                }
            }
            return 0;
        }
    }

    /** Go's tabwriter as podman sets it up: cells at least 12 wide, 2 spaces of padding, the last column unpadded. */
    static String tabwriter(List<String[]> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], Math.max(12, r[i].length() + 2));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) {
                    sb.append(" ".repeat(width[i] - r[i].length()));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** `network ls --filter` as podman reads it; unknown keys are podman's "invalid filter". */
    static Predicate<NetworkReport> filter(NetworkService networks, List<String> filters) {
        Map<String, List<Predicate<NetworkReport>>> byKey = new LinkedHashMap<>();
        for (String f : filters) {
            int eq = f.indexOf('=');
            String key = eq < 0 ? f : f.substring(0, eq);
            String value = eq < 0 ? "" : f.substring(eq + 1);
            Predicate<NetworkReport> p = switch (key) {
                case "name" -> {
                    Pattern re = regex(key, value);
                    yield r -> re.matcher(r.name()).find();
                }
                case "id" -> r -> r.id().startsWith(value);
                case "driver" -> r -> r.driver().equals(value);
                case "label" -> label(value);
                case "label!" -> label(value).negate();
                case "dangling" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new EngineException("invalid dangling filter value \"" + value + "\"");
                    }
                    boolean dangling = value.equals("true");
                    yield r -> networks.containers(r.name()).isEmpty() == dangling;
                }
                case "until" -> {
                    Instant until = until(value);
                    yield r -> r.created().isBefore(until);
                }
                default -> throw new EngineException("invalid filter \"" + key + "\"");
            };
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        return r -> byKey.entrySet().stream().allMatch(e -> e.getKey().startsWith("label")
                ? e.getValue().stream().allMatch(p -> p.test(r))
                : e.getValue().stream().anyMatch(p -> p.test(r)));
    }

    private static Pattern regex(String key, String value) {
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new EngineException("invalid filter \"" + key + "=" + value + "\": not a regular expression: " + e.getDescription());
        }
    }

    private static Predicate<NetworkReport> label(String value) {
        int eq = value.indexOf('=');
        String k = eq < 0 ? value : value.substring(0, eq);
        return r -> r.labels().containsKey(k) && (eq < 0 || r.labels().get(k).equals(value.substring(eq + 1)));
    }

    /** until= a Unix time, an RFC 3339 time, or a duration ago (10m, 1h30m). */
    static Instant until(String value) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(value));
        } catch (NumberFormatException e) {
            // not seconds
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            // not a time
        }
        try {
            return Instant.now().minus(Duration.parse("PT" + value.toUpperCase(java.util.Locale.ROOT)));
        } catch (java.time.format.DateTimeParseException e) {
            throw new EngineException("invalid filter \"until=" + value + "\": give a Unix time, an RFC 3339 time or a duration such as 10m");
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show networks as JSON.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        List<String> names;

        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "json (default) or a Go template, e.g. '{{.Subnets}}'")
        String format;

        @Override
        public Integer call() {
            OutputFormat fmt = OutputFormat.of(format);
            try (Engine engine = parent.jpod.engine()) {
                NetworkService n = engine.networks();
                List<Object> found = new ArrayList<>();
                List<Object> fields = new ArrayList<>();
                EngineException missing = null;
                for (String name : names) {
                    var r = n.find(name);
                    if (r.isPresent()) {
                        found.add(json(r.get()));
                        fields.add(templateFields(r.get(), false));
                    } else if (missing == null) {
                        missing = new EngineException("inspecting object: network " + name
                                + ": unable to find network with name or ID " + name + ": network not found");
                    }
                }
                if (fmt.isTemplate()) {
                    fmt.print(parent.jpod.out, fields, Map.of());
                } else {
                    parent.jpod.out.println(found.isEmpty() ? "[]" : Formats.json(found));
                }
                if (missing != null) {
                    throw missing;
                }
            }
            return 0;
        }
    }

    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the network exists, 1 if not.")
    static final class Exists extends ExistsCommand {
        @Parameters(index = "0", paramLabel = "NETWORK")
        String name;

        @Override
        boolean exists(Engine engine) {
            return engine.networks().find(name).isPresent();
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove networks.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Option(names = {"-f", "--force"}, description = "Remove the containers on the network too; a network that does not exist is no error")
        boolean force;

        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait for a container to stop before killing it (with -f)")
        int time;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() {
            int status = 0;
            try (Engine engine = parent.jpod.engine()) {
                for (String n : names) {
                    try {
                        parent.jpod.out.println(engine.networks().remove(n, new NetworkRemoveOptions(force, time)).name());
                    } catch (EngineException e) {
                        if (force && e instanceof NoSuchNetworkException) {
                            continue; // as podman's: --force asks that the network be gone, and it is
                        }
                        Main.report(e, parent.jpod.err);
                        status = e instanceof NoSuchNetworkException ? 1
                                : e instanceof NetworkInUseException ? 2 : Main.EXIT_ENGINE;
                    }
                }
            }
            return status;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove every network no container uses.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation")
        boolean force;

        @Option(names = "--filter", paramLabel = "KEY=VALUE", description = "Only networks matching: until=TIME, label=KEY[=VALUE], label!=…")
        List<String> filters = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            for (String f : filters) {
                String key = f.contains("=") ? f.substring(0, f.indexOf('=')) : f;
                if (!Set.of("until", "label", "label!").contains(key)) {
                    throw new EngineException("invalid filter \"" + key + "\"");
                }
            }
            if (!force) {
                String answer = PruneConfirmation.ask(parent.jpod, "WARNING! This will remove all networks not used by at least one container.\n"
                        + "Are you sure you want to continue? [y/N] ");
                if (answer == null) {
                    throw new EngineException("EOF");
                }
                if (!PruneConfirmation.accepted(answer)) {
                    return 0;
                }
            }
            try (Engine engine = parent.jpod.engine()) {
                NetworkService n = engine.networks();
                n.prune(filter(n, filters)).removed().forEach(parent.jpod.out::println);
            }
            return 0;
        }
    }

    @Command(name = "connect", mixinStandardHelpOptions = true, description = "Connect a container to a network (a running one at once).")
    static final class Connect implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Option(names = "--alias", paramLabel = "NAME", description = "Another name of the container on this network")
        List<String> aliases = new ArrayList<>();

        @Option(names = "--ip", paramLabel = "IPv4", description = "The container's address on this network")
        String ip;

        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                engine.networks().connect(network, container, new NetworkConnectOptions(aliases, ip));
            }
            return 0;
        }
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true, description = "Disconnect a container from a network.")
    static final class Disconnect implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Option(names = {"-f", "--force"}, description = "Accepted for podman compatibility")
        boolean force;

        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                engine.networks().disconnect(network, container);
            }
            return 0;
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true, description = "Apply the networks' rules of containers again.")
    static final class Reload implements Callable<Integer> {
        @ParentCommand
        NetworkCommand parent;

        @Option(names = {"-a", "--all"}, description = "Every running container")
        boolean all;

        @Option(names = {"-l", "--latest"}, hidden = true)
        boolean latest;

        @Parameters(arity = "0..*", paramLabel = "CONTAINER")
        List<String> containers = new ArrayList<>();

        @Override
        public Integer call() {
            if (latest) {
                throw new EngineException("--latest is not supported by jpod: name the containers, or use --all");
            }
            if (all == !containers.isEmpty()) {
                throw new EngineException(all ? "--all and containers cannot be used together" : "network reload needs containers, or --all");
            }
            try (Engine engine = parent.jpod.engine()) {
                engine.networks().reload(containers, all).forEach(parent.jpod.out::println);
            }
            return 0;
        }
    }
}
