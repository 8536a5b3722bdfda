package io.jpod.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The container's argv from the image's Entrypoint/Cmd and the user's overrides, by the rules podman and docker
 * share: a command given on the command line replaces Cmd; --entrypoint replaces Entrypoint and drops the
 * image's Cmd.
 */
public final class ProcessArgs {
    private ProcessArgs() {
    }

    /**
     * @param entrypointOverride null when not given; an empty string given as --entrypoint "" clears it
     * @param command the arguments after the image on the command line (empty when none)
     */
    public static List<String> of(List<String> imageEntrypoint, List<String> imageCmd,
                                  String entrypointOverride, List<String> command) {
        List<String> entrypoint = imageEntrypoint == null ? List.of() : imageEntrypoint;
        List<String> cmd = imageCmd == null ? List.of() : imageCmd;
        if (entrypointOverride != null) {
            entrypoint = entrypointOverride.isEmpty() ? List.of() : List.of(entrypointOverride);
            cmd = List.of();
        }
        if (!command.isEmpty()) {
            cmd = command;
        }
        List<String> argv = new ArrayList<>(entrypoint);
        argv.addAll(cmd);
        if (argv.isEmpty()) {
            throw new EngineException("no command specified: the image has no Entrypoint or Cmd; give a command after the image name");
        }
        return List.copyOf(argv);
    }
}
