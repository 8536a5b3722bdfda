package io.jpod.cli;

import io.jpod.engine.container.ContainerWaitOptions;
import io.jpod.storage.ContainerState;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.GoDuration;
import io.jpod.engine.container.ContainerLookupReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * `jpod wait`: wait for containers to end and print their exit codes, or (--condition, podman's) to be running,
 * created, healthy or unhealthy, printing -1 as podman does for conditions that are not an end.
 */
@Command(name = "wait", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Wait for containers to end (or reach --condition) and print their exit codes.")
public final class WaitCommand implements Callable<Integer> {
    private static final Set<String> ENDS = Set.of("stopped", "exited");
    private static final List<String> CONDITIONS = List.of("stopped", "exited", "running", "created", "healthy", "unhealthy");

    @ParentCommand
    JpodCommand jpod;

    @Option(names = "--condition", paramLabel = "STATE", description = "stopped (default), exited, running, created, healthy or unhealthy; "
            + "repeatable: any of them")
    List<String> conditions = new ArrayList<>();

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", defaultValue = "250ms",
            description = "How often to look when waiting for a --condition other than an end (default 250ms; a bare number: ms)")
    String interval;

    @Option(names = {"-l", "--latest"}, description = "The container created last")
    boolean latest;

    @Parameters(arity = "0..*", paramLabel = "CONTAINER", description = "Container names or ids")
    List<String> containers = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        for (String c : conditions) {
            if (!CONDITIONS.contains(c)) {
                throw new EngineException("unknown --condition \"" + c + "\": use " + String.join(", ", CONDITIONS));
            }
        }
        long pollMillis = Math.max(1, (interval.matches("\\d+") ? Long.parseLong(interval) * 1_000_000 : GoDuration.parseNanos(interval, "--interval")) / 1_000_000);
        try (Engine engine = jpod.engine()) {
            List<String> targets = containers;
            if (latest == !containers.isEmpty()) {
                throw new EngineException(latest ? ContainerTargets.together(false, true, true) : "you must provide at least one name or id");
            }
            if (latest) {
                targets = List.of(ContainerTargets.latest(engine));
            }
            for (String c : targets) {
                if (conditions.isEmpty() || conditions.stream().allMatch(ENDS::contains)) {
                    jpod.out.println(engine.containers().wait(c, new ContainerWaitOptions(ContainerWaitOptions.Condition.NOT_RUNNING, true)));
                } else {
                    awaitCondition(engine, c, pollMillis);
                    jpod.out.println(-1);
                }
                jpod.out.flush();
            }
            return 0;
        }
    }

    private void awaitCondition(Engine engine, String container, long pollMillis) throws InterruptedException {
        while (true) {
            ContainerLookupReport r = engine.containers().lookup(container);
            String health = r.state() == ContainerState.RUNNING ? r.health() : null;
            for (String c : conditions) {
                boolean met = switch (c) {
                    case "stopped", "exited" -> r.state() == ContainerState.EXITED;
                    case "healthy", "unhealthy" -> c.equals(health);
                    default -> c.equals(r.state().value());
                };
                if (met) {
                    return;
                }
            }
            if (conditions.stream().allMatch(c -> c.endsWith("healthy")) && r.health() == null) {
                throw new EngineException("container " + r.name() + " has no defined healthcheck to wait for");
            }
            if (r.state() == ContainerState.EXITED && conditions.stream().noneMatch(c -> c.equals("created"))) {
                throw new EngineException("container " + r.name() + " ended (exit code " + r.exitCode() + ") before it was "
                        + String.join(" or ", conditions));
            }
            Thread.sleep(pollMillis); // the poll interval (--interval), as podman's wait
        }
    }
}
