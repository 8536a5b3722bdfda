package io.jpod.cli;

import io.jpod.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.jpod.engine.container.ExecRequest;

/** `jpod exec`: Run a command in a running container. */
@Command(name = "exec", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Run a command in a running container.")
public final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Option(names = {"-i", "--interactive"}, description = "Keep stdin open")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal")
    boolean tty;

    @Option(names = {"-d", "--detach"}, description = "Run the command in the background")
    boolean detach;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (name or uid) and group to run as")
    String user;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id")
    String container;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "Command and arguments")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        try (Engine engine = jpod.engine()) {
            return engine.containers().exec(new ExecRequest(container, List.copyOf(command), List.copyOf(env), workdir, user, interactive, tty, detach));
        }
    }
}
