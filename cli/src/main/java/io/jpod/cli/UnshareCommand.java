package io.jpod.cli;

import io.jpod.engine.EngineException;
import io.jpod.rootless.HostUser;
import io.jpod.rootless.RootlessException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `jpod unshare`: run a command inside jpod's user and mount namespaces (like `podman unshare`), e.g. to look
 * at or remove storage files owned by subordinate ids. The launcher already joined them; this only runs it.
 */
@Command(name = "unshare", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Run a command in jpod's user namespace (default: your shell).")
public final class UnshareCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(paramLabel = "COMMAND", description = "Command and arguments")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        if (!HostUser.inUserNamespace()) {
            throw new RootlessException("jpod was started outside its user namespace; run it through its launcher (bin/jpod)");
        }
        List<String> argv = command.isEmpty() ? List.of(jpod.env.getOrDefault("SHELL", "/bin/sh")) : command;
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        pb.environment().remove("JPOD_IN_USERNS");
        try {
            Process p = pb.start();
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> { });
            return p.waitFor();
        } catch (IOException e) {
            throw new EngineException("cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 125;
        }
    }
}
