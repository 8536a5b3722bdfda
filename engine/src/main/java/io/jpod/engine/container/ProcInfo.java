package io.jpod.engine.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc says about a process: is it alive (and still the one we mean), its start time. */
public final class ProcInfo {
    private ProcInfo() {
    }

    /** /proc/PID/stat field 22 (start time in clock ticks since boot), or -1 when the process is gone. */
    public static long startTicks(long pid) {
        String[] f = fields(pid);
        return f == null || f.length < 20 ? -1 : Long.parseLong(f[19]);
    }

    /** Alive and not a zombie; when {@code ticks} is known, also the same process (pids get recycled). */
    public static boolean alive(long pid, Long ticks) {
        String[] f = fields(pid);
        if (f == null || f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
            return false;
        }
        return ticks == null || ticks <= 0 || Long.parseLong(f[19]) == ticks;
    }

    /** The process name (/proc/PID/comm), or "" when gone. */
    public static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The fields after the command name, i.e. field 3 (state) at index 0. */
    private static String[] fields(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = s.lastIndexOf(')');
            return close < 0 ? null : s.substring(close + 2).strip().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
