package io.jpod.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Facts about processes read from /proc, without native calls (keeps jnr out of start-up). */
public final class ProcessIds {
    private ProcessIds() {
    }

    /** The effective uid of this process, as its own user namespace sees it. */
    public static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new RootlessException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        throw new RootlessException("no Uid line in /proc/self/status");
    }

    /** The command name of a live process, or null when there is no such process. */
    public static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The pid stored in a pid file, or -1 when the file is missing or unreadable. */
    public static long readPidFile(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
