package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.container.ContainerListOptions;
import io.jpod.engine.container.ContainerListReport;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Which containers a command acts on, podman's way: the names given, {@code --all}, or {@code --latest}. */
final class ContainerTargets {
    @Option(names = {"-a", "--all"}, description = "All containers (stop, kill: all running ones)")
    boolean all;

    @Option(names = {"-l", "--latest"}, description = "The container created last")
    boolean latest;

    @Parameters(arity = "0..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> names = new ArrayList<>();

    /** The names as given, or the ids --all (those {@code allOf} accepts) or --latest select. */
    List<String> select(Engine engine, Predicate<ContainerListReport> allOf) {
        int ways = (names.isEmpty() ? 0 : 1) + (all ? 1 : 0) + (latest ? 1 : 0);
        if (ways == 0) {
            throw new EngineException("you must provide at least one name or id");
        }
        if (ways > 1) {
            throw new EngineException(together(all, latest, !names.isEmpty()));
        }
        if (!names.isEmpty()) {
            return names;
        }
        if (latest) {
            return List.of(latest(engine));
        }
        return engine.containers().list(new ContainerListOptions(true)).stream().filter(allOf).map(ContainerListReport::id).toList();
    }

    /** podman's message for more than one way of naming containers: "--all, --latest and containers cannot be used together". */
    static String together(boolean all, boolean latest, boolean containers) {
        return together(all, latest, containers, "containers");
    }

    /** The same for what else names the targets ({@code named}: "containers", "pods", "arguments"). */
    static String together(boolean all, boolean latest, boolean named, String noun) {
        List<String> given = new ArrayList<>();
        if (all) {
            given.add("--all");
        }
        if (latest) {
            given.add("--latest");
        }
        if (named) {
            given.add(noun);
        }
        String last = given.remove(given.size() - 1);
        return String.join(", ", given) + " and " + last + " cannot be used together";
    }

    /** --latest: the id of the container created last. */
    static String latest(Engine engine) {
        List<ContainerListReport> list = engine.containers().list(new ContainerListOptions(true)); // newest first
        if (list.isEmpty()) {
            throw new EngineException("--latest: there are no containers");
        }
        return list.get(0).id();
    }
}
