package io.jpod.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A `jpod X` command that only groups subcommands (network, volume, pod, secret, kube): the root command its
 * subcommands reach through it ({@code parent.jpod}; one subcommand class such as {@link ExistsCommand} can so serve
 * every group), and podman's usage error when no subcommand is given.
 */
abstract class CommandGroup implements Runnable {
    @ParentCommand
    JpodCommand jpod;

    @Spec
    CommandSpec spec;

    private final String subcommands;

    /** @param subcommands the list podman's "missing subcommand" error names, e.g. "create, ls, inspect, rm or prune" */
    CommandGroup(String subcommands) {
        this.subcommands = subcommands;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: " + subcommands);
    }
}
