package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;

/** `jpod create`: run's options and preparation, without starting; prints the id. `jpod start` runs it. */
@Command(name = "create", usageHelpAutoWidth = true,
        description = "Create a new container without starting it (start it with jpod start).")
public final class CreateCommand extends RunCommand {
    @Override
    public Integer call() {
        RunRequest r = request();
        RunRequest request = new RunRequest(r.image(), r.command(), r.process(), r.name(), r.remove(), r.pull(),
                r.network(), r.lifecycle().asCreateOnly(), r.security(), r.resources(), r.pod());
        try (Engine engine = jpod.engine()) {
            int code = engine.run(request);
            if (code == 0) {
                jpod.out.println(engine.lastRunId());
            }
            return code;
        }
    }
}
