package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerRunReport;
import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;

/** `jpod create`: run's options and preparation, without starting; prints the id. `jpod start` runs it. */
@Command(name = "create", usageHelpAutoWidth = true,
        description = "Create a new container without starting it (start it with jpod start).")
public final class CreateCommand extends RunCommand {
    @Override
    public Integer call() {
        RunRequest request = request();
        try (Engine engine = jpod.engine()) {
            ContainerRunReport report = engine.containers().create(request, ImageCli.progressWhenPulling(jpod));
            if (report.exitCode() == 0) {
                jpod.out.println(report.id());
            }
            return report.exitCode();
        }
    }
}
