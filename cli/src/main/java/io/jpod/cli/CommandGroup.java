package io.jpod.cli;

/**
 * A `jpod X` command that only groups subcommands (network, volume, pod, secret): what its subcommands share
 * (as {@code @ParentCommand}) to reach the root command, so that one subcommand class can serve every group.
 */
interface CommandGroup {
    JpodCommand jpod();
}
