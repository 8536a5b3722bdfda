package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod healthcheck run CONTAINER`: podman's manual health check (0 healthy, 1 failed, 125 error). */
@Command(name = "healthcheck", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Run a container's health check.", subcommands = HealthcheckCommand.Run.class)
public final class HealthcheckCommand implements Runnable {
    @ParentCommand
    JpodCommand jpod;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(jpod.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the container's health check once: exit 0 if it passed, 1 if it failed (the status is printed then).")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        HealthcheckCommand parent;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            try (Engine engine = parent.jpod.engine()) {
                String status = engine.runHealthcheck(container);
                if (status.equals("healthy")) {
                    return 0;
                }
                parent.jpod.out.println(status);
                return 1;
            }
        }
    }
}
