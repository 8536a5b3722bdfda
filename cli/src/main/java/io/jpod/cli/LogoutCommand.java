package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** `jpod logout`: removes stored credentials from auth.json. */
@Command(name = "logout", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Log out of a container registry.")
public final class LogoutCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REGISTRY", description = "Registry host[:port]")
    String registry;

    @Option(names = {"-a", "--all"}, description = "Remove the credentials of every registry")
    boolean all;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Credentials file (default: $XDG_RUNTIME_DIR/containers/auth.json)")
    String authfile;

    @Override
    public Integer call() {
        if (all == (registry != null)) {
            throw new EngineException(all ? "--all takes no registry" : "give a registry, or --all");
        }
        try (Engine engine = jpod.engine()) {
            if (!engine.images().logout(all ? null : registry, authfile)) {
                if (all) {
                    jpod.out.println("Removed login credentials for all registries");
                    return 0;
                }
                throw new EngineException("not logged into " + registry);
            }
        }
        jpod.out.println(all ? "Removed login credentials for all registries" : "Removed login credentials for " + registry);
        return 0;
    }
}
