package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * `jpod container …`: prune, exists and the monitor's hidden exit command; every other podman container
 * subcommand (`container ls`, `container inspect`, `container stop` …) is the top-level command of that name
 * ({@link Commands#containerGroupAlias}).
 */
@Command(name = "container", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manage containers.",
        footer = {"", "Also the top-level commands, by the same names: attach commit cp create diff exec export inspect kill "
                + "logs ls (list, ps) mount port rename restart rm run start stats stop top umount update wait."},
        subcommands = {ContainerCommand.Cleanup.class, ContainerCommand.Prune.class, ContainerCommand.Exists.class})
public final class ContainerCommand implements Runnable {
    @ParentCommand
    JpodCommand jpod;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(jpod.out);
    }

    /** `jpod container exists NAME`: exit 0 if there is such a container, 1 if not (podman's scripting test). */
    @Command(name = "exists", mixinStandardHelpOptions = true, description = "Exit 0 if the container exists, 1 if not.")
    static final class Exists implements Callable<Integer> {
        @ParentCommand
        ContainerCommand parent;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                return engine.containers().exists(container) ? 0 : 1;
            }
        }
    }

    /** Run by the container's monitor when the container has ended: unmount, record the exit, --rm. */
    @Command(name = "cleanup", hidden = true, description = "Tear down what an ended container used (run by its monitor).")
    static final class Cleanup implements Callable<Integer> {
        @ParentCommand
        ContainerCommand parent;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                engine.cleanup(container);
                return 0;
            }
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove all stopped containers.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        ContainerCommand parent;

        @picocli.CommandLine.Option(names = {"-f", "--force"}, description = "Do not ask (jpod never asks)")
        boolean force;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                engine.containers().prune().removed().forEach(parent.jpod.out::println);
                return 0;
            }
        }
    }
}
