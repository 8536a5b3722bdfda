package io.jpod.cli;

import io.jpod.storage.ContainerState;
import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerListOptions;
import io.jpod.engine.container.ContainerListReport;
import io.jpod.engine.container.ContainerStartOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod start`: Start stopped containers. */
@Command(name = "start", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Start stopped containers.")
public final class StartCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-a", "--attach"}, description = "Attach to the container's output and wait for it (one container)")
    boolean attach;

    @Option(names = {"-i", "--interactive"}, description = "Attach stdin too (implies -a)")
    boolean interactive;

    @Option(names = "--detach-keys", paramLabel = "KEYS", description = "Key sequence that detaches with -i (default: ctrl-p,ctrl-q; \"\" disables)")
    String detachKeys;

    @Option(names = "--sig-proxy", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "With -i: forward received signals to the container (default: true)")
    boolean sigProxy;

    @Option(names = "--all", description = "Start every container that is not running")
    boolean all;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only the containers that match: restart-policy=, and ps's "
            + "status=, name=, id=, label=, exited=, ancestor=, before=, since=")
    List<String> filters = new ArrayList<>();

    @Parameters(arity = "0..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        if (all == !containers.isEmpty()) {
            throw new io.jpod.engine.EngineException(all ? "either start all containers or the container(s) provided in the arguments"
                    : "start needs at least one container, or --all");
        }
        try (Engine engine = jpod.engine()) {
            if (all || !filters.isEmpty()) {
                return startSelected(engine);
            }
            if (interactive) {
                if (containers.size() != 1) {
                    throw new io.jpod.engine.EngineException("start --interactive takes exactly one container");
                }
                return engine.containers().start(containers.get(0), new ContainerStartOptions(true, true,
                        new io.jpod.engine.container.AttachOptions(detachKeys, false, sigProxy), false));
            }
            if (attach) {
                if (containers.size() != 1) {
                    throw new io.jpod.engine.EngineException("start --attach takes exactly one container");
                }
                return engine.containers().start(containers.get(0), new ContainerStartOptions(true, false, null, false));
            }
            for (String c : containers) {
                int code = engine.containers().start(c, ContainerStartOptions.detached());
                if (code != 0) {
                    return Main.EXIT_ENGINE; // a detached start that fails is the engine's failure (podman: 125), whatever the cause
                }
                jpod.out.println(c);
            }
            return 0;
        }
    }

    /** --all and --filter: the matching containers that are not running, each printed by its full id once started. */
    private int startSelected(Engine engine) {
        List<ContainerListReport> every = engine.containers().list(new ContainerListOptions(true));
        java.util.function.Predicate<ContainerListReport> filter = Filters.of(filters,
                "restart-policy, status, name, id, label, exited, ancestor, before or since", java.util.Set.of("label"),
                (key, value) -> key.equals("restart-policy") ? restartPolicy(value) : PsFilter.one(key, value, every));
        java.util.Map<String, String> named = new java.util.HashMap<>(); // id → as the user wrote it, which is what start prints
        for (String c : containers) {
            named.putIfAbsent(engine.containers().lookup(c).id(), c);
        }
        List<ContainerListReport> chosen = new ArrayList<>(every);
        java.util.Collections.reverse(chosen); // oldest first, as they were created
        for (ContainerListReport c : chosen) {
            if ((all || named.containsKey(c.id())) && c.state() != ContainerState.RUNNING && filter.test(c)) {
                int code = engine.containers().start(c.id(), ContainerStartOptions.detached());
                if (code != 0) {
                    return Main.EXIT_ENGINE; // a detached start that fails is the engine's failure (podman: 125), whatever the cause
                }
                jpod.out.println(named.getOrDefault(c.id(), c.id()));
            }
        }
        return 0;
    }

    /** restart-policy=none|no|always|on-failure|unless-stopped: the container's --restart. */
    private static java.util.function.Predicate<ContainerListReport> restartPolicy(String value) {
        String wanted = value.equals("no") ? "none" : value;
        if (!List.of("none", "always", "on-failure", "unless-stopped").contains(wanted)) {
            throw new io.jpod.engine.EngineException(value + " invalid restart policy");
        }
        return c -> {
            String r = c.restartPolicy();
            String policy = r == null || r.isEmpty() || r.equals("no") ? "none" : r.replaceFirst(":.*", "");
            return policy.equals(wanted);
        };
    }
}
