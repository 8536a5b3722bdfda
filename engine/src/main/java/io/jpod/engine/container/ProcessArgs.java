package io.jpod.engine.container;

import io.jpod.engine.EngineException;
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
     * @param entrypointOverride null when not given; an empty string given as --entrypoint "" clears it; a JSON array
     *                           of strings ('["/bin/echo","hi"]', as podman takes it) is the entrypoint's words
     * @param command the arguments after the image on the command line (empty when none)
     */
    public static List<String> of(List<String> imageEntrypoint, List<String> imageCmd,
                                  String entrypointOverride, List<String> command) {
        List<String> entrypoint = imageEntrypoint == null ? List.of() : imageEntrypoint;
        List<String> cmd = imageCmd == null ? List.of() : imageCmd;
        if (entrypointOverride != null) {
            entrypoint = entrypointOverride.isEmpty() ? List.of() : words(entrypointOverride);
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

    /** --entrypoint's words as the container keeps them: "" none, a JSON array its elements, else one word. */
    static List<String> entrypointWords(String entrypointOverride) {
        return entrypointOverride.isEmpty() ? List.of() : words(entrypointOverride);
    }

    /** A JSON array of strings as its elements; anything else is one word. */
    private static List<String> words(String entrypoint) {
        if (entrypoint.startsWith("[")) {
            try {
                com.fasterxml.jackson.databind.JsonNode array = new com.fasterxml.jackson.databind.ObjectMapper().readTree(entrypoint);
                List<String> words = new ArrayList<>();
                for (com.fasterxml.jackson.databind.JsonNode w : array) {
                    if (!w.isTextual()) {
                        return List.of(entrypoint);
                    }
                    words.add(w.asText());
                }
                if (!words.isEmpty()) {
                    return words;
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // not JSON: a program whose name starts with '['
            }
        }
        return List.of(entrypoint);
    }
}
