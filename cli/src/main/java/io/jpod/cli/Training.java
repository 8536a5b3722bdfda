package io.jpod.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The class-data cache's training run (`jpod __train`, started once by the launcher): exercises the start-up
 * path of common commands without touching any state, so the classes they load are archived.
 */
final class Training {
    private Training() {
    }

    static int run() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        for (String cmd : new String[]{"run", "pull", "images", "ps", "rm"}) {
            Main.commandLine(Map.of(), sink, sink, new String[]{cmd}).execute(cmd, "--help");
        }
        Main.commandLine(Map.of(), sink, sink, new String[]{"run"}).parseArgs("run", "--rm", "-e", "A=B", "alpine", "echo", "hi");
        try {
            io.jpod.image.ImageReference.parse("alpine");
            io.jpod.image.ImageConfig.parse("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=B\"],\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(), "training");
            new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"a\":[1,2]}");
        } catch (Exception e) {
            return 1;
        }
        return 0;
    }
}
